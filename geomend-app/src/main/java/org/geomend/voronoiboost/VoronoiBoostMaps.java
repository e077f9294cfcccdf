package org.geomend.voronoiboost;

import java.util.BitSet;
import org.geomend.geolocate.MapDrawer;
import org.geomend.kernels.GridSpec;

/**
 * VoronoiBoost maps of an inventory's sites with a trained model: predicted scales (batched), the published
 * monotone post-processing ({@link VoronoiBoostModel#monotone}), then {@link NestedCellMap} on each site's SPEC
 * window: a {@link MapDrawer}, drawn by {@link org.geomend.geolocate.Geolocator} (in {@code geolocate} and in {@code
 * eval}), which does the fallbacks (no mass inside the region: drawn unmasked; no pixel centre in any scaled cell:
 * all the mass on the site's pixel).
 */
public final class VoronoiBoostMaps implements MapDrawer {

    private final InventoryCells cells;
    private final VoronoiBoostModel model;

    public VoronoiBoostMaps(InventoryCells cells, VoronoiBoostModel model) {
        if (!cells.settings().equals(model.settings()))
            throw new IllegalArgumentException(
                    "cells built with " + cells.settings() + " but the model was trained with " + model.settings());
        this.cells = cells;
        this.model = model;
    }

    /** Kept taus and scales of each site (one batched prediction). */
    public VoronoiBoostModel.Kept[] scales(int[] sites) {
        double[][] f = new double[sites.length][];
        for (int i = 0; i < sites.length; i++) f[i] = cells.features(sites[i]);
        double[][] raw = model.predict(f);
        VoronoiBoostModel.Kept[] out = new VoronoiBoostModel.Kept[sites.length];
        for (int i = 0; i < sites.length; i++) out[i] = VoronoiBoostModel.monotone(model.taus(), raw[i]);
        return out;
    }

    /** Sites drawn so far (as a {@link MapDrawer}) whose prediction kept every tau. */
    public int allTausKept() {
        return allTausKept.cardinality();
    }

    private final BitSet allTausKept = new BitSet();

    /**
     * As {@link org.geomend.geolocate.Geolocator}'s drawer: the scales of each batch in one prediction, then each map
     * on its window within its mask (the loop does the fallbacks).
     */
    @Override
    public Tile tile(GridSpec raster) {
        return (b, sums) -> {
            VoronoiBoostModel.Kept[] kept = scales(b.sites());
            for (int m = 0; m < b.size(); m++) {
                sums[m] = NestedCellMap.draw(
                        cells.cell(b.site(m)),
                        kept[m].scales(),
                        kept[m].taus(),
                        b.window(m),
                        b.mask(m),
                        b.maps(),
                        b.offset(m));
                if (kept[m].all(model.taus().length)) allTausKept.set(b.site(m));
            }
        };
    }
}
