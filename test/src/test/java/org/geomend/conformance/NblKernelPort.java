package org.geomend.conformance;

import org.geomend.kernels.nbl.NblBatch;
import org.geomend.kernels.nbl.NblMapArrays;
import org.geomend.kernels.nbl.NblModel;
import org.geomend.kernels.nbl.NblOptions;
import org.geomend.kernels.nbl.NblResult;

/**
 * A line-by-line Java port of {@code cuda-src/nbl.cu} (geomend_nbl_score), one call per "thread". It
 * checks the kernel's algorithm (candidates visited group by group, tiles of earlier groups skipped by
 * binary search, entries found by binary search, order-free MLE tie-break, float64 math with exact erfc)
 * against {@link org.geomend.kernels.nbl.NblReference} on machines without a GPU. It does not verify the
 * CUDA code itself: keep both in step when either changes.
 */
final class NblKernelPort {

    private NblKernelPort() {}

    static void score(NblMapArrays m, NblBatch b, NblOptions opt, NblResult out) {
        for (int r = 0; r < b.numRecords; r++) thread(m, b, opt, out, r);
    }

    private static double tail(double z, boolean laplace) {
        if (laplace) return Math.max(Math.exp(-1.4142135623730951 * Math.abs(z)), NblModel.TAIL_FLOOR);
        return Math.max(NblModel.erfc(Math.abs(z) / 1.4142135623730951), NblModel.TAIL_FLOOR);
    }

    private static int find(int[] entTile, int lo, int hi, int t) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1, v = entTile[mid];
            if (v < t) lo = mid + 1;
            else if (v > t) hi = mid;
            else return mid;
        }
        return -1;
    }

    private static double measure(float[] v, int ms, int me, float mu, float invSd, double miss, boolean laplace) {
        double sum = 0;
        int n = 0;
        for (int q = ms; q < me; q++) {
            float x = v[q];
            if (x == x) {
                n++;
                if (mu == mu) sum += tail(((double) x - mu) * invSd, laplace);
            }
        }
        if (n == 0) return 1.0;
        if (mu != mu) return miss;
        return sum / n;
    }

    private static double densityWeight(float d, NblOptions opt) {
        return !opt.density() ? 1.0 : opt.densityPower() == 1 ? d : Math.pow(d, opt.densityPower());
    }

    /** gm_nbl_all_hold: every known cell other than the group starting at row ms holds tile t. */
    private static boolean allHold(int[] cellStart, int[] entTile, int[] cell, int m0, int m1, int ms, int t) {
        for (int mj = m0; mj < m1; ) {
            int cj = cell[mj];
            int ej = mj + 1;
            while (ej < m1 && cell[ej] == cj) ej++;
            if (mj != ms
                    && cj >= 0
                    && cellStart[cj] < cellStart[cj + 1]
                    && find(entTile, cellStart[cj], cellStart[cj + 1], t) < 0) return false;
            mj = ej;
        }
        return true;
    }

    private static void thread(NblMapArrays map, NblBatch b, NblOptions opt, NblResult out, int r) {
        int[] cellStart = map.cellStart(), entTile = map.entTile(), cell = b.cell;
        int fpdLen = map.fpd() == null ? 0 : map.fpd().length;
        int m0 = b.recStart[r], m1 = b.recStart[r + 1];
        int count = 0, bestT = Integer.MAX_VALUE;
        double best = -1,
                bx = Double.NaN,
                by = Double.NaN,
                bs = Double.NaN,
                sw = 0,
                sx = 0,
                sy = 0,
                sq = 0,
                ox = 0,
                oy = 0;
        int first = -1;
        boolean full = false;
        if (opt.candidates() == NblOptions.Candidates.ALL) {
            for (int mj = m0; mj < m1 && first < 0; ) {
                int cj = cell[mj];
                int ej = mj + 1;
                while (ej < m1 && cell[ej] == cj) ej++;
                if (cj >= 0 && cellStart[cj] < cellStart[cj + 1]) first = mj;
                mj = ej;
            }
            if (first >= 0) {
                int c = cell[first];
                for (int e = cellStart[c]; e < cellStart[c + 1] && !full; e++)
                    full = allHold(cellStart, entTile, cell, m0, m1, first, entTile[e]);
            }
        }
        int basePasses = opt.cutoff() > 0 ? 2 : 1;
        int passes = basePasses + (opt.shift() > 0 ? opt.shiftIters() : 0);
        double pw = opt.power();
        double mcx = 0, mcy = 0, r2 = 0, lw = 0, lx = 0, ly = 0;
        for (int pass = 0; pass < passes; pass++) {
            if (pass == basePasses) {
                if (!(sw > 0)) break;
                double mx = sx / sw, my = sy / sw;
                mcx = opt.shiftFromMle() ? bx - ox : mx;
                mcy = opt.shiftFromMle() ? by - oy : my;
                double rm = opt.shiftRelative()
                        ? opt.shift() * Math.sqrt(Math.max(0, sq / sw - mx * mx - my * my))
                        : opt.shift() / bs;
                r2 = rm * rm;
            }
            if (pass > basePasses) {
                if (!(lw > 0)) break;
                mcx = lx / lw;
                mcy = ly / lw;
            }
            lw = 0;
            lx = 0;
            ly = 0;
            double lim = opt.cutoff() > 0 && pass >= 1 ? opt.cutoff() * best : -1.0;
            count = 0;
            for (int mk = full ? first : m0; mk < m1; ) {
                int ck = cell[mk];
                int ek = mk + 1;
                while (ek < m1 && cell[ek] == ck) ek++;
                int klo = ck >= 0 ? cellStart[ck] : 0, khi = ck >= 0 ? cellStart[ck + 1] : 0;
                for (int e = klo; e < khi; e++) {
                    int t = entTile[e];
                    if (full && !allHold(cellStart, entTile, cell, m0, m1, first, t)) continue;
                    boolean seen = false;
                    for (int mj = m0; mj < mk && !seen && !full; ) {
                        int cj = cell[mj];
                        int ej = mj + 1;
                        while (ej < mk && cell[ej] == cj) ej++;
                        if (cj >= 0 && find(entTile, cellStart[cj], cellStart[cj + 1], t) >= 0) seen = true;
                        mj = ej;
                    }
                    if (seen) continue;
                    double txv = map.tileX()[t], tyv = map.tileY()[t];
                    if (count == 0) {
                        ox = txv;
                        oy = tyv;
                    }
                    boolean temper = opt.temperature() != 1;
                    double w = temper ? 1.0 : densityWeight(map.tileDensity()[t], opt);
                    for (int mj = m0; mj < m1; ) {
                        int cj = cell[mj];
                        int ej = mj + 1;
                        while (ej < m1 && cell[ej] == cj) ej++;
                        if (cj >= 0) {
                            int jlo = cellStart[cj], jhi = cellStart[cj + 1];
                            if (jlo < jhi) {
                                int en = mj == mk ? e : find(entTile, jlo, jhi, t);
                                w *= measure(
                                        b.rsrp,
                                        mj,
                                        ej,
                                        en >= 0 ? map.entMuR()[en] : Float.NaN,
                                        en >= 0 ? map.entInvSdR()[en] : 0f,
                                        opt.miss(),
                                        opt.laplace());
                                if (opt.rssi())
                                    w *= measure(
                                            b.rssi,
                                            mj,
                                            ej,
                                            en >= 0 ? map.entMuQ()[en] : Float.NaN,
                                            en >= 0 ? map.entInvSdQ()[en] : 0f,
                                            opt.miss(),
                                            opt.laplace());
                                double px = map.cellX()[cj];
                                if (opt.pd() && fpdLen > 0 && px == px) {
                                    double dx = txv - px, dy = tyv - map.cellY()[cj];
                                    double d = Math.sqrt(dx * dx + dy * dy) * map.tileScale()[t];
                                    double s = 0;
                                    int np = 0;
                                    for (int q = mj; q < ej; q++) {
                                        float p = b.ta[q];
                                        if (p == p) {
                                            s += map.fpdAt(d - p);
                                            np++;
                                        }
                                    }
                                    if (np > 0) w *= s / np;
                                }
                            }
                        }
                        mj = ej;
                    }
                    if (temper) w = densityWeight(map.tileDensity()[t], opt) * Math.pow(w, opt.temperature());
                    count++;
                    if (pass == basePasses - 1 && w >= lim) {
                        double dx = txv - ox, dy = tyv - oy, wa = pw == 1 ? w : Math.pow(w, pw);
                        sw += wa;
                        sx += wa * dx;
                        sy += wa * dy;
                        sq += wa * (dx * dx + dy * dy);
                    } else if (pass >= basePasses && w >= lim) {
                        double dx = txv - ox, dy = tyv - oy, ex = dx - mcx, ey = dy - mcy;
                        if (ex * ex + ey * ey <= r2) {
                            double wa = pw == 1 ? w : Math.pow(w, pw);
                            lw += wa;
                            lx += wa * dx;
                            ly += wa * dy;
                        }
                    }
                    if (pass == 0 && (w > best || (w == best && t < bestT))) {
                        best = w;
                        bestT = t;
                        bx = txv;
                        by = tyv;
                        bs = map.tileScale()[t];
                    }
                }
                if (full) break;
                mk = ek;
            }
        }
        double spread = Double.NaN;
        if (count > 0) {
            if (sw > 0 && opt.shift() > 0) {
                if (lw > 0) {
                    mcx = lx / lw;
                    mcy = ly / lw;
                }
                double mx = sx / sw, my = sy / sw;
                sx = ox + mcx;
                sy = oy + mcy;
                spread = Math.sqrt(Math.max(0, sq / sw - 2 * (mx * mcx + my * mcy) + mcx * mcx + mcy * mcy)) * bs;
            } else if (sw > 0) {
                double mx = sx / sw, my = sy / sw;
                sx = ox + mx;
                sy = oy + my;
                spread = Math.sqrt(Math.max(0, sq / sw - (mx * mx + my * my))) * bs;
            } else {
                sx = bx;
                sy = by;
                spread = 0;
            }
        } else {
            sx = Double.NaN;
            sy = Double.NaN;
        }
        out.mleX[r] = count > 0 ? bx : Double.NaN;
        out.mleY[r] = count > 0 ? by : Double.NaN;
        out.waX[r] = sx;
        out.waY[r] = sy;
        out.spread[r] = spread;
        out.candidates[r] = count;
    }
}
