package org.geomend.voronoiboost;

import java.io.IOException;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.geolocate.RegionRaster;
import org.geomend.io.MapSink;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;

/**
 * VoronoiBoost maps of an inventory's sites with a trained model: predicted scales (batched), the published
 * monotone post-processing ({@link VoronoiBoostModel#monotone}), then {@link NestedCellMap} on each site's SPEC
 * window. Fallbacks, as in {@code geolocate}'s closed-form methods: a map with no mass inside the region mask is
 * drawn unmasked; a map with no pixel centre in any scaled cell puts all its mass on the site's pixel.
 */
public final class VoronoiBoostMaps {

    /** What a run did. */
    public record Stats(int maps, int unmaskedFallback, int sitePixelFallback, int allTausKept, double seconds) {}

    /** Told after each map. */
    @FunctionalInterface
    public interface Progress {
        void done(int maps, int total);
    }

    private final InventoryCells cells;
    private final VoronoiBoostModel model;

    public VoronoiBoostMaps(InventoryCells cells, VoronoiBoostModel model) {
        if (!cells.settings().equals(model.settings()))
            throw new IllegalArgumentException("cells built with " + cells.settings() + " but the model was trained with " + model.settings());
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

    /**
     * Draws the map of {@code site} on {@code window} into {@code dst} at {@code offset}, normalised to 1.
     *
     * @param mask UINT8 region mask on {@code window}, or null
     * @return 0 when drawn as asked, 1 when drawn without the mask (nothing inside the region), 2 when all the mass
     *         went to the site's pixel
     */
    public int draw(int site, VoronoiBoostModel.Kept kept, GridSpec window, GridBuffer mask, GridBuffer dst, long offset) {
        ScaledCell cell = cells.cell(site);
        if (NestedCellMap.draw(cell, kept.scales(), kept.taus(), window, mask, dst, offset) > 0) return 0;
        if (mask != null && NestedCellMap.draw(cell, kept.scales(), kept.taus(), window, null, dst, offset) > 0) return 1;
        double x = cells.tessellation().sites().x()[site], y = cells.tessellation().sites().y()[site];
        int col = (int) Math.min(window.width() - 1, Math.max(0, Math.floor((x - window.x0()) / window.resolution())));
        int row = (int) Math.min(window.height() - 1, Math.max(0, Math.floor((y - window.y0()) / window.resolution())));
        dst.segment().asSlice(offset * 4, window.pixels() * 4).fill((byte) 0);
        dst.setFloat(offset + (long) row * window.width() + col, 1f);
        return 2;
    }

    /** Draws the maps of {@code targets} on their SPEC windows and writes them to {@code sink}. */
    public Stats run(String[] ids, int[] targets, int windowSide, double resolution, RegionRaster region, MapSink sink,
                     BufferAllocator alloc, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        long px = (long) windowSide * windowSide;
        int unmasked = 0, pixel = 0, all = 0, done = 0;
        final int batch = 256;
        try (GridBuffer buf = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, px);
             GridBuffer mask = region == null ? null : GridBuffer.allocate(alloc, GridBuffer.Type.UINT8, px)) {
            for (int from = 0; from < targets.length; from += batch) {
                int[] part = java.util.Arrays.copyOfRange(targets, from, Math.min(targets.length, from + batch));
                VoronoiBoostModel.Kept[] kept = scales(part);
                for (int i = 0; i < part.length; i++) {
                    int s = part[i];
                    GridSpec w = GridSpec.window(cells.tessellation().sites().x()[s], cells.tessellation().sites().y()[s], windowSide, resolution);
                    if (mask != null) region.rasterize(w, mask);
                    int how = draw(s, kept[i], w, mask, buf, 0);
                    if (how == 1) unmasked++;
                    if (how == 2) pixel++;
                    if (kept[i].all(model.taus().length)) all++;
                    sink.write(ids[s], w, buf.segment(), 0);
                    done++;
                    if (progress != null) progress.done(done, targets.length);
                }
            }
        }
        return new Stats(done, unmasked, pixel, all, (System.nanoTime() - t0) / 1e9);
    }
}
