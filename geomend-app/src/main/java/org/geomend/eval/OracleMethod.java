package org.geomend.eval;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;

/**
 * {@code spdi-oracle}: per site, sPDI at the beta of a grid (default 0.1 to 6 by 0.05, SPEC section 2's teacher
 * rule) that minimises KS2 against the site's own ground truth (ties: the smallest beta). This is DeepMEND's
 * teacher: the best any single-beta sPDI can do, a lower bound for sPDI and the soft label of the student. It
 * reads the ground truth, so it is not a model; it needs no training. Candidates are drawn {@value #SUB_BATCH}
 * betas at a time on the backend and scored with one {@code ks2Batch} call each.
 */
public final class OracleMethod implements EvalMethod {

    static final int SUB_BATCH = 24;

    private final double[] betas;
    private final int k;

    public OracleMethod(double[] betas, int k) {
        if (betas.length == 0) throw new IllegalArgumentException("--oracle-betas: no beta");
        for (double b : betas) if (!(b > 0)) throw new IllegalArgumentException("--oracle-betas: beta must be > 0: " + b);
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
            throw new IllegalArgumentException("--oracle-betas must be FROM:TO:STEP (e.g. 0.1:6:0.05) or a list B1,B2,...: '" + s + "'");
        }
    }

    public double[] betas() { return betas.clone(); }

    public String describeBetas() {
        return String.format(Locale.ROOT, "%d betas in [%s, %s]", betas.length, betas[0], betas[betas.length - 1]);
    }

    @Override public String name() { return "spdi-oracle"; }

    @Override
    public void draw(Chunk chunk, MapOut out) throws IOException {
        int w = chunk.data().window();
        long px = chunk.mapPixels();
        int sub = Math.min(SUB_BATCH, betas.length);
        GridBuffer truth = chunk.groundTruth();
        try (KnnRaster knn = chunk.knn(k + 1);
             GridBuffer cand = GridBuffer.allocate(chunk.allocator(), GridBuffer.Type.FLOAT32, sub * px);
             GridBuffer best = GridBuffer.allocate(chunk.allocator(), GridBuffer.Type.FLOAT32, px)) {
            GridSpec raster = knn.grid();
            double[] ks = new double[sub], sums = new double[sub];
            for (int m = 0; m < chunk.size(); m++) {
                GridSpec win = chunk.window(m);
                int[] site = new int[sub], c0 = new int[sub], r0 = new int[sub];
                Arrays.fill(site, chunk.site(m));
                Arrays.fill(c0, raster.colOffsetOf(win));
                Arrays.fill(r0, raster.rowOffsetOf(win));
                double bestKs = Double.POSITIVE_INFINITY, bestBeta = Double.NaN;
                for (int from = 0; from < betas.length; from += sub) {
                    int n = Math.min(sub, betas.length - from);
                    MapBatch batch = new MapBatch(n, w, w, site, c0, r0, Arrays.copyOfRange(betas, from, from + sub), cand);
                    chunk.kernels().spdiMaps(chunk.data().positions(), knn, k, batch);
                    chunk.kernels().normalize(batch, raster, null, sums);
                    chunk.kernels().ks2Batch(truth, m * px, cand, n, w, w, ks);
                    for (int j = 0; j < n; j++) {
                        if (!(sums[j] > 0)) continue;
                        if (ks[j] < bestKs) {
                            bestKs = ks[j];
                            bestBeta = betas[from + j];
                            MemorySegment.copy(cand.segment(), batch.offset(j) * 4, best.segment(), 0, px * 4);
                        }
                    }
                }
                if (Double.isNaN(bestBeta))
                    throw new IllegalStateException("spdi-oracle: no sPDI map with mass for site " + chunk.data().id(chunk.site(m)));
                out.accept(m, win, best, 0, bestBeta);
            }
        }
    }
}
