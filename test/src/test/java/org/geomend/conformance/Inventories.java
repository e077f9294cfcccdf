package org.geomend.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.SitePositions;

/** Site inventories chosen for their corner cases, placed around a test raster. */
record Inventories(String name, SitePositions sites) {

    /** The test raster: 40 x 40 pixels of 100 m, on a Lambert-93-like lattice. */
    static final GridSpec RASTER = new GridSpec(652_300.0, 6_862_100.0, 100.0, 40, 40);

    @Override
    public String toString() {
        return name;
    }

    static List<Inventories> all() {
        GridSpec g = RASTER;
        double x0 = g.x0(), y0 = g.y0(), span = g.width() * g.resolution();
        List<Inventories> out = new ArrayList<>();
        Random rnd = new Random(42);
        {
            int n = 60;
            double[] x = new double[n], y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = x0 - 1000 + rnd.nextDouble() * (span + 2000);
                y[i] = y0 - 1000 + rnd.nextDouble() * (span + 2000);
            }
            out.add(new Inventories("uniform", new SitePositions(x, y)));
        }
        {
            int n = 90;
            double[] x = new double[n], y = new double[n];
            double[][] c = {{0.3, 0.3}, {0.7, 0.6}, {0.45, 0.85}};
            for (int i = 0; i < n; i++) {
                double[] b = c[i % 3];
                x[i] = x0 + b[0] * span + rnd.nextGaussian() * 300;
                y[i] = y0 + b[1] * span + rnd.nextGaussian() * 300;
            }
            out.add(new Inventories("clustered", new SitePositions(x, y)));
        }
        out.add(new Inventories("single", new SitePositions(new double[] {x0 + 1234.5}, new double[] {y0 + 2345.6})));
        {
            int n = 12;
            double[] x = new double[n], y = new double[n];
            x[0] = x0 + 2000.3;
            y[0] = y0 + 1900.7;
            x[1] = x[0] + 0.5;
            y[1] = y[0];
            for (int i = 2; i < n; i++) {
                x[i] = x0 + rnd.nextDouble() * span;
                y[i] = y0 + rnd.nextDouble() * span;
            }
            out.add(new Inventories("colocated", new SitePositions(x, y)));
        }
        {
            // on the window's edges and corners, and on lattice points: many pixel centres equidistant to two sites
            double[] x = {x0, x0, x0 + span, x0 + 1000, x0 + 1100, x0 + 1000, x0 + 3000, x0 + 2000, x0 + 2500};
            double[] y = {y0 + 2000, y0, y0 + span, y0 + 2000, y0 + 2000, y0 + 2100, y0 + 3000, y0 + 2500, y0 + 2000};
            out.add(new Inventories("edge-and-ties", new SitePositions(x, y)));
        }
        {
            int n = 20;
            double[] x = new double[n], y = new double[n];
            for (int i = 0; i < n; i++) {
                double a = rnd.nextDouble() * 2 * Math.PI, d = 50_000 + rnd.nextDouble() * 30_000;
                x[i] = x0 + span / 2 + d * Math.cos(a);
                y[i] = y0 + span / 2 + d * Math.sin(a);
            }
            out.add(new Inventories("far-outside", new SitePositions(x, y)));
        }
        return out;
    }

    /**
     * Urban density (700 sites over the raster): every 16 x 16 pixel block has more candidates than the CUDA knn
     * kernel stages in shared memory at once (256), so its tile loop and both of its barriers run more than once.
     * For the knn test only (far windows of so many sites carry masses near 1e-14, below the map tests' reach).
     */
    static Inventories dense() {
        GridSpec g = RASTER;
        double x0 = g.x0(), y0 = g.y0(), span = g.width() * g.resolution();
        Random rnd = new Random(43);
        int n = 700;
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = x0 + rnd.nextDouble() * span;
            y[i] = y0 + rnd.nextDouble() * span;
        }
        return new Inventories("dense", new SitePositions(x, y));
    }
}
