// geomend CUDA kernels: shared helpers. Every cuda-src/*.cu is #included into ONE translation unit by
// native-build/build-fatbin.sh, so helpers here are static inline and guarded.
//
// Conventions shared by all kernels (they mirror org.geomend.kernels.java.JavaKernels):
//  * rasters are row-major, row 0 = south; pixel centre x = x0 + (c + 0.5) * r, computed with
//    explicitly rounded intrinsics so nvcc cannot contract it into an FMA (Java never fuses);
//  * a knn raster holds kk int32 per pixel, nearest first, -1 padded;
//  * a map batch is count maps of width x height float32, map m at element offset m * width * height,
//    whose window starts at raster pixel (row0[m], col0[m]);
//  * launches over many maps use gridDim.y (or .z) for the map and take a `mapBase` so the host can
//    split batches larger than the 65535 grid limit.
#ifndef GEOMEND_COMMON_CUH
#define GEOMEND_COMMON_CUH

#include <cstdint>

#define GEOMEND_KMAX 9      // most neighbours a knn raster holds
#define GEOMEND_SPDI_KMAX 8 // most neighbours sPDI uses (2^7 paired subsets)

// Pixel centre coordinate, exactly as Java's GridSpec.centreX: x0 + (c + 0.5) * r, no FMA.
static __device__ __forceinline__ double gm_centre(double x0, int c, double r) {
    return __dadd_rn(x0, __dmul_rn((double)c + 0.5, r));
}

// dx*dx + dy*dy with each operation rounded separately (no FMA), as Java computes it.
static __device__ __forceinline__ double gm_sq(double dx, double dy) {
    return __dadd_rn(__dmul_rn(dx, dx), __dmul_rn(dy, dy));
}

// Sum of a double over the block (blockDim.x a multiple of 32, <= 1024). Result valid in thread 0.
// Deterministic for a fixed block size. `scratch` holds >= 32 doubles of shared memory.
static __device__ __forceinline__ double gm_block_sum(double v, double* scratch) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    int nw = (blockDim.x + 31) >> 5;
    if (warp == 0) {
        v = lane < nw ? scratch[lane] : 0.0;
        for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    }
    __syncthreads();
    return v;
}

// Maximum of a double over the block; result valid in thread 0 (same layout rules as gm_block_sum).
static __device__ __forceinline__ double gm_block_max(double v, double* scratch) {
    for (int o = 16; o > 0; o >>= 1) v = fmax(v, __shfl_down_sync(0xffffffffu, v, o));
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    int nw = (blockDim.x + 31) >> 5;
    if (warp == 0) {
        v = lane < nw ? scratch[lane] : 0.0;
        for (int o = 16; o > 0; o >>= 1) v = fmax(v, __shfl_down_sync(0xffffffffu, v, o));
    }
    __syncthreads();
    return v;
}

#endif
