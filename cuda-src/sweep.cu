// geomend_spdi_sweep: the teacher's batched beta search (GeoKernels.spdiBetaSweep) for ONE site: the
// unnormalised sPDI maps of a block of betas, the neighbour work done once per pixel. The host then
// normalises them with geomend_normalize_sum/div and scores them with geomend_ks2_rows/cols/combine
// against the reference map, all on the device (maps never leave it).
#include "common.cuh"

// geomend_spdi_sweep
//   grid  = (ceil(width * height / 256), 1), block = (256, 1, 1). Thread -> pixel p of the window whose
//   first pixel is raster pixel (row0, col0). Once per pixel: the neighbour set C (the first k entries of
//   the pixel's knn list with `site` skipped, stop at -1, exactly as geomend_spdi) and L_j = log(d_j / d_i),
//   d = sqrt(dx^2 + dy^2) + 1 from the pixel centre. Then for each beta t in [base, base + count):
//   a_j = exp(beta[t] * L_j), the sum by gm_paired_quads where |beta L_j| <= 69 (else gm_subset_sum),
//   clamped, stored as float32 at
//   maps[(t - base) * width * height + p].
//   sx, sy     : site positions; knn: raster (rasterWidth columns, kk ints per pixel, kk >= k + 1)
//   x0, y0, r  : raster lower-left corner and resolution (pixel centres as in GridSpec)
//   k          : neighbours, 1..8; betas: all betas of the sweep (doubles)
extern "C" __global__ void __launch_bounds__(256)
geomend_spdi_sweep(const double* __restrict__ sx, const double* __restrict__ sy,
                   const int* __restrict__ knn, double x0, double y0, double r, int rasterWidth, int kk, int k,
                   int site, int col0, int row0, int width, int height,
                   const double* __restrict__ betas, int base, int count, float* __restrict__ maps) {
    const long long np = (long long)width * height;
    const long long p = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= np) return;
    const int row = (int)(p / width), col = (int)(p - (long long)row * width);
    const int gr = row0 + row, gc = col0 + col;
    const double px = gm_centre(x0, gc, r), py = gm_centre(y0, gr, r);
    const double di = __dadd_rn(sqrt(gm_sq(px - sx[site], py - sy[site])), 1.0);
    const int* nn = knn + ((long long)gr * rasterWidth + gc) * kk;
    double L[GEOMEND_SPDI_KMAX];
    int n = 0;
#pragma unroll
    for (int t = 0; t < GEOMEND_SPDI_KMAX; t++) L[t] = 0.0;
    for (int t = 0; t < kk && n < k; t++) {
        int j = nn[t];
        if (j < 0) break;
        if (j == site) continue;
        double dj = __dadd_rn(sqrt(gm_sq(px - sx[j], py - sy[j])), 1.0);
        double v = log(dj / di);
#pragma unroll
        for (int u = 0; u < GEOMEND_SPDI_KMAX; u++) if (u == n) L[u] = v;
        n++;
    }
    double maxL = 0.0;
#pragma unroll
    for (int u = 0; u < GEOMEND_SPDI_KMAX; u++) maxL = fmax(maxL, fabs(L[u]));
    for (int t = 0; t < count; t++) {
        const double b = betas[base + t];
        double a[GEOMEND_SPDI_KMAX];
#pragma unroll
        for (int u = 0; u < GEOMEND_SPDI_KMAX; u++) a[u] = u < n ? exp(b * L[u]) : 0.0;
        // the grouped sum where every a_j = e^(beta L_j) stays within its range (e^69 < 1e30)
        const double pr = n == k && k >= 2 && b * maxL <= 69.0 ? gm_paired_quads(a, k) : gm_subset_sum(a, n);
        maps[(long long)t * np + p] = __double2float_rn(pr);
    }
}
