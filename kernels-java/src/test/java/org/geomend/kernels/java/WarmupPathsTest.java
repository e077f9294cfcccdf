package org.geomend.kernels.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scalar mirrors that run while the Vector API passes warm up ({@link Warmup}) against those passes: the same
 * neighbour raster, bit for bit; the same sPDI maps bit for bit for integer betas up to 6 and half-integer betas up to 3
 * (multiplications and square roots only), within a few float32 ulps for the others ({@code Math.log} / {@code Math.exp} against the
 * lanewise {@code LOG} / {@code EXP}).
 */
class WarmupPathsTest {

    static BufferAllocator alloc;
    static JavaKernels kernels;

    @BeforeAll
    static void setUp() {
        alloc = Memory.child("WarmupPathsTest");
        kernels = new JavaKernels(2);
    }

    @AfterAll
    static void tearDown() {
        kernels.close();
        alloc.close();
    }

    @AfterEach
    void adapt() {
        Warmup.only = null;
    }

    static SitePositions inventory(long seed, int n, double extent) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            boolean cluster = i % 2 == 0;
            x[i] = cluster ? extent * 0.4 + r.nextDouble(extent * 0.1) : r.nextDouble(extent);
            y[i] = cluster ? extent * 0.5 + r.nextDouble(extent * 0.1) : r.nextDouble(extent);
            if (i % 7 == 6) { // a co-located copy and an exact lattice position: ties
                x[i] = x[i - 1];
                y[i] = y[i - 1];
            } else if (i % 11 == 10) {
                x[i] = 100.0 * Math.round(x[i] / 100);
                y[i] = 100.0 * Math.round(y[i] / 100);
            }
        }
        return new SitePositions(x, y);
    }

    /** The raster (kk = 9) and the maps of {@code ids} for {@code betas}, k = 1..8, by one path. */
    static int[] run(boolean vector, SitePositions s, GridSpec g, int[] ids, int w, double[] betas, float[][][] maps) {
        Warmup.only = vector;
        int kk = 9;
        try (KnnRaster knn = new KnnRaster(g, kk, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, g.pixels() * kk));
                GridBuffer buf = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, (long) ids.length * w * w)) {
            kernels.nearestSites(s, knn);
            int[] raster = new int[(int) g.pixels() * kk];
            for (int i = 0; i < raster.length; i++)
                raster[i] = knn.idx().segment().getAtIndex(GridBuffer.I32, i);
            int[] c0 = new int[ids.length], r0 = new int[ids.length];
            for (int m = 0; m < ids.length; m++) {
                GridSpec win = GridSpec.window(s.x()[ids[m]], s.y()[ids[m]], w, g.resolution());
                c0[m] = g.colOffsetOf(win);
                r0[m] = g.rowOffsetOf(win);
            }
            for (int b = 0; b < betas.length; b++)
                for (int k = 1; k <= 8; k++) {
                    double[] beta = new double[ids.length];
                    java.util.Arrays.fill(beta, betas[b]);
                    MapBatch batch = new MapBatch(ids.length, w, w, ids, c0, r0, beta, buf);
                    kernels.spdiMaps(s, knn, k, batch);
                    maps[b * 8 + k - 1] = new float[ids.length][];
                    for (int m = 0; m < ids.length; m++)
                        maps[b * 8 + k - 1][m] = buf.toFloatArray(batch.offset(m), w * w);
                }
            return raster;
        }
    }

    @Test
    void scalarMirrorsGiveTheVectorPassesResults() {
        double res = 100;
        int w = 37; // not a multiple of the vector length: padding lanes
        // 7 and 31.5 (r^n with n > 6 is exp(n ln r)) use LOG / EXP like the transcendental betas
        double[] exact = {0.5, 1, 2, 2.5, 3, 3.5, 4, 5, 6}, other = {0.1, 1.3, 3.7, 7, 31.5};
        for (SitePositions s : new SitePositions[] {
            inventory(3, 120, 9_000), new SitePositions(new double[] {1000, 1000, 2600}, new double[] {1200, 1200, 900})
        }) {
            GridSpec g = new GridSpec(-1_000, -1_000, res, 120, 110);
            int[] ids = s.size() > 3 ? new int[] {0, 6, 13, 40} : new int[] {0, 2};
            for (double[] betas : new double[][] {exact, other}) {
                float[][][] vec = new float[betas.length * 8][][], sca = new float[betas.length * 8][][];
                int[] rv = run(true, s, g, ids, w, betas, vec), rs = run(false, s, g, ids, w, betas, sca);
                assertArrayEquals(rv, rs, "neighbour raster");
                for (int i = 0; i < vec.length; i++)
                    for (int m = 0; m < ids.length; m++) {
                        String what = "beta " + betas[i / 8] + " k " + (i % 8 + 1) + " map " + m;
                        if (betas == exact) assertArrayEquals(vec[i][m], sca[i][m], what);
                        else
                            for (int p = 0; p < vec[i][m].length; p++)
                                assertEquals(vec[i][m][p], sca[i][m][p], 1e-6 * Math.max(1e-3, vec[i][m][p]), what);
                    }
            }
        }
    }

    @Test
    void theVectorPassIsChosenOnceItIsFaster() {
        Warmup w = new Warmup("test");
        for (int u = 0; u < 1000; u++) {
            assertTrue(!w.vector(), "no vector unit before " + Warmup.START_NS + " ns of scalar units");
            w.scalarTook(Warmup.START_NS / 1000);
        }
        int vector = 0;
        for (int u = 0; u < 40 * Warmup.EVERY; u++)
            if (w.vector()) {
                vector++;
                w.vectorTook(u == 0 ? 1_000_000_000 : 2_000_000); // interpreted, then C1 with boxed vectors
            } else w.scalarTook(u < 8 ? 5_000_000 : 500_000); // the mirror compiles at once
        assertEquals(40, vector);
        assertTrue(!w.hot(), w.toString());
        w.vectorTook(100_000);
        w.vectorTook(100_000);
        w.vectorTook(600_000); // preempted: not yet
        for (int u = 0; u < Warmup.RECENT - 1; u++) w.vectorTook(100_000);
        assertTrue(!w.hot(), w.toString());
        w.vectorTook(100_000);
        assertTrue(w.hot(), w.toString());
        assertTrue(w.vector());
    }
}
