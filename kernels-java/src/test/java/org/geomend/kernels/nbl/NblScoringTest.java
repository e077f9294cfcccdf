package org.geomend.kernels.nbl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NblScoringTest {

    @Test
    void erfcMatchesKnownValues() {
        assertEquals(1.0, NblModel.erfc(0), 1e-15);
        assertEquals(0.4795001221869535, NblModel.erfc(0.5), 1e-14);
        assertEquals(0.15729920705028513, NblModel.erfc(1), 1e-14);
        assertEquals(2.209049699858544e-05, NblModel.erfc(3), 1e-17);
        assertEquals(1.5374597944280349e-12, NblModel.erfc(5), 1e-22);
        assertEquals(1.8427007929497148, NblModel.erfc(-1), 1e-14);
    }

    @Test
    void tableTailIsCloseToFloat64() {
        for (double z = -7; z <= 7; z += 0.0137) assertEquals(NblModel.tail(z), JavaNblScoring.tail(z), 2e-6, "z=" + z);
    }

    @Test
    void tableLaplaceTailIsTheExactOneToTenDigits() {
        for (double z = -11; z <= 11; z += 0.00731) {
            double exact = NblModel.laplaceTail(z);
            assertEquals(exact, JavaNblScoring.laplaceTail(z), 1e-11 * exact, "z=" + z);
        }
        assertEquals(1.0, JavaNblScoring.laplaceTail(0), 0);
        for (double u = 0; u <= 20; u += 0.00377) {
            double exact = Math.exp(-u);
            assertEquals(exact, JavaNblScoring.expNeg(u), 1e-11 * exact, "u=" + u);
        }
    }

    /** A random map of cells with overlapping tile sets on a grid of tiles. */
    static NblMapArrays randomMap(SplittableRandom rnd, int cells, int tilesSide, int tilesPerCell, boolean pd) {
        int nt = tilesSide * tilesSide;
        double[] tx = new double[nt], ty = new double[nt];
        float[] sc = new float[nt], dens = new float[nt];
        double tot = 0;
        for (int t = 0; t < nt; t++) {
            tx[t] = 1000 + (t % tilesSide) * 60.0;
            ty[t] = 5_000_000 + (t / tilesSide) * 60.0;
            sc[t] = 0.7f;
            dens[t] = (float) (1 + rnd.nextInt(50));
            tot += dens[t];
        }
        for (int t = 0; t < nt; t++) dens[t] /= (float) tot;
        int[] start = new int[cells + 1];
        int ne = 0;
        int[][] tl = new int[cells][];
        for (int c = 0; c < cells; c++) {
            int k = 1 + rnd.nextInt(tilesPerCell);
            tl[c] = rnd.ints(0, nt).distinct().limit(Math.min(k, nt)).sorted().toArray();
            start[c] = ne;
            ne += tl[c].length;
        }
        start[cells] = ne;
        int[] et = new int[ne];
        float[] mr = new float[ne], ir = new float[ne], mq = new float[ne], iq = new float[ne];
        for (int c = 0; c < cells; c++)
            for (int i = 0; i < tl[c].length; i++) {
                int e = start[c] + i;
                et[e] = tl[c][i];
                mr[e] = (float) (-120 + rnd.nextDouble() * 50);
                ir[e] = (float) (1 / (2 + rnd.nextDouble() * 6));
                mq[e] = rnd.nextInt(10) == 0 ? Float.NaN : (float) (-90 + rnd.nextDouble() * 40);
                iq[e] = (float) (1 / (2 + rnd.nextDouble() * 6));
            }
        double[] cx = new double[cells], cy = new double[cells];
        for (int c = 0; c < cells; c++) {
            cx[c] = rnd.nextInt(5) == 0 ? Double.NaN : 1000 + rnd.nextDouble() * tilesSide * 60;
            cy[c] = 5_000_000 + rnd.nextDouble() * tilesSide * 60;
        }
        float[] fpd = null;
        if (pd) {
            fpd = new float[80];
            for (int i = 0; i < fpd.length; i++) fpd[i] = (float) (Math.exp(-Math.abs(i - 40) / 8.0) / 10 / 16);
        }
        return new NblMapArrays(start, et, mr, ir, mq, iq, tx, ty, sc, dens, cx, cy, fpd, -400, 10, 1e-6);
    }

    static NblBatch randomBatch(SplittableRandom rnd, NblMapArrays map, int records, int maxCells) {
        NblBatch b = new NblBatch(records, records * maxCells * 2);
        int m = 0;
        for (int r = 0; r < records; r++) {
            b.recStart[r] = m;
            int k = 1 + rnd.nextInt(maxCells);
            int[] cs = rnd.ints(-1, map.numCells()).limit(k).sorted().toArray();
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

    @Test
    void javaMatchesFloat64Reference() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (boolean pd : new boolean[] {false, true}) {
            NblMapArrays map = randomMap(rnd, 40, 20, 60, pd);
            NblBatch b = randomBatch(rnd, map, 3000, 4);
            for (boolean dens : new boolean[] {false, true}) {
                NblResult out = new NblResult(b.numRecords);
                try (NblScoring s = NblScoring.java(2)) {
                    s.score(map, b, dens, out);
                }
                int mleSame = 0, placed = 0;
                for (int r = 0; r < b.numRecords; r++) {
                    double[] ref = NblReference.score(map, b, dens, r);
                    assertEquals((int) ref[4], out.candidates[r], "candidates r=" + r);
                    if (ref[4] == 0) {
                        assertTrue(Double.isNaN(out.waX[r]));
                        continue;
                    }
                    placed++;
                    assertEquals(ref[2], out.waX[r], 0.05, "waX r=" + r);
                    assertEquals(ref[3], out.waY[r], 0.05, "waY r=" + r);
                    if (ref[0] == out.mleX[r] && ref[1] == out.mleY[r]) mleSame++;
                }
                assertTrue(placed > 2000, "placed " + placed);
                // table interpolation may only flip near-ties
                assertTrue(mleSame >= placed * 0.995, "mle agreement " + mleSame + "/" + placed);
            }
        }
    }

    @Test
    void singleAndMultiThreadAgree() {
        SplittableRandom rnd = new SplittableRandom(7);
        NblMapArrays map = randomMap(rnd, 30, 16, 40, true);
        NblBatch b = randomBatch(rnd, map, 5000, 3);
        NblResult a = new NblResult(b.numRecords), c = new NblResult(b.numRecords);
        try (NblScoring s1 = NblScoring.java(1);
                NblScoring s2 = NblScoring.java(3)) {
            s1.score(map, b, true, a);
            s2.score(map, b, true, c);
        }
        assertTrue(Arrays.equals(a.waX, c.waX)
                && Arrays.equals(a.mleY, c.mleY)
                && Arrays.equals(a.candidates, c.candidates));
    }

    @Test
    void cutoffKeepsOnlyTheBestCandidatesInTheWeightedAverage() {
        SplittableRandom rnd = new SplittableRandom(11);
        NblMapArrays map = randomMap(rnd, 30, 16, 40, true);
        NblBatch b = randomBatch(rnd, map, 2000, 3);
        NblResult all = new NblResult(b.numRecords), top = new NblResult(b.numRecords);
        try (NblScoring s = NblScoring.java(1)) {
            s.score(map, b, NblOptions.DEFAULT, all);
            // cutoff 1: only the MLE tile (and exact ties) is averaged
            s.score(map, b, NblOptions.DEFAULT.withCutoff(1), top);
        }
        int placed = 0, atMle = 0, moved = 0;
        for (int r = 0; r < b.numRecords; r++) {
            assertEquals(all.candidates[r], top.candidates[r]);
            assertEquals(all.mleX[r], top.mleX[r]);
            if (all.candidates[r] == 0) continue;
            placed++;
            if (Math.abs(top.waX[r] - top.mleX[r]) < 1e-6
                    && Math.abs(top.waY[r] - top.mleY[r]) < 1e-6
                    && top.spread[r] < 1e-3) atMle++;
            if (all.waX[r] != top.waX[r]) moved++;
        }
        assertTrue(placed > 1000, "placed " + placed);
        assertTrue(atMle >= placed * 0.95, "at the MLE tile " + atMle + "/" + placed);
        assertTrue(moved >= placed / 2, "moved " + moved + "/" + placed);
    }
}
