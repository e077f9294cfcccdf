// geomend_voronoi, geomend_spdi: unnormalised geolocation maps drawn from a knn raster.
#include "common.cuh"

// geomend_voronoi
//   grid  = (ceil(width * height / 256), maps in this launch), block = (256, 1, 1).
//   Thread -> pixel p = blockIdx.x * 256 + threadIdx.x of map m = mapBase + blockIdx.y.
//   knn        : raster of kk ints per pixel (rasterWidth columns)
//   site, col0, row0 : per map (count ints each): the site and the window's first raster pixel
//   width, height    : map window size; maps: count * width * height floats (1 where the pixel's
//                      nearest site is site[m], else 0)
extern "C" __global__ void __launch_bounds__(256)
geomend_voronoi(const int* __restrict__ knn, int rasterWidth, int kk,
                const int* __restrict__ site, const int* __restrict__ col0, const int* __restrict__ row0,
                int mapBase, int width, int height, float* __restrict__ maps) {
    const long long np = (long long)width * height;
    const long long p = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const int m = mapBase + blockIdx.y;
    if (p >= np) return;
    const int row = (int)(p / width), col = (int)(p - (long long)row * width);
    const long long src = ((long long)(row0[m] + row) * rasterWidth + col0[m] + col) * kk;
    maps[(long long)m * np + p] = knn[src] == site[m] ? 1.0f : 0.0f;
}

// sum over subsets v of {0..n-1} of (-1)^|v| / (1 + sum_{j in v} a_j), clamped to [0, 1]: the same
// pairing on element n-1 as JavaKernels.subsetSum, and the same association of every subset sum
// (s[v] = s[v without its lowest bit] + a[lowest bit], i.e. 1 + bits added from the highest down),
// recomputed per subset instead of tabulated so that everything stays in registers.
static __device__ __forceinline__ double gm_subset_sum(const double (&a)[GEOMEND_SPDI_KMAX], int n) {
    if (n == 0) return 1.0;
    double last = a[0];
#pragma unroll
    for (int t = 1; t < GEOMEND_SPDI_KMAX; t++) if (t == n - 1) last = a[t];
    const int half = 1 << (n - 1);
    double sum = last / __dadd_rn(1.0, last);
    for (int v = 1; v < half; v++) {
        double sv = 1.0;
#pragma unroll
        for (int t = GEOMEND_SPDI_KMAX - 2; t >= 0; --t)
            if ((v >> t) & 1) sv = __dadd_rn(sv, a[t]);
        double term = last / __dmul_rn(sv, __dadd_rn(sv, last));
        sum = (__popc(v) & 1) == 0 ? __dadd_rn(sum, term) : __dadd_rn(sum, -term);
    }
    return sum < 0.0 ? 0.0 : (sum > 1.0 ? 1.0 : sum);
}

// a_j = r^beta as SpdiRows.Power forms it on the CPU: an integer beta up to 6 by multiplications
// (beta = 2: r r), a half-integer beta up to 3 as sqrt(r)^(2 beta), any other beta with pow.
static __device__ __forceinline__ double gm_pow_beta(double r, double b) {
    const double twice = b + b;
    if (twice == rint(twice) && twice <= 12.0) {
        int n = (int)twice;
        if (n & 1) r = sqrt(r);
        else n >>= 1;
        if (n <= 6) {
            const double r2 = __dmul_rn(r, r);
            switch (n) {
                case 1: return r;
                case 2: return r2;
                case 3: return __dmul_rn(r2, r);
                case 4: return __dmul_rn(r2, r2);
                case 5: return __dmul_rn(__dmul_rn(r2, r2), r);
                case 6: return __dmul_rn(__dmul_rn(r2, r2), r2);
                default: break;
            }
        }
        return pow(r, (double)n);
    }
    return pow(r, b);
}

// Largest a_j for which two groups of four share one division (the common denominator has eight
// factors of at most 1 + 8 a): SpdiRows.PAIR_LIMIT.
#define GEOMEND_SPDI_PAIR_LIMIT 1e30

// The same sum as gm_subset_sum for n = k >= 2 neighbours, grouped as SpdiRows does it: A = a[k-1] (the
// farthest), B = a[0] (the nearest), 1/S - 1/(S+A) - 1/(S+B) + 1/(S+A+B) = A B N(S) / D(S) with
// N(S) = 2S + A + B, D(S) = S (S+A) (S+B) (S+A+B) (no group cancels); for k >= 3 the groups of S and
// S + C (C = a[k-2]) share one division, (N(S) D(T) - N(T) D(S)) / (D(S) D(T)) with T = S + C, over the
// subsets v of a[1..k-3] (S_v = 1 + bits added from the highest down): 2^(k-3) divisions. Needs every
// a_j <= GEOMEND_SPDI_PAIR_LIMIT. Clamped to [0, 1].
static __device__ __forceinline__ double gm_paired_quads(const double (&a)[GEOMEND_SPDI_KMAX], int k) {
    double A = a[1], C = a[0];
#pragma unroll
    for (int t = 1; t < GEOMEND_SPDI_KMAX; t++) {
        if (t == k - 1) A = a[t];
        if (t == k - 2) C = a[t];
    }
    const double B = a[0], ab = __dadd_rn(A, B);
    double sum;
    if (k == 2) {
        const double ya = __dadd_rn(1.0, A), yb = __dadd_rn(1.0, B);
        sum = __dadd_rn(ya, yb) / __dmul_rn(__dmul_rn(ya, yb), __dadd_rn(ya, B));
    } else {
        sum = 0.0;
        const int pairs = 1 << (k - 3);
        for (int v = 0; v < pairs; v++) {
            double s = 1.0;
#pragma unroll
            for (int t = GEOMEND_SPDI_KMAX - 4; t >= 0; --t)
                if ((v >> t) & 1) s = __dadd_rn(s, a[t + 1]);
            const double z = __dadd_rn(s, C);
            const double sa = __dadd_rn(s, A), sb = __dadd_rn(s, B), za = __dadd_rn(z, A), zb = __dadd_rn(z, B);
            const double ns = __dadd_rn(__dadd_rn(s, s), ab), nz = __dadd_rn(__dadd_rn(z, z), ab);
            const double ds = __dmul_rn(__dmul_rn(__dmul_rn(s, sa), sb), __dadd_rn(sa, B));
            const double dz = __dmul_rn(__dmul_rn(__dmul_rn(z, za), zb), __dadd_rn(za, B));
            const double term = __dadd_rn(__dmul_rn(ns, dz), -__dmul_rn(nz, ds)) / __dmul_rn(ds, dz);
            sum = (__popc(v) & 1) == 0 ? __dadd_rn(sum, term) : __dadd_rn(sum, -term);
        }
    }
    sum = __dmul_rn(__dmul_rn(sum, A), B);
    return sum < 0.0 ? 0.0 : (sum > 1.0 ? 1.0 : sum);
}

// geomend_spdi: closed-form sPDI P(i|l) (SPEC section 2), float64 math, stored as float32.
//   grid  = (ceil(width * height / 256), maps in this launch), block = (256, 1, 1).
//   Thread -> pixel p of map m = mapBase + blockIdx.y. The neighbour set C is the first k entries of
//   the pixel's knn list with site[m] skipped (stop at -1); a_j = (d_j * (1 / d_i))^beta[m] by
//   gm_pow_beta, d = sqrt(dx^2 + dy^2) + 1 measured from the pixel centre; the sum by gm_paired_quads
//   (k >= 2 with k neighbours, every a_j within its range), else by gm_subset_sum (as SpdiRows).
//   sx, sy     : site positions; knn: raster (rasterWidth columns, kk ints per pixel, kk >= k + 1)
//   x0, y0, r  : raster lower-left corner and resolution (pixel centres as in GridSpec)
//   k          : neighbours, 1..8
//   site, col0, row0 : per map ints; beta: per map doubles
//   maps       : count * width * height floats
extern "C" __global__ void __launch_bounds__(256)
geomend_spdi(const double* __restrict__ sx, const double* __restrict__ sy,
             const int* __restrict__ knn, double x0, double y0, double r, int rasterWidth, int kk, int k,
             const int* __restrict__ site, const int* __restrict__ col0, const int* __restrict__ row0,
             const double* __restrict__ beta, int mapBase, int width, int height, float* __restrict__ maps) {
    const long long np = (long long)width * height;
    const long long p = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const int m = mapBase + blockIdx.y;
    if (p >= np) return;
    const int row = (int)(p / width), col = (int)(p - (long long)row * width);
    const int gr = row0[m] + row, gc = col0[m] + col, i = site[m];
    const double b = beta[m];
    const double px = gm_centre(x0, gc, r), py = gm_centre(y0, gr, r);
    const double di = __dadd_rn(sqrt(gm_sq(px - sx[i], py - sy[i])), 1.0), inv = 1.0 / di;
    const int* nn = knn + ((long long)gr * rasterWidth + gc) * kk;
    double a[GEOMEND_SPDI_KMAX];
    int n = 0;
    bool wide = false;
#pragma unroll
    for (int t = 0; t < GEOMEND_SPDI_KMAX; t++) a[t] = 0.0;
    for (int t = 0; t < kk && n < k; t++) {
        int j = nn[t];
        if (j < 0) break;
        if (j == i) continue;
        double dj = __dadd_rn(sqrt(gm_sq(px - sx[j], py - sy[j])), 1.0);
        double v = gm_pow_beta(__dmul_rn(dj, inv), b);
        wide |= !(v <= GEOMEND_SPDI_PAIR_LIMIT);
        // write a[n] without a dynamic register index
#pragma unroll
        for (int u = 0; u < GEOMEND_SPDI_KMAX; u++) if (u == n) a[u] = v;
        n++;
    }
    const double pr = n == k && k >= 2 && !wide ? gm_paired_quads(a, k) : gm_subset_sum(a, n);
    maps[(long long)m * np + p] = __double2float_rn(pr);
}
