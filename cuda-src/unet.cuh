// geomend U-Net kernels (unet.cu): shared constants and helpers. Included once into the single translation unit
// that native-build/build-fatbin.sh builds, so everything here is static inline and guarded.
//
// Conventions (they mirror org.geomend.kernels.nn.NnKernels):
//  * tensors are float32, NCHW, contiguous; element (n, c, y, x) of a [N, C, H, W] tensor is at
//    ((n * C + c) * H + y) * W + x, computed in 64-bit;
//  * convolutions are stride 1, "same" zero padding pad = K / 2 with K odd, cross-correlation
//    (y[o] = sum_i w[o, i] (*) x[i], the convention of PyTorch and cuDNN's CUDNN_CROSS_CORRELATION);
//  * every kernel is launched with blockDim = (GM_NN_THREADS, 1, 1); element-wise kernels use grid-stride
//    loops so that any grid size is correct (the host caps it);
//  * no kernel uses floating-point atomics: reductions are two-pass with a fixed order for a fixed
//    launch configuration, so results are bit-for-bit repeatable.
#ifndef GEOMEND_UNET_CUH
#define GEOMEND_UNET_CUH

#include "common.cuh"

#define GM_NN_THREADS 256 // threads per block of every geomend_nn_* kernel
#define GM_NN_BK 8        // reduction depth of one shared-memory slab of the implicit GEMMs

// Grid-stride loop over [0, n) with 64-bit indices.
#define GM_NN_FOR(i, n)                                                                   \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n);         \
         i += (long long)gridDim.x * blockDim.x)

#endif
