// geomend_ks2_rows + geomend_ks2_cols + geomend_ks2_combine: KS2 (SPEC section 3) of one reference
// map P against `count` candidate maps Q_m, O(W H) per pair.
//
// With D = P - Q (float64) and C(a, b) the mass of D in columns < a and rows < b, the four quadrant
// differences at (a, b) are ll = C(a,b), lr = C(W,b) - C(a,b), ul = C(a,H) - C(a,b) and
// ur = C(W,H) - C(a,H) - lr. For a fixed column a, ul and ur only depend on b through C(a,b) and
// lr(a,b), so max_b |ul| = max(|C(a,H) - min_b C|, |C(a,H) - max_b C|) (rounding is monotone), and the
// same for ur with lr: a column only needs the running min/max of C and of lr, not C(a,H) up front.
// That lets the rows be cut into strips processed independently (C = strip offset + strip-local C):
//   1. geomend_ks2_rows   : R[m][r][c] = sum_{c' <= c} D(r, c')         (a warp per row)
//   2. geomend_ks2_cols   : per (map, strip, a) local min/max of C and lr, strip column total
//   3. geomend_ks2_combine: per map, walk the strips adding offsets, the four maxima, block max.
// Global traffic per batch ~ 4 B (read Q) + 16 B (write + read R) per pixel; no atomics, deterministic.
#include "common.cuh"

#define GEOMEND_KS2_ROWS_PER_BLOCK 8   // warps (rows) per block of geomend_ks2_rows
#define GEOMEND_KS2_COLS_THREADS 128
#define GEOMEND_KS2_COMBINE_THREADS 256

// geomend_ks2_rows
//   grid  = (ceil(height / 8), count), block = (256, 1, 1): warp w of block (x, m) scans row
//   x * 8 + w of map m in chunks of 32 columns (warp shuffle inclusive scan + carry).
//   ref        : width * height floats (P); cand: count * width * height floats (Q_m)
//   rows       : count * height * width doubles, inclusive row prefix of D = P - Q_m
extern "C" __global__ void __launch_bounds__(256)
geomend_ks2_rows(const float* __restrict__ ref, const float* __restrict__ cand, int width, int height,
                 double* __restrict__ rows) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int row = blockIdx.x * GEOMEND_KS2_ROWS_PER_BLOCK + warp;
    const int m = blockIdx.y;
    if (row >= height) return;
    const long long np = (long long)width * height;
    const float* p = ref + (long long)row * width;
    const float* q = cand + (long long)m * np + (long long)row * width;
    double* out = rows + (long long)m * np + (long long)row * width;
    double carry = 0.0;
    for (int c0 = 0; c0 < width; c0 += 32) {
        int c = c0 + lane;
        double v = c < width ? (double)p[c] - (double)q[c] : 0.0;
#pragma unroll
        for (int o = 1; o < 32; o <<= 1) {
            double u = __shfl_up_sync(0xffffffffu, v, o);
            if (lane >= o) v += u;
        }
        v += carry;
        if (c < width) out[c] = v;
        carry = __shfl_sync(0xffffffffu, v, 31);
    }
}

// geomend_ks2_cols
//   grid  = (ceil((width + 1) / 128), strips, count), block = (128, 1, 1). Thread -> grid-line column
//   a in [0, width] of strip s (rows [s * stripH, min(height, (s + 1) * stripH))) of map m. Walking
//   the strip's rows it accumulates the strip-local C(a, .) (from R[.][a - 1]) and the local row
//   total prefix T (from R[.][width - 1]); lr = T - C. Outputs, each an array of
//   count * strips * (width + 1) doubles at part + k * stride (stride = count * strips * (width + 1)),
//   index (m * strips + s) * (width + 1) + a: k = 0 min C, 1 max C, 2 min lr, 3 max lr, 4 strip C total;
//   rowPart[m * strips + s] = strip row total (written by a == 0). The strip start (all zero) counts.
extern "C" __global__ void __launch_bounds__(GEOMEND_KS2_COLS_THREADS)
geomend_ks2_cols(const double* __restrict__ rows, int width, int height, int stripH, int strips,
                 double* __restrict__ part, double* __restrict__ rowPart) {
    const int a = blockIdx.x * blockDim.x + threadIdx.x;
    const int s = blockIdx.y, m = blockIdx.z;
    if (a > width) return;
    const long long np = (long long)width * height;
    const int r0 = s * stripH, r1 = min(height, r0 + stripH);
    const double* base = rows + (long long)m * np;
    double C = 0.0, T = 0.0, minC = 0.0, maxC = 0.0, minL = 0.0, maxL = 0.0;
#pragma unroll 4
    for (int r = r0; r < r1; r++) {
        const double* rr = base + (long long)r * width;
        T += rr[width - 1];
        if (a > 0) C += rr[a - 1];
        double L = T - C;
        minC = fmin(minC, C); maxC = fmax(maxC, C);
        minL = fmin(minL, L); maxL = fmax(maxL, L);
    }
    const long long stride = (long long)gridDim.z * strips * (width + 1);
    const long long i = ((long long)m * strips + s) * (width + 1) + a;
    part[i] = minC;
    part[i + stride] = maxC;
    part[i + 2 * stride] = minL;
    part[i + 3 * stride] = maxL;
    part[i + 4 * stride] = C;
    if (a == 0) rowPart[(long long)m * strips + s] = T;
}

// geomend_ks2_combine
//   grid  = (count), block = (256, 1, 1). Threads stride over a in [0, width]; each walks the strips
//   in order, shifting strip-local extremes by the offsets C(a, strip start) and
//   T(strip start) - C(a, strip start), then forms the four quadrant maxima; a block max gives out[m].
//   part, rowPart: as written by geomend_ks2_cols (count as gridDim.x); out: count doubles.
extern "C" __global__ void __launch_bounds__(GEOMEND_KS2_COMBINE_THREADS)
geomend_ks2_combine(const double* __restrict__ part, const double* __restrict__ rowPart,
                    int width, int strips, double* __restrict__ out) {
    __shared__ double scratch[32];
    const int m = blockIdx.x;
    const long long stride = (long long)gridDim.x * strips * (width + 1);
    double best = 0.0;
    for (int a = threadIdx.x; a <= width; a += blockDim.x) {
        double Cs = 0.0, Ts = 0.0;
        double minC = 0.0, maxC = 0.0, minL = 0.0, maxL = 0.0;  // b = 0: C = lr = 0
        for (int s = 0; s < strips; s++) {
            const long long i = ((long long)m * strips + s) * (width + 1) + a;
            const double Ls = Ts - Cs;
            minC = fmin(minC, Cs + part[i]);
            maxC = fmax(maxC, Cs + part[i + stride]);
            minL = fmin(minL, Ls + part[i + 2 * stride]);
            maxL = fmax(maxL, Ls + part[i + 3 * stride]);
            Cs += part[i + 4 * stride];
            Ts += rowPart[(long long)m * strips + s];
        }
        const double colTot = Cs, rest = Ts - Cs;  // C(a, H) and C(W, H) - C(a, H)
        double v = fmax(fmax(fabs(minC), fabs(maxC)), fmax(fabs(minL), fabs(maxL)));
        v = fmax(v, fmax(fabs(colTot - minC), fabs(colTot - maxC)));
        v = fmax(v, fmax(fabs(rest - minL), fabs(rest - maxL)));
        best = fmax(best, v);
    }
    best = gm_block_max(best, scratch);
    if (threadIdx.x == 0) out[m] = best;
}
