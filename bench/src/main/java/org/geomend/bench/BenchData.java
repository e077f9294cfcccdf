package org.geomend.bench;

import java.util.SplittableRandom;
import org.geomend.kernels.SitePositions;

/** Deterministic synthetic layouts for benchmarks: clustered towns over a square region. */
public final class BenchData {

    private BenchData() {}

    /**
     * {@code n} sites over an {@code extent x extent} metre square: half in 8 gaussian towns (sigma 3 km),
     * half uniform, which gives urban and rural densities in one layout.
     */
    public static SitePositions clustered(int n, double extent, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] towns = new double[8][2];
        for (double[] t : towns) {
            t[0] = extent * (0.15 + 0.7 * r.nextDouble());
            t[1] = extent * (0.15 + 0.7 * r.nextDouble());
        }
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                double[] t = towns[r.nextInt(8)];
                double g1 = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
                double g2 = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
                x[i] = t[0] + 3000 * g1;
                y[i] = t[1] + 3000 * g2;
            } else {
                x[i] = extent * r.nextDouble();
                y[i] = extent * r.nextDouble();
            }
        }
        return new SitePositions(x, y);
    }
}
