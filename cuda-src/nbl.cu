// geomend_nbl_score: Network-Based Localization record scoring ("Can you find me now?", eq. 1-7) with
// the rules of org.geomend.kernels.nbl.NblModel, in float64 like org.geomend.kernels.nbl.NblReference.
//
// UNVERIFIED: compiled by nvcc on every build, never run on a GPU by the session that wrote it.
//
// Data (see NblMapArrays / NblBatch / NblResult on the Java side):
//   map    : cellStart[numCells + 1]; entries e of cell c are cellStart[c] .. cellStart[c + 1] with
//            ascending entTile[e]; per entry muR, isR (1 / sigma), muQ, isQ (mean NaN: no value of that
//            type); per tile tileX, tileY (Web Mercator m), tileScale (cos lat), tileDens (P(l));
//            per cell cellX, cellY (NaN: position unknown); fpd[fpdLen] the PD error density on bins
//            [fpdMin + k fpdBin, fpdMin + (k + 1) fpdBin), fpdLen 0 = no PD term.
//   batch  : record r owns rows recStart[r] .. recStart[r + 1]; per row cell (-1: unknown to the map),
//            rsrp, rssi, ta (NaN: not reported); rows of one cell are adjacent.
//   options: miss (factor of a reported cell without statistics in a candidate, per type), useDensity,
//            densityPower (w = P(l)^densityPower L^temperature, L the likelihood), temperature,
//            useRssi, usePd (0/1), allCells (1: candidates are the tiles every reported known cell holds,
//            their union when none; 0: the union), cutoff (the weighted average and spread over the
//            candidates of weight >= cutoff x best only; 0: all), laplace (1: the RSRP / RSSI factor is the
//            Laplace tail exp(-sqrt(2) |z|) instead of the Gaussian one), power (the weighted sums weigh each
//            candidate by w^power; MLE and cutoff use w), shift (mean-shift radius, metres, or with shiftRelative
//            times the spread about the weighted average; 0: off), shiftIters, shiftFromMle (the shift starts at
//            the MLE tile, else at the weighted average), as org.geomend.kernels.nbl.NblOptions.
//   output : est[5 r .. 5 r + 4] = mleX, mleY, waX, waY, spread (NaN when not placed; spread: weighted
//            RMS distance of the candidates around the weighted average x cos(lat) of the MLE tile),
//            cand[r] = candidates.
//
// One thread per record, no per-thread arrays (any number of cells per record): the candidate tiles
// (union of the reported cells' tile lists) are visited group by group; a tile already held by an
// earlier group of the record is skipped (binary search), so each candidate is weighted once. For a
// candidate, every reported cell with statistics contributes its factors, its entry found by binary
// search. With allCells, a first pass looks for a tile of the first known cell that every other known
// cell holds; if one exists, only the first known cell's tiles held by all are visited. Visiting order differs from the Java k-way merge, so the weighted sums are accumulated in a
// different order (float64 rounding only); the MLE tie-break is made order-free (equal weights: the
// lowest tile index wins, as in ascending order). With a cutoff the candidates are visited twice: the first
// pass finds the best weight, the second accumulates the weighted sums of those at or above cutoff x best.
// With a mean shift, each of its iterations is one more pass: the weighted sums of the candidates within the
// radius of the current point (about the origin), then the point moves to their average (it stays, and the
// shift ends, when none is within it); the spread is then about that point.
#include "common.cuh"

#define GM_NBL_TAIL_FLOOR 1e-6 // NblModel.TAIL_FLOOR

// max(2 P(N > |z|), TAIL_FLOOR) in float64 (NblModel.tail)
static __device__ __forceinline__ double gm_nbl_tail(double z) {
    return fmax(erfc(__ddiv_rn(fabs(z), 1.4142135623730951)), GM_NBL_TAIL_FLOOR);
}

// max(exp(-sqrt(2) |z|), TAIL_FLOOR) (NblModel.laplaceTail)
static __device__ __forceinline__ double gm_nbl_laplace(double z) {
    return fmax(exp(-1.4142135623730951 * fabs(z)), GM_NBL_TAIL_FLOOR);
}

// Entry of tile t in entTile[lo, hi) (ascending), or -1.
static __device__ __forceinline__ int gm_nbl_find(const int* __restrict__ entTile, int lo, int hi, int t) {
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        int v = __ldg(entTile + mid);
        if (v < t) lo = mid + 1;
        else if (v > t) hi = mid;
        else return mid;
    }
    return -1;
}

// Factor of one cell for one measurement type (eq. 3-6): 1 when the cell reported no value of it,
// MISS when the tile has no statistic of it (mu NaN), else the mean tail probability of the values.
static __device__ __forceinline__ double gm_nbl_measure(const float* __restrict__ v, int ms, int me, float mu, float invSd,
                                                         double miss, int laplace) {
    double sum = 0.0;
    int n = 0;
    for (int q = ms; q < me; q++) {
        float x = v[q];
        if (x == x) {
            n++;
            if (mu == mu) {
                const double z = __dmul_rn(__dsub_rn((double)x, (double)mu), (double)invSd);
                sum += laplace ? gm_nbl_laplace(z) : gm_nbl_tail(z);
            }
        }
    }
    if (n == 0) return 1.0;
    if (mu != mu) return miss;
    return sum / n;
}

// f_PD of a PD error in metres (NblMapArrays.fpdAt)
static __device__ __forceinline__ double gm_nbl_fpd(const float* __restrict__ fpd, int fpdLen, double fpdMin,
                                                     double fpdBin, double fpdFloor, double err) {
    double k = floor(__ddiv_rn(__dsub_rn(err, fpdMin), fpdBin));
    if (!(k >= 0.0 && k < (double)fpdLen)) return fpdFloor;
    return fmax((double)fpd[(int)k], fpdFloor);
}

// geomend_nbl_score
//   grid = (ceil(numRecords / 128)), block = (128). Thread -> record r = blockIdx.x * 128 + threadIdx.x.
//   useDensity: 1 multiplies by P(l), 0 does not.
// True when every known cell (rows m0 .. m1 other than group [ms, me)) holds tile t.
static __device__ __forceinline__ bool gm_nbl_all_hold(const int* __restrict__ cellStart, const int* __restrict__ entTile,
                                                       const int* __restrict__ cell, int m0, int m1, int ms, int t) {
    for (int mj = m0; mj < m1;) {
        const int cj = cell[mj];
        int ej = mj + 1;
        while (ej < m1 && cell[ej] == cj) ej++;
        if (mj != ms && cj >= 0 && cellStart[cj] < cellStart[cj + 1] &&
            gm_nbl_find(entTile, cellStart[cj], cellStart[cj + 1], t) < 0)
            return false;
        mj = ej;
    }
    return true;
}

extern "C" __global__ void __launch_bounds__(128)
geomend_nbl_score(const int* __restrict__ cellStart, const int* __restrict__ entTile,
                  const float* __restrict__ muR, const float* __restrict__ isR,
                  const float* __restrict__ muQ, const float* __restrict__ isQ,
                  const double* __restrict__ tileX, const double* __restrict__ tileY,
                  const float* __restrict__ tileScale, const float* __restrict__ tileDens,
                  const double* __restrict__ cellX, const double* __restrict__ cellY,
                  const float* __restrict__ fpd, int fpdLen, double fpdMin, double fpdBin, double fpdFloor,
                  double miss, int useDensity, double densityPower, double temperature, int useRssi, int usePd,
                  int allCells, double cutoff, int laplace, double power, double shift, int shiftIters,
                  int shiftFromMle, int shiftRelative,
                  const int* __restrict__ recStart, const int* __restrict__ cell,
                  const float* __restrict__ rsrp, const float* __restrict__ rssi, const float* __restrict__ ta,
                  int numRecords, double* __restrict__ est, int* __restrict__ cand) {
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= numRecords) return;
    const int m0 = recStart[r], m1 = recStart[r + 1];
    const double nan = __longlong_as_double(0x7ff8000000000000LL);
    int count = 0, bestT = 0x7fffffff;
    double best = -1.0, bx = nan, by = nan, bs = nan, sw = 0.0, sx = 0.0, sy = 0.0, sq = 0.0, ox = 0.0, oy = 0.0;
    // the all-cells rule: the rows of the first known cell, and whether some tile of it is held by all
    int first = -1;
    bool full = false;
    if (allCells) {
        for (int mj = m0; mj < m1 && first < 0;) {
            const int cj = cell[mj];
            int ej = mj + 1;
            while (ej < m1 && cell[ej] == cj) ej++;
            if (cj >= 0 && cellStart[cj] < cellStart[cj + 1]) first = mj;
            mj = ej;
        }
        if (first >= 0) {
            const int c = cell[first];
            for (int e = cellStart[c]; e < cellStart[c + 1] && !full; e++)
                full = gm_nbl_all_hold(cellStart, entTile, cell, m0, m1, first, __ldg(entTile + e));
        }
    }
    const int basePasses = cutoff > 0.0 ? 2 : 1;
    const int passes = basePasses + (shift > 0.0 ? shiftIters : 0);
    // the mean shift: current point (about the origin), squared radius, local sums of a shift pass
    double mcx = 0.0, mcy = 0.0, r2 = 0.0, lw = 0.0, lx = 0.0, ly = 0.0;
    for (int pass = 0; pass < passes; pass++) {
    if (pass == basePasses) {
        if (!(sw > 0.0)) break; // no weight: no shift (the estimate falls back to the MLE tile)
        const double mx = sx / sw, my = sy / sw;
        mcx = shiftFromMle ? __dsub_rn(bx, ox) : mx;
        mcy = shiftFromMle ? __dsub_rn(by, oy) : my;
        const double rm = shiftRelative ? shift * sqrt(fmax(0.0, sq / sw - mx * mx - my * my)) : shift / bs;
        r2 = rm * rm;
    }
    if (pass > basePasses) {
        if (!(lw > 0.0)) break; // no candidate within the radius: the point stays
        mcx = lx / lw;
        mcy = ly / lw;
    }
    lw = 0.0;
    lx = 0.0;
    ly = 0.0;
    // the last base pass accumulates the weighted sums of the candidates at or above lim; the shift passes
    // the local sums
    const double lim = cutoff > 0.0 && pass >= 1 ? cutoff * best : -1.0;
    count = 0;
    for (int mk = full ? first : m0; mk < m1;) {
        const int ck = cell[mk];
        int ek = mk + 1;
        while (ek < m1 && cell[ek] == ck) ek++;
        const int klo = ck >= 0 ? cellStart[ck] : 0, khi = ck >= 0 ? cellStart[ck + 1] : 0;
        for (int e = klo; e < khi; e++) {
            const int t = __ldg(entTile + e);
            if (full && !gm_nbl_all_hold(cellStart, entTile, cell, m0, m1, first, t)) continue;
            // skip a tile an earlier group of this record already weighted
            bool seen = false;
            for (int mj = m0; mj < mk && !seen && !full;) {
                const int cj = cell[mj];
                int ej = mj + 1;
                while (ej < mk && cell[ej] == cj) ej++;
                if (cj >= 0 && gm_nbl_find(entTile, cellStart[cj], cellStart[cj + 1], t) >= 0) seen = true;
                mj = ej;
            }
            if (seen) continue;
            const double txv = tileX[t], tyv = tileY[t];
            if (count == 0) { ox = txv; oy = tyv; } // origin of the weighted sums, as JavaNblScoring
            const bool temper = temperature != 1.0;
            double w = temper ? 1.0 : !useDensity ? 1.0 : densityPower == 1.0 ? (double)tileDens[t] : pow((double)tileDens[t], densityPower);
            for (int mj = m0; mj < m1;) {
                const int cj = cell[mj];
                int ej = mj + 1;
                while (ej < m1 && cell[ej] == cj) ej++;
                if (cj >= 0) {
                    const int jlo = cellStart[cj], jhi = cellStart[cj + 1];
                    if (jlo < jhi) {
                        const int en = mj == mk ? e : gm_nbl_find(entTile, jlo, jhi, t);
                        const float fn = __int_as_float(0x7fc00000);
                        w *= gm_nbl_measure(rsrp, mj, ej, en >= 0 ? muR[en] : fn, en >= 0 ? isR[en] : 0.0f, miss, laplace);
                        if (useRssi)
                            w *= gm_nbl_measure(rssi, mj, ej, en >= 0 ? muQ[en] : fn, en >= 0 ? isQ[en] : 0.0f, miss, laplace);
                        const double px = cellX[cj];
                        if (usePd && fpdLen > 0 && px == px) {
                            const double d = __dmul_rn(sqrt(gm_sq(__dsub_rn(txv, px), __dsub_rn(tyv, cellY[cj]))), (double)tileScale[t]);
                            double s = 0.0;
                            int np = 0;
                            for (int q = mj; q < ej; q++) {
                                const float p = ta[q];
                                if (p == p) {
                                    s += gm_nbl_fpd(fpd, fpdLen, fpdMin, fpdBin, fpdFloor, __dsub_rn(d, (double)p));
                                    np++;
                                }
                            }
                            if (np > 0) w *= s / np;
                        }
                    }
                }
                mj = ej;
            }
            if (temper)
                w = (!useDensity ? 1.0 : densityPower == 1.0 ? (double)tileDens[t] : pow((double)tileDens[t], densityPower)) *
                    pow(w, temperature);
            count++;
            if (pass == basePasses - 1 && w >= lim) {
                const double dx = __dsub_rn(txv, ox), dy = __dsub_rn(tyv, oy);
                const double wa = power == 1.0 ? w : pow(w, power);
                sw += wa;
                sx += wa * dx;
                sy += wa * dy;
                sq += wa * gm_sq(dx, dy);
            } else if (pass >= basePasses && w >= lim) {
                const double dx = __dsub_rn(txv, ox), dy = __dsub_rn(tyv, oy);
                const double ex = dx - mcx, ey = dy - mcy;
                if (ex * ex + ey * ey <= r2) {
                    const double wa = power == 1.0 ? w : pow(w, power);
                    lw += wa;
                    lx += wa * dx;
                    ly += wa * dy;
                }
            }
            if (pass == 0 && (w > best || (w == best && t < bestT))) { best = w; bestT = t; bx = txv; by = tyv; bs = (double)tileScale[t]; }
        }
        if (full) break; // only the first known cell's tiles
        mk = ek;
    }
    }
    double spread = nan;
    if (count > 0) {
        if (sw > 0.0 && shift > 0.0) {
            if (lw > 0.0) { // the last shift pass moved the point
                mcx = lx / lw;
                mcy = ly / lw;
            }
            const double mx = sx / sw, my = sy / sw;
            sx = ox + mcx;
            sy = oy + mcy;
            spread = sqrt(fmax(0.0, sq / sw - 2.0 * (mx * mcx + my * mcy) + mcx * mcx + mcy * mcy)) * bs;
        } else if (sw > 0.0) {
            const double mx = sx / sw, my = sy / sw;
            sx = ox + mx;
            sy = oy + my;
            spread = sqrt(fmax(0.0, sq / sw - gm_sq(mx, my))) * bs;
        } else {
            sx = bx;
            sy = by;
            spread = 0.0;
        }
    } else {
        sx = nan;
        sy = nan;
    }
    est[5LL * r + 0] = count > 0 ? bx : nan;
    est[5LL * r + 1] = count > 0 ? by : nan;
    est[5LL * r + 2] = sx;
    est[5LL * r + 3] = sy;
    est[5LL * r + 4] = spread;
    cand[r] = count;
}
