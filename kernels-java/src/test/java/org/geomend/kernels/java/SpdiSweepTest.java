package org.geomend.kernels.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.BetaSweep;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Memory;
import org.geomend.kernels.Reference;
import org.geomend.kernels.SitePositions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The batched beta sweep of the Java backend against the one-at-a-time path ({@code spdiMaps + normalize + ks2} per
 * beta) and against the float64 brute force of {@link Reference}.
 */
class SpdiSweepTest {

    static BufferAllocator alloc;
    static JavaKernels kernels;

    /** The SPEC's default teacher grid, as {@code --betas 0.1:6:0.05} parses it. */
    static final double[] GRID = new double[119];

    static {
        for (int i = 0; i < GRID.length; i++) GRID[i] = Math.round((0.1 + i * 0.05) * 1e9) / 1e9;
    }

    @BeforeAll
    static void setUp() {
        alloc = Memory.child("SpdiSweepTest");
        kernels = new JavaKernels(2);
    }

    @AfterAll
    static void tearDown() {
        kernels.close();
        alloc.close();
    }

    static SitePositions clustered(long seed, int n, double extent) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            double cx = (i % 2 == 0 ? 0.35 : 0.65) * extent, cy = 0.5 * extent;
            x[i] = cx + (r.nextDouble() - 0.5) * extent * 0.3;
            y[i] = cy + (r.nextDouble() - 0.5) * extent * 0.5;
        }
        return new SitePositions(x, y);
    }

    /** A raster around the window of {@code site}, larger by {@code margin} pixels on each side. */
    static GridSpec rasterAround(SitePositions s, int site, int w, int h, int margin) {
        GridSpec win = GridSpec.window(s.x()[site], s.y()[site], w, 100);
        return new GridSpec(win.x0() - margin * 100, win.y0() - margin * 100, 100, w + 2 * margin + 3, h + 2 * margin);
    }

    static KnnRaster knn(SitePositions s, GridSpec g, int kk) {
        KnnRaster r = new KnnRaster(g, kk, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, g.pixels() * kk));
        kernels.nearestSites(s, r);
        return r;
    }

    /** A normalised reference: the site's sPDI at {@code beta} with multiplicative noise (a realistic, non-sPDI truth). */
    static GridBuffer truth(
            SitePositions s, KnnRaster knn, int site, int c0, int r0, int w, int h, double beta, long seed) {
        GridBuffer t = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, (long) w * h + 3);
        try (GridBuffer m = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, (long) w * h)) {
            kernels.spdiMaps(
                    s,
                    knn,
                    knn.kk() - 1,
                    new MapBatch(1, w, h, new int[] {site}, new int[] {c0}, new int[] {r0}, new double[] {beta}, m));
            SplittableRandom r = new SplittableRandom(seed);
            double sum = 0;
            float[] v = m.toFloatArray(0, w * h);
            for (int p = 0; p < v.length; p++) {
                v[p] *= (float) (0.2 + 1.6 * r.nextDouble());
                sum += v[p];
            }
            for (int p = 0; p < v.length; p++) v[p] = (float) (v[p] / sum);
            t.copyFrom(v, 3);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** KS2 per beta the slow way: one map per beta through spdiMaps, normalize and ks2. */
    static double[] oneAtATime(
            SitePositions s,
            KnnRaster knn,
            int k,
            int site,
            int c0,
            int r0,
            int w,
            int h,
            double[] betas,
            GridBuffer ref,
            long offRef,
            double[] sums) {
        double[] out = new double[betas.length];
        try (GridBuffer m = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, (long) w * h)) {
            for (int t = 0; t < betas.length; t++) {
                MapBatch b = new MapBatch(
                        1, w, h, new int[] {site}, new int[] {c0}, new int[] {r0}, new double[] {betas[t]}, m);
                kernels.spdiMaps(s, knn, k, b);
                double[] sm = new double[1];
                kernels.normalize(b, knn.grid(), null, sm);
                sums[t] = sm[0];
                out[t] = sm[0] > 0 ? kernels.ks2(ref, offRef, m, 0, w, h) : Double.NaN;
            }
        }
        return out;
    }

    static int argmin(double[] ks, double[] betas) {
        int best = -1;
        for (int t = 0; t < ks.length; t++)
            if (!Double.isNaN(ks[t]) && (best < 0 || ks[t] < ks[best] || (ks[t] == ks[best] && betas[t] < betas[best])))
                best = t;
        return best;
    }

    static void check(
            SitePositions s,
            int k,
            int site,
            int w,
            int h,
            double[] betas,
            double truthBeta,
            long blockBytes,
            String what) {
        GridSpec g = rasterAround(s, site, w, h, 4);
        try (KnnRaster r = knn(s, g, k + 1)) {
            int c0 = 5, r0 = 2;
            try (GridBuffer ref = truth(s, r, site, c0, r0, w, h, truthBeta, site * 31L + k)) {
                double[] slowSums = new double[betas.length],
                        sums = new double[betas.length],
                        ks = new double[betas.length];
                double[] slow = oneAtATime(s, r, k, site, c0, r0, w, h, betas, ref, 3, slowSums);
                SpdiSweep.run(kernels, s, r, k, new BetaSweep(site, c0, r0, w, h, betas), ref, 3, ks, sums, blockBytes);
                for (int t = 0; t < betas.length; t++) {
                    String at = what + " beta " + betas[t];
                    assertEquals(slow[t], ks[t], 1e-5, at + ": KS2");
                    assertEquals(slowSums[t], sums[t], 1e-6 * slowSums[t], at + ": sum");
                }
                int a = argmin(slow, betas), b = argmin(ks, betas);
                assertEquals(betas[a], betas[b], 0.0, what + ": beta* of the batched path");
            }
        }
    }

    @Test
    void defaultGridMatchesOneAtATimeOnRandomWindows() {
        SitePositions s = clustered(3, 120, 30_000);
        for (int site : new int[] {0, 17, 64})
            check(s, 5, site, 61, 47, GRID, 1.7 + site % 3, SpdiSweep.BLOCK_BYTES, "site " + site);
    }

    @Test
    void severalBlocksAndOtherK() {
        SitePositions s = clustered(5, 60, 20_000);
        // blocks of 7 maps: the stepped a_j must carry over from block to block
        check(s, 5, 3, 40, 40, GRID, 3.2, 7L * 4 * 40 * 40, "blocks of 7");
        check(s, 1, 9, 33, 29, GRID, 2.0, SpdiSweep.BLOCK_BYTES, "k=1");
        check(s, 3, 9, 33, 29, GRID, 4.1, 5L * 4 * 33 * 29, "k=3");
        check(s, 8, 11, 30, 26, GRID, 1.1, SpdiSweep.BLOCK_BYTES, "k=8");
    }

    @Test
    void listOfBetasInAnyOrderUsesExp() {
        SitePositions s = clustered(9, 80, 25_000);
        double[] list = {3.0, 0.7, 2.2, 5.5, 0.1, 2.2000001, 9.0};
        assertTrue(Double.isNaN(new BetaSweep(0, 0, 0, 1, 1, list).uniformStep()));
        check(s, 5, 7, 45, 38, list, 2.2, SpdiSweep.BLOCK_BYTES, "list");
        check(s, 5, 7, 45, 38, list, 2.2, 3L * 4 * 45 * 38, "list, blocks of 3");
        check(s, 5, 7, 45, 38, new double[] {2.5}, 2.2, SpdiSweep.BLOCK_BYTES, "one beta");
    }

    @Test
    void smallInventoriesPadAndLoneSiteIsUniform() {
        SitePositions three = new SitePositions(new double[] {1000, 3000, 2200}, new double[] {1000, 1500, 4000});
        check(three, 5, 1, 30, 30, GRID, 2.0, SpdiSweep.BLOCK_BYTES, "3 sites, k=5");
        SitePositions one = new SitePositions(new double[] {1234}, new double[] {5678});
        check(one, 5, 0, 20, 20, new double[] {0.5, 1, 1.5}, 2.0, SpdiSweep.BLOCK_BYTES, "1 site");
        GridSpec g = rasterAround(one, 0, 20, 20, 0);
        try (KnnRaster r = knn(one, g, 6);
                GridBuffer ref = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, 400)) {
            ref.fill(1f / 400);
            double[] ks = new double[2], sums = new double[2];
            kernels.spdiBetaSweep(one, r, 5, new BetaSweep(0, 0, 0, 20, 20, new double[] {1, 2}), ref, 0, ks, sums);
            assertEquals(400.0, sums[0], 0.0, "a lone site's P(i|l) is 1 everywhere");
            assertEquals(0.0, ks[1], 1e-7, "and its map is uniform");
        }
    }

    @Test
    void matchesFloat64BruteForce() {
        SitePositions s = clustered(11, 40, 6_000);
        int site = 4, w = 12, h = 10;
        GridSpec sq = GridSpec.window(s.x()[site], s.y()[site], w, 100);
        GridSpec win = new GridSpec(sq.x0(), sq.y0(), 100, w, h);
        double[] betas = {0.3, 1.0, 2.35, 4.0, 6.0};
        try (KnnRaster r = knn(s, win, 6)) {
            try (GridBuffer ref = truth(s, r, site, 0, 0, w, h, 2.0, 1)) {
                double[] truth = new double[w * h];
                for (int p = 0; p < truth.length; p++) truth[p] = ref.getFloat(3 + p);
                double[] want = Reference.betaSweepKs2(s, site, win, betas, 5, truth);
                double[] ks = new double[betas.length], sums = new double[betas.length];
                kernels.spdiBetaSweep(s, r, 5, new BetaSweep(site, 0, 0, w, h, betas), ref, 3, ks, sums);
                for (int t = 0; t < betas.length; t++) assertEquals(want[t], ks[t], 1e-5, "beta " + betas[t]);
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        SitePositions s = clustered(3, 20, 10_000);
        GridSpec g = rasterAround(s, 0, 10, 10, 0);
        try (KnnRaster r = knn(s, g, 6);
                GridBuffer ref = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, 100)) {
            double[] o = new double[2];
            assertThrows(IllegalArgumentException.class, () -> new BetaSweep(0, 0, 0, 10, 10, new double[0]));
            assertThrows(IllegalArgumentException.class, () -> new BetaSweep(0, 0, 0, 10, 10, new double[] {1, -2}));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> kernels.spdiBetaSweep(
                            s, r, 6, new BetaSweep(0, 0, 0, 10, 10, new double[] {1, 2}), ref, 0, o, o.clone()));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> kernels.spdiBetaSweep(
                            s, r, 5, new BetaSweep(0, 4, 0, 10, 10, new double[] {1, 2}), ref, 0, o, o.clone()));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> kernels.spdiBetaSweep(
                            s, r, 5, new BetaSweep(0, 0, 0, 10, 10, new double[] {1, 2}), ref, 1, o, o.clone()));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> kernels.spdiBetaSweep(
                            s, r, 5, new BetaSweep(0, 0, 0, 10, 10, new double[] {1, 2, 3}), ref, 0, o, o.clone()));
        }
    }
}
