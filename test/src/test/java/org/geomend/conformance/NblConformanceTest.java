package org.geomend.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.geomend.cuda.CudaKernels;
import org.geomend.cuda.CudaNblScoringProvider;
import org.geomend.kernels.nbl.NblBackends;
import org.geomend.kernels.nbl.NblBatch;
import org.geomend.kernels.nbl.NblMapArrays;
import org.geomend.kernels.nbl.NblOptions;
import org.geomend.kernels.nbl.NblReference;
import org.geomend.kernels.nbl.NblResult;
import org.geomend.kernels.nbl.NblScoring;
import org.geomend.kernels.nbl.NblScoringProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NBL scoring of every backend against the float64 {@link NblReference}: {@code java} (always),
 * {@code cuda} (skipped with the reason when no device starts; <b>never run yet</b>) and
 * {@code kernel-port}, a Java port of {@code cuda-src/nbl.cu} ({@link NblKernelPort}) that checks the CUDA
 * kernel's algorithm on machines without a GPU.
 *
 * <p>Tolerances, the same for every backend: candidate counts identical; weighted average within
 * {@link #WA_TOL_M} metres (Java interpolates a tail table, absolute error below 2e-6; the GPU evaluates
 * erfc in float64, within a few ulp; inputs are float32 on every backend, so only the summation order and
 * the tail evaluation differ); MLE tile identical for at least 99.5% of placed records (a near-tie may
 * flip under those differences) and identical where weights tie exactly (lowest tile index wins).
 */
class NblConformanceTest {

    static final double WA_TOL_M = 0.05;
    private static final Map<String, Object> OPEN = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> OPEN.values().forEach(v -> {
                    if (v instanceof NblScoring s) s.close();
                })));
    }

    static Stream<String> backends() {
        return Stream.of("java", "cuda", "kernel-port");
    }

    /** The backend, or a skipped test saying why it cannot start. */
    static NblScoring get(String name) {
        Object v = OPEN.computeIfAbsent(name, n -> {
            try {
                return switch (n) {
                    case "java" -> NblBackends.select("java", 2, null);
                    case "cuda" -> new CudaNblScoringProvider().create();
                    case "kernel-port" ->
                        new NblScoring() {
                            @Override
                            public String name() {
                                return "kernel-port";
                            }

                            @Override
                            public void score(NblMapArrays m, NblBatch b, NblOptions d, NblResult o) {
                                NblKernelPort.score(m, b, d, o);
                            }
                        };
                    default -> "unknown backend " + n;
                };
            } catch (Throwable t) {
                String m = t.getMessage() == null ? t.toString() : t.getMessage();
                return n + " backend unavailable: " + m.lines().findFirst().orElse(m);
            }
        });
        TestBackends.assumeBackend(v instanceof NblScoring, () -> (String) v);
        return (NblScoring) v;
    }

    /** A random map: cells with overlapping tile sets, some cells without statistics or position, some RSSI means NaN. */
    static NblMapArrays randomMap(SplittableRandom rnd, int cells, int side, int tilesPerCell, boolean pd) {
        int nt = side * side;
        double[] tx = new double[nt], ty = new double[nt];
        float[] sc = new float[nt], dens = new float[nt];
        double tot = 0;
        for (int t = 0; t < nt; t++) {
            tx[t] = -933_000 + (t % side) * 59.7;
            ty[t] = 6_790_000 + (t / side) * 59.7;
            sc[t] = 0.6f;
            dens[t] = 1 + rnd.nextInt(50);
            tot += dens[t];
        }
        for (int t = 0; t < nt; t++) dens[t] /= (float) tot;
        int[] start = new int[cells + 1];
        int[][] tl = new int[cells][];
        int ne = 0;
        for (int c = 0; c < cells; c++) {
            int k = c % 13 == 5 ? 0 : 1 + rnd.nextInt(tilesPerCell); // some cells without any statistics
            int cx = rnd.nextInt(side), cy = rnd.nextInt(side);
            tl[c] = rnd.ints(4 * k + 8, 0, 1 << 30)
                    .map(i -> {
                        int x = Math.floorMod(cx + (int) (rnd.nextGaussian() * side / 5), side);
                        int y = Math.floorMod(cy + (int) (rnd.nextGaussian() * side / 5), side);
                        return y * side + x;
                    })
                    .distinct()
                    .limit(k)
                    .sorted()
                    .toArray();
            start[c] = ne;
            ne += tl[c].length;
        }
        start[cells] = ne;
        int[] et = new int[ne];
        float[] mr = new float[ne], ir = new float[ne], mq = new float[ne], iq = new float[ne];
        for (int c = 0, e = 0; c < cells; c++)
            for (int t : tl[c]) {
                et[e] = t;
                mr[e] = (float) (-120 + rnd.nextDouble() * 50);
                ir[e] = (float) (1 / (2 + rnd.nextDouble() * 6));
                mq[e] = rnd.nextInt(10) == 0 ? Float.NaN : (float) (-90 + rnd.nextDouble() * 40);
                iq[e] = (float) (1 / (2 + rnd.nextDouble() * 6));
                e++;
            }
        double[] cx = new double[cells], cy = new double[cells];
        for (int c = 0; c < cells; c++) {
            cx[c] = rnd.nextInt(5) == 0 ? Double.NaN : tx[0] + rnd.nextDouble() * side * 59.7;
            cy[c] = ty[0] + rnd.nextDouble() * side * 59.7;
        }
        float[] fpd = null;
        if (pd) {
            fpd = new float[80];
            for (int i = 0; i < fpd.length; i++) fpd[i] = (float) (Math.exp(-Math.abs(i - 40) / 8.0) / 10 / 16);
        }
        return new NblMapArrays(start, et, mr, ir, mq, iq, tx, ty, sc, dens, cx, cy, fpd, -400, 10, 1e-6);
    }

    /** Records of 0..maxCells cells (unknown cells, repeated rows of a cell, missing values, empty records). */
    static NblBatch randomBatch(SplittableRandom rnd, NblMapArrays map, int records, int maxCells) {
        NblBatch b = new NblBatch(records, records * maxCells * 2 + 1);
        int m = 0;
        for (int r = 0; r < records; r++) {
            b.recStart[r] = m;
            int k = r % 97 == 0 ? 0 : 1 + rnd.nextInt(maxCells);
            int[] cs = rnd.ints(k, -1, map.numCells()).distinct().sorted().toArray();
            for (int c : cs) {
                int reps = rnd.nextInt(4) == 0 ? 2 : 1;
                for (int q = 0; q < reps; q++) {
                    b.cell[m] = c;
                    b.rsrp[m] = rnd.nextInt(8) == 0 ? Float.NaN : (float) (-120 + rnd.nextDouble() * 50);
                    b.rssi[m] = rnd.nextInt(3) == 0 ? Float.NaN : (float) (-90 + rnd.nextDouble() * 40);
                    b.ta[m] = rnd.nextInt(2) == 0 ? Float.NaN : (float) (rnd.nextDouble() * 800);
                    m++;
                }
            }
        }
        b.recStart[records] = m;
        b.numRecords = records;
        return b;
    }

    /** The option sets every backend is checked with: both presets and each choice varied. */
    static final java.util.List<NblOptions> OPTIONS = java.util.List.of(
            NblOptions.LEGACY,
            NblOptions.PLAIN,
            NblOptions.PLAIN.withRssi(true).withMiss(1e-2),
            NblOptions.LEGACY.withPd(false).withDensity(false),
            NblOptions.PLAIN.withPd(false).withDensity(false).withMiss(1e-4),
            NblOptions.PLAIN.withRssi(true).withTemperature(0.5).withDensityPower(2),
            NblOptions.LEGACY.withTemperature(1.5).withDensityPower(0.5),
            // the cutoff with the Laplace tail (which every backend evaluates to about 1e-11, so no candidate
            // crosses the cutoff under the Java tail table's interpolation error); cutoffs that are no ratio
            // of two of the random map's densities (integers 1..50), or tiles with the same likelihood would
            // sit exactly on the cutoff, where rounding decides
            NblOptions.PLAIN.withLaplace(true).withCutoff(0.047),
            NblOptions.LEGACY.withLaplace(true).withCutoff(0.37).withTemperature(0.5),
            NblOptions.DEFAULT.withLaplace(true),
            // round 4: a power of the weights, the mean shift (metres from the weighted average or the MLE,
            // spreads; with a cutoff)
            NblOptions.DEFAULT.withPower(0.75),
            NblOptions.DEFAULT.withPower(0.7).withShift(250, 10, false),
            NblOptions.DEFAULT.withShift(120, 3, true),
            NblOptions.DEFAULT.withPower(1.5).withRelativeShift(0.8, 5),
            NblOptions.PLAIN.withLaplace(true).withCutoff(0.047).withShift(300, 2, false));

    static void checkAgainstReference(NblScoring s, NblMapArrays map, NblBatch b, boolean dens, int minPlaced) {
        checkAgainstReference(s, map, b, NblOptions.DEFAULT.withDensity(dens), minPlaced);
    }

    static void checkAgainstReference(NblScoring s, NblMapArrays map, NblBatch b, NblOptions opt, int minPlaced) {
        NblResult out = new NblResult(b.numRecords);
        s.score(map, b, opt, out);
        int placed = 0, mleSame = 0;
        for (int r = 0; r < b.numRecords; r++) {
            double[] ref = NblReference.score(map, b, opt, r);
            assertEquals((int) ref[4], out.candidates[r], s.name() + " " + opt + ": candidates of record " + r);
            if (ref[4] == 0) {
                assertTrue(
                        Double.isNaN(out.waX[r]) && Double.isNaN(out.mleY[r]),
                        s.name() + ": unplaced record " + r + " has an estimate");
                continue;
            }
            placed++;
            assertEquals(ref[2], out.waX[r], WA_TOL_M, s.name() + " " + opt + ": waX of record " + r);
            assertEquals(ref[3], out.waY[r], WA_TOL_M, s.name() + ": waY of record " + r);
            assertEquals(
                    ref[5], out.spread[r], WA_TOL_M + 1e-3 * ref[5], s.name() + " " + opt + ": spread of record " + r);
            if (ref[0] == out.mleX[r] && ref[1] == out.mleY[r]) mleSame++;
        }
        assertTrue(placed >= minPlaced, s.name() + ": placed " + placed);
        assertTrue(mleSame >= placed * 0.995, s.name() + ": MLE agreement " + mleSame + "/" + placed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void randomRecordsMatchTheFloat64Reference(String backend) {
        NblScoring s = get(backend);
        SplittableRandom rnd = new SplittableRandom(61);
        for (boolean pd : new boolean[] {false, true}) {
            NblMapArrays map = randomMap(rnd, 60, 30, 80, pd);
            NblBatch b = randomBatch(rnd, map, 3000, 4);
            for (NblOptions opt : OPTIONS) checkAgainstReference(s, map, b, opt, 2000);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void recordsWithManyCellsMatchTheReference(String backend) {
        // 10-40 cells per record: more than any fixed per-thread scratch of a kernel would hold
        NblScoring s = get(backend);
        SplittableRandom rnd = new SplittableRandom(62);
        NblMapArrays map = randomMap(rnd, 120, 24, 40, true);
        NblBatch b = new NblBatch(200, 200 * 40);
        int m = 0;
        for (int r = 0; r < 200; r++) {
            b.recStart[r] = m;
            int[] cs = rnd.ints(10 + rnd.nextInt(31), 0, map.numCells())
                    .distinct()
                    .sorted()
                    .toArray();
            for (int c : cs) {
                b.cell[m] = c;
                b.rsrp[m] = (float) (-120 + rnd.nextDouble() * 50);
                b.rssi[m] = rnd.nextBoolean() ? Float.NaN : (float) (-90 + rnd.nextDouble() * 40);
                b.ta[m] = rnd.nextInt(3) == 0 ? (float) (rnd.nextDouble() * 800) : Float.NaN;
                m++;
            }
        }
        b.recStart[200] = m;
        b.numRecords = 200;
        // weights are double products (NblModel): with miss 1e-6 on both RSRP and RSSI, 10-40 cells that
        // share no tile take every candidate below 1e-308, where the backends fall back to the first tile
        // and the log-domain reference does not; those option sets are checked on records of <= 4 cells
        for (NblOptions opt : OPTIONS)
            if (opt.miss() >= 1e-4 || !opt.rssi()) checkAgainstReference(s, map, b, opt, 200);
    }

    /**
     * Tiles t = 0 .. nt - 1 at (100 t, dy t), scale 1, equal density; the given cells (no position) with
     * identical statistics (-90 dBm, sigma 4 dB) on their tiles; no f_PD.
     */
    static NblMapArrays lineMap(int nt, double dy, int[] cellStart, int[] entTile) {
        double[] tx = new double[nt], ty = new double[nt];
        float[] sc = new float[nt], dens = new float[nt];
        for (int t = 0; t < nt; t++) {
            tx[t] = 100.0 * t;
            ty[t] = dy * t;
            sc[t] = 1f;
            dens[t] = 1f / nt;
        }
        int ne = entTile.length, nc = cellStart.length - 1;
        float[] mu = new float[ne], is = new float[ne];
        java.util.Arrays.fill(mu, -90);
        java.util.Arrays.fill(is, 0.25f);
        double[] nan = new double[nc];
        java.util.Arrays.fill(nan, Double.NaN);
        return new NblMapArrays(
                cellStart,
                entTile,
                mu,
                is,
                mu.clone(),
                is.clone(),
                tx,
                ty,
                sc,
                dens,
                nan,
                nan.clone(),
                null,
                0,
                1,
                1e-6);
    }

    /** One record of one row: cell 0 at -93 dBm, no RSSI, no PD. */
    static NblBatch oneRow() {
        NblBatch b = new NblBatch(1, 1);
        b.cell[0] = 0;
        b.rsrp[0] = -93;
        b.rssi[0] = Float.NaN;
        b.ta[0] = Float.NaN;
        b.recStart[1] = 1;
        b.numRecords = 1;
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void exactTiesGoToTheLowestTile(String backend) {
        // one cell, identical statistics on tiles 3, 7, 11; no density: all weights equal
        NblScoring s = get(backend);
        NblMapArrays map = lineMap(16, 50.0, new int[] {0, 3}, new int[] {3, 7, 11});
        NblBatch b = oneRow();
        NblResult out = new NblResult(1);
        s.score(map, b, false, out);
        assertEquals(3, out.candidates[0]);
        assertEquals(300.0, out.mleX[0], 0.0);
        assertEquals(700.0, out.waX[0], 1e-9);
        assertEquals(350.0, out.waY[0], 1e-9);
        assertEquals(Math.sqrt(2 * (400.0 * 400 + 200 * 200) / 3), out.spread[0], 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void meanShiftMovesToTheLocalMass(String backend) {
        // one cell on tiles 0, 1, 2, 10 (x 0, 100, 200, 1000), equal weights: weighted average 325
        NblScoring s = get(backend);
        NblMapArrays map = lineMap(16, 0.0, new int[] {0, 4}, new int[] {0, 1, 2, 10});
        NblBatch b = oneRow();
        NblResult out = new NblResult(1);
        NblOptions o = NblOptions.PLAIN.withDensity(false);
        s.score(map, b, o, out);
        assertEquals(325.0, out.waX[0], 1e-9);
        // 250 m from 325: tiles 1, 2 -> 150; then 0, 1, 2 -> 100, where it stays
        s.score(map, b, o.withShift(250, 3, false), out);
        assertEquals(100.0, out.waX[0], 1e-9);
        assertEquals(0.0, out.waY[0], 1e-9);
        assertEquals(Math.sqrt((100.0 * 100 + 0 + 100 * 100 + 900 * 900) / 4), out.spread[0], 1e-6);
        assertEquals(0.0, out.mleX[0], 0.0);
        // from the MLE tile (0, the lowest of the ties), 150 m, once: tiles 0, 1 -> 50
        s.score(map, b, o.withShift(150, 1, true), out);
        assertEquals(50.0, out.waX[0], 1e-9);
        // 0.5 spreads (396.1 m about 325: radius 198.0): tile 2 -> 200, tiles 1, 2 -> 150, tiles 0, 1, 2 -> 100;
        // two iterations stop at 150
        s.score(map, b, o.withRelativeShift(0.5, 4), out);
        assertEquals(100.0, out.waX[0], 1e-9);
        s.score(map, b, o.withRelativeShift(0.5, 2), out);
        assertEquals(150.0, out.waX[0], 1e-9);
        // no candidate within 10 m of 325: the estimate stays at the weighted average
        s.score(map, b, o.withShift(10, 3, false), out);
        assertEquals(325.0, out.waX[0], 1e-9);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void allCellsRuleKeepsTheSharedTilesOrTheUnion(String backend) {
        // cell 0 on tiles 1, 2, 3; cell 1 on tiles 2, 3, 4; cell 2 on tiles 5, 6 (shares none)
        NblScoring s = get(backend);
        NblMapArrays map = lineMap(8, 0.0, new int[] {0, 3, 6, 8}, new int[] {1, 2, 3, 2, 3, 4, 5, 6});
        NblBatch b = new NblBatch(2, 4);
        int[][] recs = {{0, 1}, {0, 2}};
        int m = 0;
        for (int r = 0; r < 2; r++) {
            b.recStart[r] = m;
            for (int c : recs[r]) {
                b.cell[m] = c;
                b.rsrp[m] = -90;
                b.rssi[m] = Float.NaN;
                b.ta[m] = Float.NaN;
                m++;
            }
        }
        b.recStart[2] = m;
        b.numRecords = 2;
        NblResult out = new NblResult(2);
        s.score(map, b, NblOptions.PLAIN, out);
        assertEquals(2, out.candidates[0]); // tiles 2, 3
        assertEquals(250.0, out.waX[0], 1e-9);
        assertEquals(5, out.candidates[1]); // no shared tile: the union 1, 2, 3, 5, 6
        s.score(map, b, NblOptions.PLAIN.withCandidates(NblOptions.Candidates.ANY), out);
        assertEquals(4, out.candidates[0]);
        assertEquals(5, out.candidates[1]);
    }

    @Test
    void autoFallsBackToJavaInOneLineAndNamedCudaFailsCleanly() {
        NblScoringProvider p = NblBackends.providers().stream()
                .filter(x -> x.name().equals("cuda"))
                .findFirst()
                .orElseThrow();
        assertTrue(p instanceof CudaNblScoringProvider);
        String reason = CudaKernels.unavailableReason();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (NblScoring s = NblBackends.select("auto", 1, new PrintStream(buf, true, StandardCharsets.UTF_8))) {
            String notice = buf.toString(StandardCharsets.UTF_8);
            if (reason == null) {
                assertEquals("cuda", s.name());
                assertEquals("", notice);
                return;
            }
            assertEquals("java", s.name());
            assertTrue(
                    notice.startsWith("geomend: cuda backend unavailable (")
                            && notice.strip().lines().count() == 1,
                    notice);
        }
        IllegalStateException x = assertThrows(IllegalStateException.class, () -> NblBackends.select("cuda", 1, null));
        assertTrue(x.getMessage().startsWith("cuda backend unavailable: "), x.getMessage());
        assertFalse(x.getMessage().contains("\n"));
        assertThrows(IllegalArgumentException.class, () -> NblBackends.select("opencl", 1, null));
    }
}
