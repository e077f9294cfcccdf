package org.geomend.voronoiboost;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows {@code [tau] + features -> s_tau} for the regressor, one per (site, tau) with a usable target (finite and
 * positive; the published table leaves dropped taus empty).
 */
public final class TrainingSet {

    private final List<double[]> x = new ArrayList<>();
    private final List<Double> y = new ArrayList<>();
    private int sites;

    /** Adds one site: its features and its target scale per tau of {@code taus} (NaN: none). */
    public void add(double[] features, double[] taus, double[] scales) {
        boolean any = false;
        for (int k = 0; k < taus.length; k++) {
            if (!(scales[k] > 0) || !Double.isFinite(scales[k])) continue;
            x.add(VoronoiBoostModel.row(taus[k], features));
            y.add(scales[k]);
            any = true;
        }
        if (any) sites++;
    }

    public int rows() {
        return y.size();
    }

    public int sites() {
        return sites;
    }

    public double[][] x() {
        return x.toArray(double[][]::new);
    }

    public double[] y() {
        return y.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
