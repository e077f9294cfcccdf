package org.geomend.voronoiboost;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import org.geomend.dataset.Dataset;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;

/**
 * Training targets from a dataset's ground truth ({@code geomend synth}): for each site with a map and each tau,
 * the scale at which the site's scaled cell holds mass tau of its map ({@link ScaleTarget}).
 */
public final class GroundTruthTargets {

    private GroundTruthTargets() {}

    /**
     * @param sites dataset indices of sites with a ground-truth map
     * @return [position in {@code sites}][tau]
     */
    public static double[][] compute(Dataset data, InventoryCells cells, int[] sites, double[] taus)
            throws IOException {
        double[][] out = new double[sites.length][];
        Integer[] order = new Integer[sites.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> data.mapRow(sites[i]))); // read maps.arrow in row order
        try (ArrowMapReader maps = data.openMaps()) {
            for (int i : order) {
                int s = sites[i];
                if (data.mapRow(s) < 0)
                    throw new IllegalArgumentException("site " + data.id(s) + " has no ground-truth map");
                MapData md = maps.read(data.mapRow(s));
                out[i] = ScaleTarget.scales(cells.cell(s), md.grid(), md.values(), taus);
            }
        }
        return out;
    }

    /** A training set of {@code sites}: features and ground-truth targets ({@code targets[i]} for {@code sites[i]}). */
    public static TrainingSet trainingSet(InventoryCells cells, int[] sites, double[][] targets, double[] taus) {
        TrainingSet t = new TrainingSet();
        for (int i = 0; i < sites.length; i++) t.add(cells.features(sites[i]), taus, targets[i]);
        return t;
    }
}
