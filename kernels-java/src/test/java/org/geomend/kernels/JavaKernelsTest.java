package org.geomend.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.java.JavaKernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java backend against the float64 brute-force references of {@link Reference}. */
class JavaKernelsTest {

    static BufferAllocator alloc;
    static JavaKernels kernels;

    @BeforeAll
    static void setUp() {
        alloc = Memory.child("JavaKernelsTest");
        kernels = new JavaKernels(2);
    }

    @AfterAll
    static void tearDown() {
        kernels.close();
        alloc.close();
    }

    static SitePositions random(long seed, int n, double extent) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble(extent);
            y[i] = r.nextDouble(extent);
        }
        return new SitePositions(x, y);
    }

    static SitePositions clustered(long seed, int n, double extent) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n], y = new double[n];
        double[][] c = {{0.3, 0.3}, {0.7, 0.6}, {0.5, 0.9}};
        for (int i = 0; i < n; i++) {
            double[] cc = c[i % 3];
            x[i] = cc[0] * extent + gauss(r) * extent * 0.04;
            y[i] = cc[1] * extent + gauss(r) * extent * 0.04;
        }
        return new SitePositions(x, y);
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Raster covering the window of every listed site. */
    static GridSpec rasterFor(SitePositions s, int[] ids, int w, double res) {
        long c0 = Long.MAX_VALUE, r0 = Long.MAX_VALUE, c1 = Long.MIN_VALUE, r1 = Long.MIN_VALUE;
        for (int i : ids) {
            GridSpec win = GridSpec.window(s.x()[i], s.y()[i], w, res);
            c0 = Math.min(c0, win.latticeCol());
            r0 = Math.min(r0, win.latticeRow());
            c1 = Math.max(c1, win.latticeCol() + w);
            r1 = Math.max(r1, win.latticeRow() + w);
        }
        return new GridSpec(c0 * res, r0 * res, res, (int) (c1 - c0), (int) (r1 - r0));
    }

    static float[][] maps(
            SitePositions s, int[] ids, int w, double res, double beta, int k, boolean voronoi, double[] sums) {
        GridSpec raster = rasterFor(s, ids, w, res);
        try (KnnRaster knn = new KnnRaster(
                        raster, k + 1, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, raster.pixels() * (k + 1)));
                GridBuffer mapsBuf = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, (long) ids.length * w * w)) {
            kernels.nearestSites(s, knn);
            int[] c0 = new int[ids.length], r0 = new int[ids.length];
            double[] betas = new double[ids.length];
            for (int m = 0; m < ids.length; m++) {
                GridSpec win = GridSpec.window(s.x()[ids[m]], s.y()[ids[m]], w, res);
                c0[m] = raster.colOffsetOf(win);
                r0[m] = raster.rowOffsetOf(win);
                betas[m] = beta;
            }
            MapBatch b = new MapBatch(ids.length, w, w, ids, c0, r0, betas, mapsBuf);
            if (voronoi) kernels.voronoiMaps(knn, b);
            else kernels.spdiMaps(s, knn, k, b);
            kernels.normalize(b, raster, null, sums);
            float[][] out = new float[ids.length][];
            for (int m = 0; m < ids.length; m++) out[m] = mapsBuf.toFloatArray(b.offset(m), w * w);
            return out;
        }
    }

    @Test
    void nearestSitesMatchesBruteForce() {
        for (SitePositions s :
                new SitePositions[] {random(1, 300, 20_000), clustered(2, 200, 20_000), random(3, 4, 5_000)}) {
            GridSpec g = new GridSpec(-3_000, -2_000, 100, 270, 250);
            int kk = 6;
            try (KnnRaster knn =
                    new KnnRaster(g, kk, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, g.pixels() * kk))) {
                kernels.nearestSites(s, knn);
                for (int r = 0; r < g.height(); r += 7)
                    for (int c = 0; c < g.width(); c += 3) {
                        int[] ref = Reference.nearest(s, g.centreX(c), g.centreY(r), kk);
                        for (int t = 0; t < kk; t++)
                            assertEquals(ref[t], knn.get(r, c, t), "pixel " + r + "," + c + " rank " + t);
                    }
            }
        }
    }

    @Test
    void tiesGoToTheLowerIndex() {
        // two sites symmetric about a column of pixel centres: equal distances on that column
        SitePositions s = new SitePositions(new double[] {1050 + 300, 1050 - 300}, new double[] {1000, 1000});
        GridSpec g = new GridSpec(0, 0, 100, 21, 21);
        try (KnnRaster knn = new KnnRaster(g, 2, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, g.pixels() * 2))) {
            kernels.nearestSites(s, knn);
            for (int r = 0; r < 21; r++) {
                assertEquals(0, knn.get(r, 10, 0));
                assertEquals(1, knn.get(r, 10, 1));
            }
        }
    }

    /**
     * Exact ties everywhere: sites on the pixel-centre lattice (offset by half a pixel, so many pixel centres are
     * equidistant to several of them) and co-located pairs, in a shuffled index order. Every pixel's list must be
     * the (squared distance, index) order: a rule that sends ties to the higher index, or keeps them in scan order
     * of a spatial index, fails on the pixels counted in {@code tied}.
     */
    @Test
    void exactTiesGoToTheLowerIndexAtEveryRank() {
        SplittableRandom rnd = new SplittableRandom(9);
        int n = 200;
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            if (i % 5 == 4) { // a co-located copy of an earlier site
                int j = rnd.nextInt(i);
                x[i] = x[j];
                y[i] = y[j];
            } else {
                x[i] = 100.0 * rnd.nextInt(-5, 65);
                y[i] = 100.0 * rnd.nextInt(-5, 55);
            }
        }
        SitePositions s = new SitePositions(x, y);
        GridSpec g = new GridSpec(-50, -50, 100, 61, 51);
        int kk = 9, tied = 0;
        try (KnnRaster knn = new KnnRaster(g, kk, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, g.pixels() * kk))) {
            kernels.nearestSites(s, knn);
            Integer[] order = new Integer[n];
            double[] d = new double[n];
            for (int r = 0; r < g.height(); r++)
                for (int c = 0; c < g.width(); c++) {
                    double px = g.centreX(c), py = g.centreY(r);
                    for (int i = 0; i < n; i++) {
                        double dx = px - x[i], dy = py - y[i];
                        d[i] = dx * dx + dy * dy;
                        order[i] = i;
                    }
                    java.util.Arrays.sort(order, (a, b) -> d[a] != d[b] ? Double.compare(d[a], d[b]) : a - b);
                    for (int t = 0; t < kk; t++) {
                        assertEquals(order[t], knn.get(r, c, t), "pixel " + r + "," + c + " rank " + t);
                        if (t > 0 && d[order[t]] == d[order[t - 1]]) tied++;
                    }
                }
        }
        assertTrue(tied > 3_000, "the layout must produce ties: " + tied);
    }

    /**
     * Betas whose a_j leave the range of the vector path's shared divisions (a_j > 1e30 near the site) and every
     * power case of it (integer, half-integer, beyond 6, transcendental): pixels fall back to the scalar definition.
     */
    @Test
    void spdiWithSteepBetasMatchesReference() {
        SitePositions s = random(77, 40, 6_000);
        int w = 24;
        int[] ids = {0, 5};
        for (double beta : new double[] {1, 2.5, 3, 7, 12.5, 20, 31.3}) {
            double[] sums = new double[ids.length];
            float[][] got = maps(s, ids, w, 100, beta, 4, false, sums);
            for (int m = 0; m < ids.length; m++) {
                GridSpec win = GridSpec.window(s.x()[ids[m]], s.y()[ids[m]], w, 100);
                double l1 = Reference.l1(Reference.spdiMap(s, ids[m], win, beta, 4, null), got[m]);
                assertTrue(l1 <= 1e-4, "beta=" + beta + " site " + ids[m] + ": L1 " + l1);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void spdiMatchesFloat64ReferenceForEveryK(int k) {
        SitePositions s = random(10 + k, 60, 8_000);
        int w = 30;
        int[] ids = {0, 7, 33};
        for (double beta : new double[] {0.1, 0.75, 2, 4.5, 6}) {
            double[] sums = new double[ids.length];
            float[][] got = maps(s, ids, w, 100, beta, k, false, sums);
            for (int m = 0; m < ids.length; m++) {
                GridSpec win = GridSpec.window(s.x()[ids[m]], s.y()[ids[m]], w, 100);
                double[] ref = Reference.spdiMap(s, ids[m], win, beta, k, null);
                double l1 = Reference.l1(ref, got[m]);
                assertTrue(l1 <= 1e-4, "k=" + k + " beta=" + beta + " site " + ids[m] + ": L1 " + l1);
                double sum = 0;
                for (float v : got[m]) sum += v;
                assertEquals(1.0, sum, 1e-5);
            }
        }
    }

    @Test
    void spdiOnClusteredSingleAndColocatedInventories() {
        int w = 25;
        SitePositions[] cases = {
            clustered(5, 90, 10_000),
            new SitePositions(new double[] {500}, new double[] {700}),
            new SitePositions(new double[] {1000, 1000.5, 3000, 200}, new double[] {1000, 1000, 2500, 2900}),
            // site 0 sits exactly at the edge of its own window's neighbours: others far outside the window
            new SitePositions(new double[] {0, 40_000, -35_000, 0}, new double[] {0, 0, 10_000, -90_000}),
        };
        for (SitePositions s : cases) {
            int[] ids = s.size() >= 2 ? new int[] {0, 1} : new int[] {0};
            for (int k : new int[] {1, 5}) {
                float[][] got = maps(s, ids, w, 100, 2.0, k, false, new double[ids.length]);
                for (int m = 0; m < ids.length; m++) {
                    GridSpec win = GridSpec.window(s.x()[ids[m]], s.y()[ids[m]], w, 100);
                    double l1 = Reference.l1(Reference.spdiMap(s, ids[m], win, 2.0, k, null), got[m]);
                    assertTrue(l1 <= 1e-4, s + " k=" + k + ": L1 " + l1);
                }
            }
        }
    }

    @Test
    void voronoiMatchesReference() {
        SitePositions s = clustered(7, 120, 12_000);
        int w = 40;
        int[] ids = {0, 1, 2, 50};
        float[][] got = maps(s, ids, w, 100, 0, 1, true, new double[ids.length]);
        for (int m = 0; m < ids.length; m++) {
            GridSpec win = GridSpec.window(s.x()[ids[m]], s.y()[ids[m]], w, 100);
            assertTrue(Reference.l1(Reference.voronoiMap(s, ids[m], win, null), got[m]) <= 1e-6);
        }
    }

    @Test
    void subsetSumIsTheRayleighProbability() {
        // k = 1: P = a / (1 + a); k = 2: 1 - 1/(1+a) - 1/(1+b) + 1/(1+a+b)
        double[] s = new double[256];
        assertEquals(0.75, JavaKernels.subsetSum(new double[] {3}, 1, s), 1e-15);
        double a = 0.4, b = 2.5;
        assertEquals(
                1 - 1 / (1 + a) - 1 / (1 + b) + 1 / (1 + a + b),
                JavaKernels.subsetSum(new double[] {a, b}, 2, s),
                1e-15);
        // all equal a_j = 1 among k others: i is one of k+1 identical stations, P = 1 / (k + 1)
        for (int k = 1; k <= 8; k++) {
            double[] ones = new double[k];
            java.util.Arrays.fill(ones, 1.0);
            assertEquals(1.0 / (k + 1), JavaKernels.subsetSum(ones, k, s), 1e-12, "k=" + k);
        }
        assertEquals(1.0, JavaKernels.subsetSum(new double[0], 0, s));
    }

    @Test
    void ks2MatchesBruteForce() {
        SplittableRandom r = new SplittableRandom(42);
        int w = 13, h = 11;
        for (int trial = 0; trial < 20; trial++) {
            double[] p = new double[w * h], q = new double[w * h];
            for (int i = 0; i < p.length; i++) {
                p[i] = trial % 3 == 0 && r.nextDouble() < 0.6 ? 0 : r.nextDouble();
                q[i] = r.nextDouble() * r.nextDouble();
            }
            Reference.normalise(p, null);
            Reference.normalise(q, null);
            try (GridBuffer bp = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, p.length);
                    GridBuffer bq = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, q.length)) {
                double[] pf = new double[p.length], qf = new double[q.length];
                for (int i = 0; i < p.length; i++) {
                    bp.setFloat(i, (float) p[i]);
                    bq.setFloat(i, (float) q[i]);
                    pf[i] = (float) p[i];
                    qf[i] = (float) q[i];
                }
                assertEquals(Reference.ks2(pf, qf, w, h), kernels.ks2(bp, 0, bq, 0, w, h), 1e-9);
            }
        }
    }

    @Test
    void ks2OfIdenticalIsZeroAndOfDisjointIsOne() {
        try (GridBuffer p = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, 100);
                GridBuffer q = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, 100)) {
            p.setFloat(0, 1f);
            q.setFloat(99, 1f);
            assertEquals(1.0, kernels.ks2(p, 0, q, 0, 10, 10), 1e-12);
            assertEquals(0.0, kernels.ks2(p, 0, p, 0, 10, 10), 1e-12);
        }
    }

    @Test
    void ks2BatchEqualsOneAtATime() {
        SplittableRandom r = new SplittableRandom(9);
        int w = 17, h = 9, n = 5;
        try (GridBuffer ref = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, w * h);
                GridBuffer cands = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, (long) n * w * h)) {
            for (int i = 0; i < w * h; i++) ref.setFloat(i, (float) r.nextDouble() / (w * h));
            for (int i = 0; i < n * w * h; i++) cands.setFloat(i, (float) r.nextDouble() / (w * h));
            double[] out = new double[n];
            kernels.ks2Batch(ref, 0, cands, n, w, h, out);
            double[] one = new double[n];
            for (int m = 0; m < n; m++) one[m] = kernels.ks2(ref, 0, cands, (long) m * w * h, w, h);
            assertArrayEquals(one, out, 0);
        }
    }

    @Test
    void normalizeAppliesTheMask() {
        GridSpec raster = new GridSpec(0, 0, 100, 6, 6);
        try (GridBuffer maps = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, 16);
                GridBuffer mask = GridBuffer.allocate(alloc, GridBuffer.Type.UINT8, 36)) {
            maps.fill(1f);
            for (int r = 0; r < 6; r++) for (int c = 0; c < 3; c++) mask.setByte(r * 6 + c, (byte) 1);
            MapBatch b = new MapBatch(1, 4, 4, new int[] {0}, new int[] {1}, new int[] {2}, new double[] {0}, maps);
            double[] sums = new double[1];
            kernels.normalize(b, raster, mask, sums);
            assertEquals(8.0, sums[0]); // columns 1, 2 of the raster are inside: 2 columns x 4 rows
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 4; c++) assertEquals(c < 2 ? 0.125f : 0f, maps.getFloat(r * 4 + c));
        }
    }
}
