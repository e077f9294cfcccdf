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

// geomend_spdi: closed-form sPDI P(i|l) (SPEC section 2), float64 math, stored as float32.
//   grid  = (ceil(width * height / 256), maps in this launch), block = (256, 1, 1).
//   Thread -> pixel p of map m = mapBase + blockIdx.y. The neighbour set C is the first k entries of
//   the pixel's knn list with site[m] skipped (stop at -1); a_j = pow(d_j / d_i, beta[m]) with
//   d = sqrt(dx^2 + dy^2) + 1 measured from the pixel centre.
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
    const double di = __dadd_rn(sqrt(gm_sq(px - sx[i], py - sy[i])), 1.0);
    const int* nn = knn + ((long long)gr * rasterWidth + gc) * kk;
    double a[GEOMEND_SPDI_KMAX];
    int n = 0;
#pragma unroll
    for (int t = 0; t < GEOMEND_SPDI_KMAX; t++) a[t] = 0.0;
    for (int t = 0; t < kk && n < k; t++) {
        int j = nn[t];
        if (j < 0) break;
        if (j == i) continue;
        double dj = __dadd_rn(sqrt(gm_sq(px - sx[j], py - sy[j])), 1.0);
        double v = pow(dj / di, b);
        // write a[n] without a dynamic register index
#pragma unroll
        for (int u = 0; u < GEOMEND_SPDI_KMAX; u++) if (u == n) a[u] = v;
        n++;
    }
    maps[(long long)m * np + p] = __double2float_rn(gm_subset_sum(a, n));
}
