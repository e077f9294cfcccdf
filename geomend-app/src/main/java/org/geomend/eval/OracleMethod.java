package org.geomend.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.geomend.kernels.BetaSweep;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;

/**
 * {@code spdi-oracle}: per site, sPDI at the beta of a grid (default 0.1 to 6 by 0.05, SPEC section 2's teacher
 * rule) that minimises KS2 against the site's own ground truth (ties: the smallest beta). This is DeepMEND's
 * teacher: the best any single-beta sPDI can do, a lower bound for sPDI and the soft label of the student. It
 * reads the ground truth, so it is not a model; it needs no training. Every beta of a site is scored in one
 * {@link org.geomend.kernels.GeoKernels#spdiBetaSweep} call (neighbour work shared by all betas, no map materialised
 * per beta); the map at beta* is then drawn with {@code spdiMaps + normalize}. {@code geomend teacher} runs the same
 * search through {@link #sweep} and also keeps the whole KS2-vs-beta curve.
 */
public final class OracleMethod implements EvalMethod {

    /** Told the beta search of each site of a chunk ({@link #sweep}). */
    @FunctionalInterface
    public interface SweepOut {
        /**
         * @param curve KS2 at each beta of {@link #betas()} (NaN where the map has no mass); the callee may keep it
         * @param label the normalised sPDI map at {@code betaStar}, {@code mapPixels()} floats at element offset 0;
         *              valid during the call only
         */
        void accept(int m, GridSpec window, double betaStar, double ks2Star, double[] curve, GridBuffer label)
                throws IOException;
    }

    private final double[] betas;
    private final int k;

    public OracleMethod(double[] betas, int k) {
        if (betas.length == 0) throw new IllegalArgumentException("--oracle-betas: no beta");
        for (double b : betas)
            if (!(b > 0)) throw new IllegalArgumentException("--oracle-betas: beta must be > 0: " + b);
        if (k < 1 || k > 8) throw new IllegalArgumentException("--k must be in [1, 8]: " + k);
        this.betas = betas.clone();
        this.k = k;
    }

    /** {@code FROM:TO:STEP} (inclusive of TO within half a step) or a comma-separated list. */
    public static double[] parseBetas(String s) {
        try {
            if (s.contains(":")) {
                String[] p = s.split(":");
                if (p.length != 3) throw new IllegalArgumentException();
                double from = Double.parseDouble(p[0]), to = Double.parseDouble(p[1]), step = Double.parseDouble(p[2]);
                if (!(step > 0) || !(to >= from)) throw new IllegalArgumentException();
                int n = (int) Math.floor((to - from) / step + 0.5) + 1;
                if (n > 10_000) throw new IllegalArgumentException();
                double[] out = new double[n];
                for (int i = 0; i < n; i++) out[i] = Math.round((from + i * step) * 1e9) / 1e9;
                return out;
            }
            List<Double> l = new ArrayList<>();
            for (String t : s.split(",")) l.add(Double.parseDouble(t.trim()));
            return l.stream().mapToDouble(Double::doubleValue).toArray();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "--oracle-betas must be FROM:TO:STEP (e.g. 0.1:6:0.05) or a list B1,B2,...: '" + s + "'");
        }
    }

    public double[] betas() {
        return betas.clone();
    }

    public String describeBetas() {
        return String.format(Locale.ROOT, "%d betas in [%s, %s]", betas.length, betas[0], betas[betas.length - 1]);
    }

    @Override
    public String name() {
        return "spdi-oracle";
    }

    @Override
    public void draw(Chunk chunk, MapOut out) throws IOException {
        sweep(chunk, (m, win, beta, ks2, curve, label) -> out.accept(m, win, label, 0, beta));
    }

    /**
     * The beta search of every site of the chunk, in chunk order: one neighbour raster for the chunk, one
     * {@code spdiBetaSweep} per site against its ground truth, beta* = the argmin of KS2 (ties: the smallest beta),
     * then the soft label drawn at beta*.
     */
    public void sweep(Chunk chunk, SweepOut out) throws IOException {
        int w = chunk.data().window();
        long px = chunk.mapPixels();
        GridBuffer truth = chunk.groundTruth();
        try (KnnRaster knn = chunk.knn(k + 1);
                GridBuffer best = GridBuffer.allocate(chunk.allocator(), GridBuffer.Type.FLOAT32, px)) {
            GridSpec raster = knn.grid();
            double[] ks = new double[betas.length], sums = new double[betas.length], one = new double[1];
            for (int m = 0; m < chunk.size(); m++) {
                GridSpec win = chunk.window(m);
                int site = chunk.site(m), c0 = raster.colOffsetOf(win), r0 = raster.rowOffsetOf(win);
                chunk.kernels()
                        .spdiBetaSweep(
                                chunk.data().positions(),
                                knn,
                                k,
                                new BetaSweep(site, c0, r0, w, w, betas),
                                truth,
                                m * px,
                                ks,
                                sums);
                int b = argmin(ks, sums);
                if (b < 0)
                    throw new IllegalStateException("spdi-oracle: no sPDI map with mass for site "
                            + chunk.data().id(site));
                MapBatch batch = new MapBatch(
                        1, w, w, new int[] {site}, new int[] {c0}, new int[] {r0}, new double[] {betas[b]}, best);
                chunk.kernels().spdiMaps(chunk.data().positions(), knn, k, batch);
                chunk.kernels().normalize(batch, raster, null, one);
                out.accept(m, win, betas[b], ks[b], ks.clone(), best);
            }
        }
    }

    /** Index of the smallest KS2 among maps with mass; ties go to the smallest beta; -1 when none has mass. */
    int argmin(double[] ks, double[] sums) {
        int best = -1;
        for (int t = 0; t < betas.length; t++) {
            if (!(sums[t] > 0) || Double.isNaN(ks[t])) continue;
            if (best < 0 || ks[t] < ks[best] || (ks[t] == ks[best] && betas[t] < betas[best])) best = t;
        }
        return best;
    }
}
