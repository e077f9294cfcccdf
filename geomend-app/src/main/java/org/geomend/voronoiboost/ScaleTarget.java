package org.geomend.voronoiboost;

import java.util.Arrays;
import org.geomend.kernels.GridSpec;

/**
 * The training target of VoronoiBoost on ground truth: for each tau, the scale s_tau at which the scaled cell
 * ({@link ScaledCell}) holds mass tau of the site's ground-truth map (pixel centres inside the scaled cell, the
 * same rule the map drawing uses). The mass held is a non-decreasing step function of s, so bisection on s
 * converges to the smallest s where it reaches tau; we compute that limit exactly instead: every pixel with mass
 * enters at its gauge, so s_tau is the gauge of the pixel at which the mass sorted by gauge first reaches tau.
 */
public final class ScaleTarget {

    private ScaleTarget() {}

    /**
     * @param map  the ground truth on {@code grid} (row-major from the south-west pixel; need not be normalised)
     * @param taus ascending masses in (0, 1]
     * @return s_tau per tau (NaN for every tau when the map has no mass)
     */
    public static double[] scales(ScaledCell cell, GridSpec grid, float[] map, double[] taus) {
        int w = grid.width(), h = grid.height();
        if (map.length != (long) w * h)
            throw new IllegalArgumentException("map has " + map.length + " values, the grid " + grid.pixels());
        int n = 0;
        double total = 0;
        for (float v : map)
            if (v > 0) {
                n++;
                total += v;
            }
        double[] out = new double[taus.length];
        if (!(total > 0)) {
            Arrays.fill(out, Double.NaN);
            return out;
        }
        double[] g = new double[n];
        float[] m = new float[n];
        int k = 0;
        for (int r = 0; r < h; r++) {
            double y = grid.centreY(r);
            for (int c = 0; c < w; c++) {
                float v = map[r * w + c];
                if (v > 0) {
                    g[k] = cell.gauge(grid.centreX(c), y);
                    m[k++] = v;
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (p, q) -> Double.compare(g[p], g[q]));
        double cum = 0;
        int t = 0;
        for (int i = 0; i < n && t < taus.length; i++) {
            cum += m[order[i]] / total;
            while (t < taus.length && cum >= taus[t] - 1e-9) out[t++] = g[order[i]];
        }
        while (t < taus.length) out[t++] = g[order[n - 1]];
        return out;
    }
}
