// geomend_knn: the kk nearest sites of every pixel centre of a raster.
#include "common.cuh"

#define GEOMEND_KNN_BLOCK 16   // pixels per side of a block; must equal JavaKernels.BLOCK
#define GEOMEND_KNN_TILE 256   // candidates staged in shared memory at a time (= threads per block)

// (d, j) sorts before (bd, bj): nearer, or as near with a lower index. Empty slots hold (inf, -1).
static __device__ __forceinline__ bool gm_before(double d, int j, double bd, int bj) {
    return d < bd || (d == bd && (unsigned)j < (unsigned)bj);
}

template <int KK>
static __device__ void gm_knn_body(const double* __restrict__ sx, const double* __restrict__ sy,
                                   const int* __restrict__ candOff, const int* __restrict__ candIdx,
                                   double x0, double y0, double r, int width, int height,
                                   int* __restrict__ out, double* tx, double* ty, int* ti) {
    const int c = blockIdx.x * GEOMEND_KNN_BLOCK + threadIdx.x;
    const int row = blockIdx.y * GEOMEND_KNN_BLOCK + threadIdx.y;
    const int tid = threadIdx.y * GEOMEND_KNN_BLOCK + threadIdx.x;
    const int b = blockIdx.y * gridDim.x + blockIdx.x;
    const int begin = candOff[b], end = candOff[b + 1];
    const double px = gm_centre(x0, c, r), py = gm_centre(y0, row, r);
    double bd[KK];
    int bi[KK];
#pragma unroll
    for (int t = 0; t < KK; t++) { bd[t] = __longlong_as_double(0x7ff0000000000000LL); bi[t] = -1; }
    for (int base = begin; base < end; base += GEOMEND_KNN_TILE) {
        int n = min(GEOMEND_KNN_TILE, end - base);
        __syncthreads();
        if (tid < n) {
            int j = candIdx[base + tid];
            ti[tid] = j; tx[tid] = sx[j]; ty[tid] = sy[j];
        }
        __syncthreads();
        for (int t = 0; t < n; t++) {
            int j = ti[t];
            double d = gm_sq(px - tx[t], py - ty[t]);
            if (!gm_before(d, j, bd[KK - 1], bi[KK - 1])) continue;
            bool placed = false;
#pragma unroll
            for (int p = KK - 1; p > 0; --p) {
                if (!placed) {
                    if (gm_before(d, j, bd[p - 1], bi[p - 1])) { bd[p] = bd[p - 1]; bi[p] = bi[p - 1]; }
                    else { bd[p] = d; bi[p] = j; placed = true; }
                }
            }
            if (!placed) { bd[0] = d; bi[0] = j; }
        }
    }
    if (c < width && row < height) {
        int* o = out + ((long long)row * width + c) * KK;
#pragma unroll
        for (int t = 0; t < KK; t++) o[t] = bi[t];
    }
}

// geomend_knn
//   grid  = (ceil(width / 16), ceil(height / 16)), block = (16, 16, 1), no dynamic shared memory.
//   One thread block per 16 x 16 pixel block b = blockIdx.y * gridDim.x + blockIdx.x; its candidate
//   sites are candIdx[candOff[b] .. candOff[b+1]) (ascending index, computed on the host with
//   JavaKernels.candidates, so the result equals JavaKernels bit for bit). Candidates are staged
//   through shared memory 256 at a time; each thread keeps its kk best (distance^2, index) in registers.
//   sx, sy     : site positions (n doubles each)
//   candOff    : gridDim.x * gridDim.y + 1 ints; candIdx: candOff[last] ints
//   x0, y0, r  : raster lower-left corner and resolution; width, height: raster size in pixels
//   kk         : neighbours per pixel, 1..9
//   out        : width * height * kk ints, out[(row * width + col) * kk + n], -1 padded
extern "C" __global__ void __launch_bounds__(256)
geomend_knn(const double* __restrict__ sx, const double* __restrict__ sy,
            const int* __restrict__ candOff, const int* __restrict__ candIdx,
            double x0, double y0, double r, int width, int height, int kk, int* __restrict__ out) {
    __shared__ double tx[GEOMEND_KNN_TILE];
    __shared__ double ty[GEOMEND_KNN_TILE];
    __shared__ int ti[GEOMEND_KNN_TILE];
    switch (kk) {
        case 1: gm_knn_body<1>(sx, sy, candOff, candIdx, x0, y0, r, width, height, out, tx, ty, ti); break;
        case 2: gm_knn_body<2>(sx, sy, candOff, candIdx, x0, y0, r, width, height, out, tx, ty, ti); break;
        case 3: gm_knn_body<3>(sx, sy, candOff, candIdx, x0, y0, r, width, height, out, tx, ty, ti); break;
        case 4: gm_knn_body<4>(sx, sy, candOff, candIdx, x0, y0, r, width, height, out, tx, ty, ti); break;
        case 5: gm_knn_body<5>(sx, sy, candOff, candIdx, x0, y0, r, width, height, out, tx, ty, ti); break;
        case 6: gm_knn_body<6>(sx, sy, candOff, candIdx, x0, y0, r, width, height, out, tx, ty, ti); break;
        case 7: gm_knn_body<7>(sx, sy, candOff, candIdx, x0, y0, r, width, height, out, tx, ty, ti); break;
        case 8: gm_knn_body<8>(sx, sy, candOff, candIdx, x0, y0, r, width, height, out, tx, ty, ti); break;
        case 9: gm_knn_body<9>(sx, sy, candOff, candIdx, x0, y0, r, width, height, out, tx, ty, ti); break;
        default: break;
    }
}
