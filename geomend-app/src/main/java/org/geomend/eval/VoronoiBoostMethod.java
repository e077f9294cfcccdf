package org.geomend.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.geomend.dataset.Dataset;
import org.geomend.geolocate.DrawBatch;
import org.geomend.geolocate.Geolocator;
import org.geomend.geolocate.MapDrawer;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.voronoiboost.GroundTruthTargets;
import org.geomend.voronoiboost.InventoryCells;
import org.geomend.voronoiboost.TrainingSet;
import org.geomend.voronoiboost.VoronoiBoostMaps;
import org.geomend.voronoiboost.VoronoiBoostModel;

/**
 * {@code voronoiboost} in {@code geomend eval}: trained per fold on the fold's training sites, with targets from
 * their ground truth (training way (a) of issue 4: the scale at which the cell scaled about the station holds mass
 * tau). The tessellation and features of the dataset's inventory are computed once, and each site's targets once,
 * however many folds use them.
 */
public final class VoronoiBoostMethod implements EvalMethod {

    private final VoronoiBoostModel.Settings settings;
    private final VoronoiBoostModel.Hyper hyper;
    private Dataset data;
    private InventoryCells cells;
    private final Map<Integer, double[]> targets = new HashMap<>();
    private VoronoiBoostModel model;

    public VoronoiBoostMethod(VoronoiBoostModel.Settings settings, VoronoiBoostModel.Hyper hyper) {
        this.settings = settings;
        this.hyper = hyper;
    }

    @Override
    public String name() {
        return "voronoiboost";
    }

    @Override
    public boolean trained() {
        return true;
    }

    @Override
    public void fit(Dataset d, int[] train) throws IOException {
        if (d != data) {
            data = d;
            cells = InventoryCells.of(d.positions(), settings);
            targets.clear();
        }
        List<Integer> missing = new ArrayList<>();
        for (int s : train) if (!targets.containsKey(s)) missing.add(s);
        int[] miss = missing.stream().mapToInt(Integer::intValue).toArray();
        double[][] t = GroundTruthTargets.compute(d, cells, miss, VoronoiBoostModel.TAUS);
        for (int i = 0; i < miss.length; i++) targets.put(miss[i], t[i]);
        double[][] y = new double[train.length][];
        for (int i = 0; i < train.length; i++) y[i] = targets.get(train[i]);
        TrainingSet ts = GroundTruthTargets.trainingSet(cells, train, y, VoronoiBoostModel.TAUS);
        model = VoronoiBoostModel.fit(
                ts.x(),
                ts.y(),
                VoronoiBoostModel.TAUS,
                settings,
                hyper,
                Map.of("source", "ground truth", "dataset", d.dir().toString(), "sites", Integer.toString(ts.sites())));
    }

    @Override
    public void draw(Chunk chunk, MapOut out) throws IOException {
        if (model == null || chunk.data() != data)
            throw new IllegalStateException("voronoiboost: draw before fit on this dataset");
        int n = chunk.size();
        GridSpec[] windows = new GridSpec[n];
        for (int m = 0; m < n; m++) windows[m] = chunk.window(m);
        // geolocate's drawer and fallbacks (no pixel centre in any scaled cell: all the mass on the site's pixel)
        try (VoronoiBoostMaps maps = new VoronoiBoostMaps(cells, model);
                MapDrawer.Tile tile = maps.tile(null);
                GridBuffer buf =
                        GridBuffer.allocate(chunk.allocator(), GridBuffer.Type.FLOAT32, n * chunk.mapPixels())) {
            DrawBatch b = new DrawBatch(chunk.sites(), windows, buf, null, null, null);
            Geolocator.draw(tile, data.positions(), b, chunk.allocator());
            for (int m = 0; m < n; m++) out.accept(m, windows[m], buf, b.offset(m), Double.NaN);
        }
    }
}
