package org.geomend.conformance;

import static org.geomend.conformance.TestBackends.ALLOCATOR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Reference;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.java.JavaKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel of every backend that starts here against the float64 references (SPEC sections 1-3).
 *
 * <p>sPDI maps of a site far from its window carry a total mass near 1e-11, where the literal float64
 * evaluation of {@link Reference#spdiProbability} (2^k signed terms) loses most digits to cancellation. A
 * map that misses that reference by more than 1e-4 is therefore checked again, against the same formula
 * evaluated in 40-digit decimal arithmetic ({@link #exactProbability}); it must meet 1e-4 there.
 */
class ConformanceTest {

    static final double[] BETAS = {0.1, 0.5, 1.0, 2.0, 3.5, 6.0};
    static final int WIN = 25;

    static Stream<Arguments> backendsAndInventories() {
        List<Inventories> inv = Inventories.all();
        return TestBackends.names().flatMap(b -> inv.stream().map(i -> Arguments.of(b, i)));
    }

    static Stream<String> backends() {
        return TestBackends.names();
    }

    static Stream<Arguments> backendsAndAllInventories() {
        List<Inventories> inv = new ArrayList<>(Inventories.all());
        inv.add(Inventories.dense());
        return TestBackends.names().flatMap(b -> inv.stream().map(i -> Arguments.of(b, i)));
    }

    static KnnRaster knn(GeoKernels k, SitePositions s, GridSpec g, int kk) {
        KnnRaster r = new KnnRaster(g, kk, GridBuffer.allocate(ALLOCATOR, GridBuffer.Type.INT32, g.pixels() * kk));
        k.nearestSites(s, r);
        return r;
    }

    // ---------------------------------------------------------------- nearest sites

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndAllInventories")
    void nearestSitesEqualReference(String backend, Inventories inv) {
        GeoKernels k = TestBackends.get(backend);
        SitePositions s = inv.sites();
        GridSpec odd = new GridSpec(Inventories.RASTER.x0() - 300, Inventories.RASTER.y0() + 700, 100.0, 37, 23);
        for (GridSpec g : List.of(Inventories.RASTER, odd))
            for (int kk : new int[] {1, 2, 5, 9})
                try (KnnRaster r = knn(k, s, g, kk)) {
                    for (int row = 0; row < g.height(); row++)
                        for (int c = 0; c < g.width(); c++) {
                            int[] want = Reference.nearest(s, g.centreX(c), g.centreY(row), kk);
                            int[] got = new int[kk];
                            for (int n = 0; n < kk; n++) got[n] = r.get(row, c, n);
                            int row_ = row, c_ = c;
                            assertArrayEquals(
                                    want,
                                    got,
                                    () -> inv + " kk=" + kk + " pixel (row " + row_ + ", col " + c_ + ") of " + g);
                        }
                }
    }

    // ---------------------------------------------------------------- maps

    /** Per-map site and window origin (col0, row0) in the raster. */
    record Windows(int[] site, int[] col0, int[] row0) {}

    /**
     * Windows of the batch tests: for sites 0 and n-1, the 25 x 25 window centred on the site as the SPEC
     * places it, clamped into the 40 x 40 raster (so a site outside the raster gets the nearest window),
     * plus the raster's corner windows (0, 0) and (15, 15) for site 0.
     */
    static Windows windows(SitePositions s) {
        GridSpec g = Inventories.RASTER;
        List<int[]> w = new ArrayList<>();
        for (int i : s.size() == 1 ? new int[] {0} : new int[] {0, s.size() - 1}) {
            GridSpec win = GridSpec.window(s.x()[i], s.y()[i], WIN, g.resolution());
            long c = win.latticeCol() - g.latticeCol(), r = win.latticeRow() - g.latticeRow();
            w.add(new int[] {i, (int) Math.clamp(c, 0, g.width() - WIN), (int) Math.clamp(r, 0, g.height() - WIN)});
        }
        w.add(new int[] {0, 0, 0});
        w.add(new int[] {0, g.width() - WIN, g.height() - WIN});
        int n = w.size();
        int[] site = new int[n], c0 = new int[n], r0 = new int[n];
        for (int m = 0; m < n; m++) {
            site[m] = w.get(m)[0];
            c0[m] = w.get(m)[1];
            r0[m] = w.get(m)[2];
        }
        return new Windows(site, c0, r0);
    }

    /** Unnormalised float64 reference map on the raster's own pixel centres. */
    static double[] reference(SitePositions s, int site, int col0, int row0, double beta, int k, boolean voronoi) {
        GridSpec g = Inventories.RASTER;
        double[] m = new double[WIN * WIN];
        for (int r = 0; r < WIN; r++)
            for (int c = 0; c < WIN; c++) {
                double px = g.centreX(col0 + c), py = g.centreY(row0 + r);
                m[r * WIN + c] = voronoi
                        ? (Reference.nearest(s, px, py, 1)[0] == site ? 1 : 0)
                        : Reference.spdiProbability(s, site, px, py, beta, k);
            }
        return m;
    }

    /** {@link Reference#spdiProbability} with the same float64 a_j, the subset sum in 40-digit decimals. */
    static double exactProbability(SitePositions s, int i, double px, double py, double beta, int k) {
        int[] nn = Reference.nearest(s, px, py, k + 1);
        int n = 0;
        int[] c = new int[k];
        for (int j : nn) if (j >= 0 && j != i && n < k) c[n++] = j;
        double di = s.distancePlus1(px, py, i);
        BigDecimal[] a = new BigDecimal[n];
        for (int t = 0; t < n; t++) a[t] = new BigDecimal(Math.pow(s.distancePlus1(px, py, c[t]) / di, beta));
        MathContext mc = new MathContext(40);
        BigDecimal sum = BigDecimal.ZERO;
        for (int v = 0; v < (1 << n); v++) {
            BigDecimal d = BigDecimal.ONE;
            for (int t = 0; t < n; t++) if ((v >> t & 1) != 0) d = d.add(a[t]);
            BigDecimal term = BigDecimal.ONE.divide(d, mc);
            sum = Integer.bitCount(v) % 2 == 0 ? sum.add(term) : sum.subtract(term);
        }
        return Math.min(1, Math.max(0, sum.doubleValue()));
    }

    static double[] exactSpdi(SitePositions s, int site, int col0, int row0, double beta, int k) {
        GridSpec g = Inventories.RASTER;
        double[] m = new double[WIN * WIN];
        for (int r = 0; r < WIN; r++)
            for (int c = 0; c < WIN; c++)
                m[r * WIN + c] = exactProbability(s, site, g.centreX(col0 + c), g.centreY(row0 + r), beta, k);
        return m;
    }

    static boolean[] windowMask(GridBuffer mask, int col0, int row0) {
        boolean[] w = new boolean[WIN * WIN];
        for (int r = 0; r < WIN; r++)
            for (int c = 0; c < WIN; c++)
                w[r * WIN + c] = mask.getByte((long) (row0 + r) * Inventories.RASTER.width() + col0 + c) != 0;
        return w;
    }

    static void assertMap(double[] refUnnormalised, boolean[] mask, MapBatch b, int m, double sum, String what) {
        assertMap(refUnnormalised, null, mask, b, m, sum, what);
    }

    /** {@code exact} (may be null) is the fallback oracle for maps the float64 reference cannot resolve. */
    static void assertMap(
            double[] refUnnormalised,
            Supplier<double[]> exact,
            boolean[] mask,
            MapBatch b,
            int m,
            double sum,
            String what) {
        float[] got = b.maps().toFloatArray(b.offset(m), WIN * WIN);
        if (exact != null && l1Normalised(refUnnormalised, mask, got) > 1e-4) {
            double[] e = exact.get();
            double l1Ref = l1Normalised(refUnnormalised, mask, got);
            double l1 = l1Normalised(e, mask, got);
            assertTrue(l1 <= 1e-4, () -> what + ": L1 " + l1 + " to the exact map (" + l1Ref + " to the float64 one)");
            refUnnormalised = e;
        }
        double[] ref = refUnnormalised.clone();
        double refSum = 0;
        for (int p = 0; p < ref.length; p++) {
            if (mask != null && !mask[p]) ref[p] = 0;
            refSum += ref[p];
        }
        assertEquals(refSum, sum, 1e-6 * Math.max(1, refSum), what + ": sum before normalisation (of float32 values)");
        Reference.normalise(ref, null);
        double l1 = Reference.l1(ref, got);
        assertTrue(l1 <= 1e-4, () -> what + ": L1 " + l1);
        double total = 0;
        for (float v : got) total += v;
        if (refSum > 0) assertEquals(1.0, total, 1e-5, what + ": mass");
        else assertEquals(0.0, total, 0.0, what + ": empty map stays zero");
    }

    static double l1Normalised(double[] refUnnormalised, boolean[] mask, float[] got) {
        return Reference.l1(Reference.normalise(refUnnormalised.clone(), mask), got);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndInventories")
    void voronoiMatchesReference(String backend, Inventories inv) {
        GeoKernels k = TestBackends.get(backend);
        SitePositions s = inv.sites();
        Windows w = windows(s);
        int n = w.site().length;
        try (KnnRaster r = knn(k, s, Inventories.RASTER, 3);
                GridBuffer maps = GridBuffer.allocate(ALLOCATOR, GridBuffer.Type.FLOAT32, (long) n * WIN * WIN)) {
            MapBatch b = new MapBatch(n, WIN, WIN, w.site(), w.col0(), w.row0(), new double[n], maps);
            k.voronoiMaps(r, b);
            double[] sums = new double[n];
            k.normalize(b, Inventories.RASTER, null, sums);
            for (int m = 0; m < n; m++)
                assertMap(
                        reference(s, w.site()[m], w.col0()[m], w.row0()[m], 0, 0, true),
                        null,
                        b,
                        m,
                        sums[m],
                        backend + " " + inv + " voronoi map " + m);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndInventories")
    void spdiMatchesReference(String backend, Inventories inv) {
        GeoKernels k = TestBackends.get(backend);
        SitePositions s = inv.sites();
        Windows w = windows(s);
        int nw = w.site().length, n = nw * BETAS.length;
        int[] site = new int[n], c0 = new int[n], r0 = new int[n];
        double[] beta = new double[n];
        for (int m = 0; m < n; m++) {
            site[m] = w.site()[m % nw];
            c0[m] = w.col0()[m % nw];
            r0[m] = w.row0()[m % nw];
            beta[m] = BETAS[m / nw];
        }
        try (KnnRaster r = knn(k, s, Inventories.RASTER, 9);
                GridBuffer maps = GridBuffer.allocate(ALLOCATOR, GridBuffer.Type.FLOAT32, (long) n * WIN * WIN)) {
            MapBatch b = new MapBatch(n, WIN, WIN, site, c0, r0, beta, maps);
            for (int kN = 1; kN <= 8; kN++) {
                k.spdiMaps(s, r, kN, b);
                double[] sums = new double[n];
                k.normalize(b, Inventories.RASTER, null, sums);
                for (int m = 0; m < n; m++) {
                    int mm = m, kk = kN;
                    assertMap(
                            reference(s, site[m], c0[m], r0[m], beta[m], kN, false),
                            () -> exactSpdi(s, site[mm], c0[mm], r0[mm], beta[mm], kk),
                            null,
                            b,
                            m,
                            sums[m],
                            backend + " " + inv + " sPDI k=" + kN + " beta=" + beta[m] + " map " + m);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void normalizeAppliesMask(String backend) {
        GeoKernels k = TestBackends.get(backend);
        SitePositions s = Inventories.all().get(1).sites();
        Windows w = windows(s);
        int n = w.site().length;
        Random rnd = new Random(7);
        GridSpec g = Inventories.RASTER;
        try (KnnRaster r = knn(k, s, g, 6);
                GridBuffer mask = GridBuffer.allocate(ALLOCATOR, GridBuffer.Type.UINT8, g.pixels());
                GridBuffer maps = GridBuffer.allocate(ALLOCATOR, GridBuffer.Type.FLOAT32, (long) n * WIN * WIN)) {
            for (long p = 0; p < g.pixels(); p++)
                mask.setByte(p, (byte) (rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(200)));
            double[] beta = new double[n];
            java.util.Arrays.fill(beta, 3.0);
            MapBatch b = new MapBatch(n, WIN, WIN, w.site(), w.col0(), w.row0(), beta, maps);
            k.spdiMaps(s, r, 5, b);
            double[] sums = new double[n];
            k.normalize(b, g, mask, sums);
            for (int m = 0; m < n; m++) {
                boolean[] wm = windowMask(mask, w.col0()[m], w.row0()[m]);
                assertMap(
                        reference(s, w.site()[m], w.col0()[m], w.row0()[m], 3.0, 5, false),
                        wm,
                        b,
                        m,
                        sums[m],
                        backend + " masked map " + m);
                float[] got = b.maps().toFloatArray(b.offset(m), WIN * WIN);
                for (int p = 0; p < got.length; p++) if (!wm[p]) assertEquals(0f, got[p], "masked pixel " + p);
            }
        }
    }

    // ---------------------------------------------------------------- KS2

    static final int[][] KS2_SIZES = {{13, 11}, {1, 1}, {1, 7}, {7, 1}, {33, 5}, {40, 70}, {65, 129}};

    /** Pairs of maps of every kind: random, peaked, shifted mass, identical. Each normalised. */
    static List<float[][]> ks2Pairs(int w, int h, Random rnd) {
        int n = w * h;
        List<float[][]> out = new ArrayList<>();
        float[] a = new float[n], b = new float[n], c = new float[n], d = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat();
            b[i] = rnd.nextFloat() * rnd.nextFloat();
        }
        c[rnd.nextInt(n)] = 1;
        d[rnd.nextInt(n)] = 0.5f;
        d[rnd.nextInt(n)] += 0.5f;
        for (float[] m : List.of(a, b)) {
            double s = 0;
            for (float v : m) s += v;
            for (int i = 0; i < n; i++) m[i] = (float) (m[i] / s);
        }
        out.add(new float[][] {a, b});
        out.add(new float[][] {c, d});
        out.add(new float[][] {a, c});
        out.add(new float[][] {b, b.clone()});
        return out;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void ks2MatchesBruteForce(String backend) {
        GeoKernels k = TestBackends.get(backend);
        Random rnd = new Random(11);
        for (int[] sz : KS2_SIZES) {
            int w = sz[0], h = sz[1], n = w * h;
            for (float[][] pq : ks2Pairs(w, h, rnd)) {
                double want = Reference.ks2(toDouble(pq[0]), toDouble(pq[1]), w, h);
                // P and Q at odd offsets in one buffer, to exercise the offsets
                try (GridBuffer buf = GridBuffer.allocate(ALLOCATOR, GridBuffer.Type.FLOAT32, 2L * n + 10)) {
                    buf.copyFrom(pq[0], 3);
                    buf.copyFrom(pq[1], n + 7);
                    double got = k.ks2(buf, 3, buf, n + 7, w, h);
                    assertEquals(want, got, 1e-5, backend + " KS2 " + w + "x" + h);
                    double back = k.ks2(buf, n + 7, buf, 3, w, h);
                    assertEquals(want, back, 1e-5, backend + " KS2 symmetric " + w + "x" + h);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void ks2BatchMatchesKs2(String backend) {
        GeoKernels k = TestBackends.get(backend);
        Random rnd = new Random(5);
        for (int[] sz : new int[][] {{37, 29}, {200, 150}, {13, 11}}) {
            int w = sz[0], h = sz[1], n = w * h, count = 7;
            try (GridBuffer ref = GridBuffer.allocate(ALLOCATOR, GridBuffer.Type.FLOAT32, n + 5L);
                    GridBuffer cand = GridBuffer.allocate(ALLOCATOR, GridBuffer.Type.FLOAT32, (long) count * n)) {
                List<float[][]> pairs = ks2Pairs(w, h, rnd);
                ref.copyFrom(pairs.get(0)[0], 5);
                for (int m = 0; m < count; m++) {
                    float[][] pq = ks2Pairs(w, h, rnd).get(m % 4);
                    cand.copyFrom(pq[1], (long) m * n);
                }
                cand.copyFrom(pairs.get(0)[0], 2L * n); // one candidate equal to the reference
                double[] out = new double[count];
                k.ks2Batch(ref, 5, cand, count, w, h, out);
                for (int m = 0; m < count; m++) {
                    double one = JavaKernels.ks2(ref.segment(), 5, cand.segment(), (long) m * n, w, h);
                    assertEquals(one, out[m], 1e-9, backend + " ks2Batch " + w + "x" + h + " candidate " + m);
                    assertEquals(one, k.ks2(ref, 5, cand, (long) m * n, w, h), 1e-9, backend + " ks2 " + m);
                }
                assertEquals(0.0, out[2], 1e-12, "identical maps");
                if (w * h <= 1100) {
                    double[] p = toDouble(ref.toFloatArray(5, n));
                    assertEquals(Reference.ks2(p, toDouble(cand.toFloatArray(0, n)), w, h), out[0], 1e-5);
                }
            }
        }
    }
}
