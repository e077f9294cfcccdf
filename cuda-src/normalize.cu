// geomend_normalize_sum + geomend_normalize_div: mask, per-map float64 sum, divide.
#include "common.cuh"

#define GEOMEND_NORM_THREADS 256

// geomend_normalize_sum (pass 1)
//   grid  = (parts, maps in this launch), block = (256, 1, 1); parts blocks per map walk its pixels
//   with a grid stride of parts * 256, zero the pixels whose mask byte is 0 (mask may be NULL) and
//   write the block's float64 partial sum to partials[m * parts + blockIdx.x] (deterministic order).
//   maps       : count * width * height floats (updated in place where masked)
//   mask       : uint8 raster (rasterWidth columns) or NULL; col0, row0: per-map window origin
extern "C" __global__ void __launch_bounds__(GEOMEND_NORM_THREADS)
geomend_normalize_sum(float* __restrict__ maps, const unsigned char* __restrict__ mask, int rasterWidth,
                      const int* __restrict__ col0, const int* __restrict__ row0,
                      int mapBase, int width, int height, int parts, double* __restrict__ partials) {
    __shared__ double scratch[32];
    const long long np = (long long)width * height;
    const int m = mapBase + blockIdx.y;
    float* map = maps + (long long)m * np;
    double s = 0.0;
    for (long long p = (long long)blockIdx.x * blockDim.x + threadIdx.x; p < np;
         p += (long long)parts * blockDim.x) {
        float v = map[p];
        if (mask != nullptr) {
            int row = (int)(p / width), col = (int)(p - (long long)row * width);
            if (mask[(long long)(row0[m] + row) * rasterWidth + col0[m] + col] == 0) { v = 0.0f; map[p] = 0.0f; }
        }
        s += (double)v;
    }
    s = gm_block_sum(s, scratch);
    if (threadIdx.x == 0) partials[(long long)m * parts + blockIdx.x] = s;
}

// geomend_normalize_div (pass 2)
//   grid  = (ceil(width * height / 256), maps in this launch), block = (256, 1, 1).
//   Every thread adds the map's `parts` partials in order (same value everywhere); block 0 of each
//   map stores it in sums[m]; when it is > 0 each pixel becomes (float)(v * (1.0 / sum)), as in Java.
extern "C" __global__ void __launch_bounds__(GEOMEND_NORM_THREADS)
geomend_normalize_div(float* __restrict__ maps, const double* __restrict__ partials, int parts,
                      int mapBase, int width, int height, double* __restrict__ sums) {
    const long long np = (long long)width * height;
    const int m = mapBase + blockIdx.y;
    double sum = 0.0;
    for (int t = 0; t < parts; t++) sum += partials[(long long)m * parts + t];
    if (blockIdx.x == 0 && threadIdx.x == 0) sums[m] = sum;
    const long long p = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= np || !(sum > 0.0)) return;
    const double inv = 1.0 / sum;
    float* map = maps + (long long)m * np;
    map[p] = __double2float_rn(__dmul_rn((double)map[p], inv));
}
