package org.geomend.conformance;

import static org.geomend.conformance.TestBackends.ALLOCATOR;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.geomend.kernels.BetaSweep;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Reference;
import org.geomend.kernels.SitePositions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GeoKernels#spdiBetaSweep} of every backend that starts here: KS2 per beta equal (1e-5) to the backend's own
 * one-at-a-time path ({@code spdiMaps + normalize + ks2}), to the float64 brute force (sPDI of {@link Reference} on the
 * raster's pixel centres, brute-force KS2) and, for CUDA, to the Java backend; the same beta* everywhere.
 */
class SweepConformanceTest {

    static final double[] BETAS = {0.1, 0.55, 1.0, 1.45, 1.9, 2.35, 2.8, 3.25, 3.7, 4.15, 4.6, 5.05, 5.5, 5.95};
    static final int WIN = ConformanceTest.WIN;

    /** A normalised reference for the window: the site's float64 sPDI at beta 2 times seeded noise. */
    static float[] truth(SitePositions s, int site, int c0, int r0, long seed) {
        double[] m = ConformanceTest.reference(s, site, c0, r0, 2.0, 5, false);
        Random rnd = new Random(seed);
        double sum = 0;
        for (int p = 0; p < m.length; p++) {
            m[p] *= 0.3 + 1.4 * rnd.nextDouble() + 1e-9;
            sum += m[p];
        }
        float[] f = new float[m.length];
        for (int p = 0; p < m.length; p++) f[p] = (float) (sum > 0 ? m[p] / sum : 1.0 / m.length);
        return f;
    }

    static int argmin(double[] ks) {
        int b = -1;
        for (int t = 0; t < ks.length; t++) if (!Double.isNaN(ks[t]) && (b < 0 || ks[t] < ks[b])) b = t;
        return b;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("org.geomend.conformance.ConformanceTest#backendsAndInventories")
    void sweepMatchesOneAtATimeAndReference(String backend, Inventories inv) {
        GeoKernels k = TestBackends.get(backend);
        GeoKernels java = TestBackends.get("java");
        SitePositions s = inv.sites();
        ConformanceTest.Windows w = ConformanceTest.windows(s);
        try (KnnRaster r = ConformanceTest.knn(k, s, Inventories.RASTER, 6);
                GridBuffer ref = GridBuffer.allocate(ALLOCATOR, GridBuffer.Type.FLOAT32, (long) WIN * WIN + 2);
                GridBuffer one = GridBuffer.allocate(ALLOCATOR, GridBuffer.Type.FLOAT32, (long) WIN * WIN)) {
            for (int m = 0; m < w.site().length; m++) {
                int site = w.site()[m], c0 = w.col0()[m], r0 = w.row0()[m];
                String what = backend + " " + inv + " window " + m;
                float[] t = truth(s, site, c0, r0, 17L * m + inv.name().length());
                ref.copyFrom(t, 2);
                double[] ks = new double[BETAS.length], sums = new double[BETAS.length];
                BetaSweep sw = new BetaSweep(site, c0, r0, WIN, WIN, BETAS);
                k.spdiBetaSweep(s, r, 5, sw, ref, 2, ks, sums);
                double[] slow = new double[BETAS.length], truthD = new double[t.length];
                for (int p = 0; p < t.length; p++) truthD[p] = t[p];
                for (int b = 0; b < BETAS.length; b++) {
                    MapBatch batch = new MapBatch(
                            1,
                            WIN,
                            WIN,
                            new int[] {site},
                            new int[] {c0},
                            new int[] {r0},
                            new double[] {BETAS[b]},
                            one);
                    k.spdiMaps(s, r, 5, batch);
                    double[] sm = new double[1];
                    k.normalize(batch, Inventories.RASTER, null, sm);
                    slow[b] = k.ks2(ref, 2, one, 0, WIN, WIN);
                    assertEquals(sm[0], sums[b], 1e-6 * Math.max(1e-300, sm[0]), what + " beta " + BETAS[b] + ": sum");
                    assertEquals(slow[b], ks[b], 1e-5, what + " beta " + BETAS[b] + ": KS2 vs one at a time");
                    double[] refMap =
                            Reference.normalise(ConformanceTest.reference(s, site, c0, r0, BETAS[b], 5, false), null);
                    if (sm[0] > 1e-6) // far from its window a site's float64 literal sum is cancellation noise (see
                        // ConformanceTest)
                        assertEquals(
                                Reference.ks2(refMap, truthD, WIN, WIN),
                                ks[b],
                                1e-5,
                                what + " beta " + BETAS[b] + ": KS2 vs float64 brute force");
                }
                assertEquals(argmin(slow), argmin(ks), what + ": beta*");
                if (!backend.equals("java")) {
                    double[] jk = new double[BETAS.length], js = new double[BETAS.length];
                    try (KnnRaster jr = ConformanceTest.knn(java, s, Inventories.RASTER, 6)) {
                        java.spdiBetaSweep(s, jr, 5, sw, ref, 2, jk, js);
                    }
                    for (int b = 0; b < BETAS.length; b++)
                        assertEquals(jk[b], ks[b], 1e-5, what + " beta " + BETAS[b] + ": vs java");
                    assertEquals(argmin(jk), argmin(ks), what + ": beta* vs java");
                }
            }
        }
    }
}
