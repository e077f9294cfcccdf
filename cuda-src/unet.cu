// geomend_nn_*: the kernels of the U-Net student (issue 5), driven by org.geomend.cuda.CudaNnKernels.
// Conventions in unet.cuh. UNVERIFIED: written and compiled without a GPU; the conformance tests
// (CudaNnConformanceTest) check every kernel against a float64 reference once a device is present.
#include "unet.cuh"

// ====================================================================== element-wise

// geomend_nn_fill: t[i] = v for i < n.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_fill(float* __restrict__ t, long long n, float v) {
    GM_NN_FOR(i, n) t[i] = v;
}

// geomend_nn_relu_fwd: y = max(x, 0). y may alias x (no __restrict__).
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_relu_fwd(const float* x, float* y, long long n) {
    GM_NN_FOR(i, n) {
        float v = x[i];
        y[i] = v > 0.0f ? v : 0.0f;
    }
}

// geomend_nn_relu_bwd: dx = dy where y > 0, else 0 (y the forward output). dx may alias dy.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_relu_bwd(const float* __restrict__ y, const float* dy, float* dx, long long n) {
    GM_NN_FOR(i, n) {
        float g = dy[i];
        dx[i] = y[i] > 0.0f ? g : 0.0f;
    }
}

// geomend_nn_add: y += a (the sum of two gradients that meet, e.g. at a U-Net skip; NnKernels.add).
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_add(const float* __restrict__ a, float* __restrict__ y, long long n) {
    GM_NN_FOR(i, n) y[i] += a[i];
}

// Index (0..3, row-major in the 2 x 2 window) of the window's maximum; ties go to the first.
static __device__ __forceinline__ int gm_nn_argmax4(float a, float b, float c, float d, float* m) {
    int k = 0;
    float v = a;
    if (b > v) { v = b; k = 1; }
    if (c > v) { v = c; k = 2; }
    if (d > v) { v = d; k = 3; }
    *m = v;
    return k;
}

// geomend_nn_maxpool2_fwd: x [NC, H, W] -> y [NC, H/2, W/2] (H, W even; the host checks).
//   One thread per output element; nc = N * C planes.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_maxpool2_fwd(const float* __restrict__ x, float* __restrict__ y, long long nc, int H, int W) {
    const int Ho = H >> 1, Wo = W >> 1;
    const long long n = nc * Ho * Wo;
    GM_NN_FOR(i, n) {
        const long long plane = i / ((long long)Ho * Wo);
        const int r = (int)(i - plane * Ho * Wo), oy = r / Wo, ox = r - oy * Wo;
        const float* p = x + (plane * H + 2 * oy) * W + 2 * ox;
        float m;
        gm_nn_argmax4(p[0], p[1], p[W], p[W + 1], &m);
        y[i] = m;
    }
}

// geomend_nn_maxpool2_bwd: dx [NC, H, W] gets dy at each window's argmax in x (same tie rule), 0 elsewhere.
//   One thread per window writes all four dx elements (every dx element is written exactly once).
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_maxpool2_bwd(const float* __restrict__ x, const float* __restrict__ dy, float* __restrict__ dx,
                        long long nc, int H, int W) {
    const int Ho = H >> 1, Wo = W >> 1;
    const long long n = nc * Ho * Wo;
    GM_NN_FOR(i, n) {
        const long long plane = i / ((long long)Ho * Wo);
        const int r = (int)(i - plane * Ho * Wo), oy = r / Wo, ox = r - oy * Wo;
        const long long base = (plane * H + 2 * oy) * W + 2 * ox;
        const float* p = x + base;
        float m;
        const int k = gm_nn_argmax4(p[0], p[1], p[W], p[W + 1], &m);
        const float g = dy[i];
        float* q = dx + base;
        q[0] = k == 0 ? g : 0.0f;
        q[1] = k == 1 ? g : 0.0f;
        q[W] = k == 2 ? g : 0.0f;
        q[W + 1] = k == 3 ? g : 0.0f;
    }
}

// geomend_nn_upsample2_fwd: x [NC, H, W] -> y [NC, 2H, 2W], nearest neighbour. One thread per output element.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_upsample2_fwd(const float* __restrict__ x, float* __restrict__ y, long long nc, int H, int W) {
    const int Ho = 2 * H, Wo = 2 * W;
    const long long n = nc * Ho * Wo;
    GM_NN_FOR(i, n) {
        const long long plane = i / ((long long)Ho * Wo);
        const int r = (int)(i - plane * Ho * Wo), oy = r / Wo, ox = r - oy * Wo;
        y[i] = x[(plane * H + (oy >> 1)) * W + (ox >> 1)];
    }
}

// geomend_nn_upsample2_bwd: dx [NC, H, W] = sum of the four dy [NC, 2H, 2W] elements each was copied to,
//   added as (top-left + top-right) + (bottom-left + bottom-right). One thread per dx element.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_upsample2_bwd(const float* __restrict__ dy, float* __restrict__ dx, long long nc, int H, int W) {
    const int Wo = 2 * W;
    const long long n = nc * H * W;
    GM_NN_FOR(i, n) {
        const long long plane = i / ((long long)H * W);
        const int r = (int)(i - plane * H * W), iy = r / W, ix = r - iy * W;
        const float* p = dy + (plane * 2 * H + 2 * iy) * Wo + 2 * ix;
        dx[i] = (p[0] + p[1]) + (p[Wo] + p[Wo + 1]);
    }
}

// geomend_nn_concat: a [N, Ca, HW], b [N, Cb, HW] -> y [N, Ca + Cb, HW] (a first). One thread per y element.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_concat(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ y,
                  int N, int Ca, int Cb, long long HW) {
    const int C = Ca + Cb;
    const long long n = (long long)N * C * HW;
    GM_NN_FOR(i, n) {
        const long long img = i / ((long long)C * HW);
        const long long r = i - img * C * HW;
        const int c = (int)(r / HW);
        const long long p = r - (long long)c * HW;
        y[i] = c < Ca ? a[(img * Ca + c) * HW + p] : b[(img * Cb + (c - Ca)) * HW + p];
    }
}

// geomend_nn_split: the inverse of geomend_nn_concat: dy [N, Ca + Cb, HW] -> da [N, Ca, HW], db [N, Cb, HW].
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_split(const float* __restrict__ dy, float* __restrict__ da, float* __restrict__ db,
                 int N, int Ca, int Cb, long long HW) {
    const int C = Ca + Cb;
    const long long n = (long long)N * C * HW;
    GM_NN_FOR(i, n) {
        const long long img = i / ((long long)C * HW);
        const long long r = i - img * C * HW;
        const int c = (int)(r / HW);
        const long long p = r - (long long)c * HW;
        const float v = dy[i];
        if (c < Ca) da[(img * Ca + c) * HW + p] = v;
        else db[(img * Cb + (c - Ca)) * HW + p] = v;
    }
}

// ====================================================================== masked L1 loss (three passes, no atomics)

// geomend_nn_l1_partial: per block b, partials[2b] = sum mask * |pred - target| and partials[2b + 1] = sum mask
//   over the elements this block's threads visit (grid-stride), in float64.
//   grid = (parts, 1, 1), block = GM_NN_THREADS; partials holds 2 * parts doubles.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_l1_partial(const float* __restrict__ pred, const float* __restrict__ target,
                      const float* __restrict__ mask, long long n, double* __restrict__ partials) {
    __shared__ double scratch[32];
    double s = 0.0, m = 0.0;
    GM_NN_FOR(i, n) {
        const double w = (double)mask[i];
        s += w * fabs((double)pred[i] - (double)target[i]);
        m += w;
    }
    s = gm_block_sum(s, scratch);
    m = gm_block_sum(m, scratch);
    if (threadIdx.x == 0) {
        partials[2 * blockIdx.x] = s;
        partials[2 * blockIdx.x + 1] = m;
    }
}

// geomend_nn_l1_final: out[0] = loss = sum s / max(1, sum m), out[1] = sum m, over the parts partial pairs.
//   grid = (1, 1, 1), block = GM_NN_THREADS.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_l1_final(const double* __restrict__ partials, int parts, double* __restrict__ out) {
    __shared__ double scratch[32];
    double s = 0.0, m = 0.0;
    for (int i = threadIdx.x; i < parts; i += blockDim.x) {
        s += partials[2 * i];
        m += partials[2 * i + 1];
    }
    s = gm_block_sum(s, scratch);
    m = gm_block_sum(m, scratch);
    if (threadIdx.x == 0) {
        out[0] = s / fmax(1.0, m);
        out[1] = m;
    }
}

// geomend_nn_l1_grad: dPred = sign(pred - target) * mask / max(1, out[1]) (0 where pred == target).
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_l1_grad(const float* __restrict__ pred, const float* __restrict__ target,
                   const float* __restrict__ mask, long long n, const double* __restrict__ out,
                   float* __restrict__ dPred) {
    const double inv = 1.0 / fmax(1.0, out[1]);
    GM_NN_FOR(i, n) {
        const float d = pred[i] - target[i];
        const float g = (float)((double)mask[i] * inv);
        dPred[i] = d > 0.0f ? g : (d < 0.0f ? -g : 0.0f);
    }
}

// ====================================================================== Adam

// geomend_nn_adam: one bias-corrected Adam step (Kingma and Ba, algorithm 1):
//   m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr (m c1) / (sqrt(v c2) + eps),
//   with c1 = 1 / (1 - b1^t), c2 = 1 / (1 - b2^t) computed by the host in float64.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_adam(float* __restrict__ p, const float* __restrict__ g, float* __restrict__ m, float* __restrict__ v,
                long long n, float lr, float b1, float b2, float eps, float c1, float c2) {
    GM_NN_FOR(i, n) {
        const float gi = g[i];
        const float mi = b1 * m[i] + (1.0f - b1) * gi;
        const float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr * (mi * c1) / (sqrtf(vi * c2) + eps);
    }
}

// ====================================================================== convolution: implicit GEMM
//
// Forward and backward-data are the same GEMM out[m, p] = sum_{r, kk} A[m, r, kk] * S[r, p shifted by kk]
// over pixels p = (n, y, x) of the [N, *, H, W] images:
//   forward       : S = x [N, Ci, H, W], r = ci, m = co, A = w[co, ci, ky, kx]               (flip = 0)
//   backward-data : S = dy [N, Co, H, W], r = co, m = ci, A = w[co, ci, K-1-ky, K-1-kx]      (flip = 1)
// where "shifted by kk = (ky, kx)" reads S[r, y + ky - pad, x + kx - pad] (0 outside the image).
// The reduction runs over the K * K taps (outer) and the channels r in slabs of GM_NN_BK (inner), so the
// im2col addressing needs no division in the loop: per tap a thread checks its pixel's bounds once.
//
// Tiles: BM output channels x BN pixels per block of 256 threads laid out 16 x 16; thread (ty, tx) owns
// channels m0 + ty + 16 i (i < BM / 16) and pixels p0 + tx + 16 j (j < BN / 16).

template <int BM, int BN>
static __device__ __forceinline__ void gm_nn_conv_gemm(const float* __restrict__ src, const float* __restrict__ wt,
                                                       const float* __restrict__ bias, float* __restrict__ out,
                                                       int N, int Cr, int M, int H, int W, int K, int flip,
                                                       int relu) {
    constexpr int BK = GM_NN_BK, TM = BM / 16, TN = BN / 16;
    constexpr int BSTEP = GM_NN_THREADS / BN, BLOADS = BK / BSTEP;
    constexpr int ALOADS = (BM * BK + GM_NN_THREADS - 1) / GM_NN_THREADS;
    static_assert(BM % 16 == 0 && BN % 16 == 0 && GM_NN_THREADS % BN == 0 && BK % BSTEP == 0, "tile shape");
    __shared__ float As[BK][BM];
    __shared__ float Bs[BK][BN];

    const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    const long long HW = (long long)H * W, P = (long long)N * HW;
    const long long p0 = (long long)blockIdx.x * BN;
    const int m0 = blockIdx.y * BM;
    const int KK = K * K, pad = K >> 1;

    // the pixel this thread loads into Bs (its column is the same for every slab)
    const int bc = tid % BN, br0 = tid / BN;
    const long long pl = p0 + bc;
    const bool pvalid = pl < P;
    int py = 0, px = 0;
    const float* srcImg = src;
    if (pvalid) {
        const long long img = pl / HW;
        const int r = (int)(pl - img * HW);
        py = r / W;
        px = r - py * W;
        srcImg = src + img * Cr * HW;
    }

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = 0.0f;

    for (int kk = 0; kk < KK; kk++) {
        const int ky = kk / K, kx = kk - ky * K;
        const int iy = py + ky - pad, ix = px + kx - pad;
        const bool inb = pvalid && iy >= 0 && iy < H && ix >= 0 && ix < W;
        const float* sp = srcImg + (inb ? (long long)iy * W + ix : 0);
        const int wkk = flip ? KK - 1 - kk : kk;
        for (int c0 = 0; c0 < Cr; c0 += BK) {
#pragma unroll
            for (int l = 0; l < ALOADS; l++) {
                const int e = tid + l * GM_NN_THREADS;
                if (e < BM * BK) {
                    const int am = e % BM, ak = e / BM;
                    const int m = m0 + am, r = c0 + ak;
                    float v = 0.0f;
                    if (m < M && r < Cr)
                        v = flip ? wt[((long long)r * M + m) * KK + wkk] : wt[((long long)m * Cr + r) * KK + wkk];
                    As[ak][am] = v;
                }
            }
#pragma unroll
            for (int l = 0; l < BLOADS; l++) {
                const int rr = br0 + l * BSTEP, r = c0 + rr;
                Bs[rr][bc] = (inb && r < Cr) ? sp[(long long)r * HW] : 0.0f;
            }
            __syncthreads();
#pragma unroll
            for (int k = 0; k < BK; k++) {
                float a[TM], b[TN];
#pragma unroll
                for (int i = 0; i < TM; i++) a[i] = As[k][ty + 16 * i];
#pragma unroll
                for (int j = 0; j < TN; j++) b[j] = Bs[k][tx + 16 * j];
#pragma unroll
                for (int i = 0; i < TM; i++)
#pragma unroll
                    for (int j = 0; j < TN; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
            __syncthreads();
        }
    }

#pragma unroll
    for (int j = 0; j < TN; j++) {
        const long long p = p0 + tx + 16 * j;
        if (p >= P) continue;
        const long long img = p / HW;
        const long long rem = p - img * HW;
        float* o = out + img * M * HW + rem;
#pragma unroll
        for (int i = 0; i < TM; i++) {
            const int m = m0 + ty + 16 * i;
            if (m >= M) continue;
            float v = acc[i][j] + (bias != nullptr ? bias[m] : 0.0f);
            if (relu) v = v > 0.0f ? v : 0.0f;
            o[(long long)m * HW] = v;
        }
    }
}

// geomend_nn_conv_<BM>x<BN>: grid = (ceil(N * H * W / BN), ceil(M / BM), 1), block = 256.
//   src [N, Cr, H, W]; wt [Co, Ci, K, K]; bias [M] or null; out [N, M, H, W]; flip, relu as 0/1.
#define GM_NN_CONV_KERNEL(BM, BN)                                                                              \
    extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)                                               \
    geomend_nn_conv_##BM##x##BN(const float* __restrict__ src, const float* __restrict__ wt,                 \
                                const float* __restrict__ bias, float* __restrict__ out, int N, int Cr, int M, \
                                int H, int W, int K, int flip, int relu) {                                    \
        gm_nn_conv_gemm<BM, BN>(src, wt, bias, out, N, Cr, M, H, W, K, flip, relu);                          \
    }
GM_NN_CONV_KERNEL(64, 64)
GM_NN_CONV_KERNEL(32, 128)
GM_NN_CONV_KERNEL(16, 256)

// Backward-filter: dw[co, j] = sum_{n, y, x} dy[n, co, y, x] * x[n, ci_j, y + ky_j - pad, x + kx_j - pad] with
// j = (ci * K + ky) * K + kx (the layout of w). A GEMM with M = Co rows, Ci * K * K columns and the reduction
// over image rows (n, y) (split into gridDim.z contiguous ranges: split-K) and x in slabs of GM_NN_BK.
// Each split writes its partial sums to out + split * Co * Ci * K * K; the host sums the splits in order
// (geomend_nn_wgrad_reduce) unless there is only one, which it points at dw directly.

template <int BM, int BN>
static __device__ __forceinline__ void gm_nn_wgrad_gemm(const float* __restrict__ x, const float* __restrict__ dy,
                                                        float* __restrict__ out, int N, int Ci, int Co, int H,
                                                        int W, int K, int rowsPerSplit) {
    constexpr int BK = GM_NN_BK, TM = BM / 16, TN = BN / 16;
    constexpr int ALOADS = (BM * BK + GM_NN_THREADS - 1) / GM_NN_THREADS;
    constexpr int BLOADS = BN * BK / GM_NN_THREADS;
    static_assert(BM % 16 == 0 && BN % 16 == 0 && (BN * BK) % GM_NN_THREADS == 0 && GM_NN_THREADS % BK == 0,
                  "tile shape");
    __shared__ float As[BK][BM];
    __shared__ float Bs[BK][BN];

    const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    const int KK = K * K, pad = K >> 1;
    const int cols = Ci * KK;
    const long long HW = (long long)H * W;
    const int j0 = blockIdx.x * BN, m0 = blockIdx.y * BM;
    const int rowBegin = blockIdx.z * rowsPerSplit;
    const int rowEnd = min(N * H, rowBegin + rowsPerSplit);

    // the columns this thread loads into Bs: column (tid + l * 256) / BK, x offset tid % BK (fixed)
    const int bk = tid % BK;
    int bCol[BLOADS], bDy[BLOADS], bDx[BLOADS];
    long long bOff[BLOADS];
#pragma unroll
    for (int l = 0; l < BLOADS; l++) {
        const int c = (tid + l * GM_NN_THREADS) / BK;
        const int j = j0 + c;
        bCol[l] = c;
        if (j < cols) {
            const int ci = j / KK, t = j - ci * KK, ky = t / K;
            bDy[l] = ky - pad;
            bDx[l] = t - ky * K - pad;
            bOff[l] = (long long)ci * HW;
        } else {
            bDy[l] = -(1 << 29); // never inside the image: the load is skipped
            bDx[l] = 0;
            bOff[l] = 0;
        }
    }

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = 0.0f;

    for (int row = rowBegin; row < rowEnd; row++) {
        const int img = row / H, y = row - img * H;
        const float* dyRow = dy + ((long long)img * Co * H + y) * W; // + co * HW + x
        const float* xImg = x + (long long)img * Ci * HW;            // + ci * HW + iy * W + ix
        for (int x0 = 0; x0 < W; x0 += BK) {
#pragma unroll
            for (int l = 0; l < ALOADS; l++) {
                const int e = tid + l * GM_NN_THREADS;
                if (e < BM * BK) {
                    const int ak = e % BK, am = e / BK;
                    const int m = m0 + am, xx = x0 + ak;
                    As[ak][am] = (m < Co && xx < W) ? dyRow[(long long)m * HW + xx] : 0.0f;
                }
            }
#pragma unroll
            for (int l = 0; l < BLOADS; l++) {
                const int iy = y + bDy[l], ix = x0 + bk + bDx[l];
                const bool in = iy >= 0 && iy < H && ix >= 0 && ix < W && x0 + bk < W;
                Bs[bk][bCol[l]] = in ? xImg[bOff[l] + (long long)iy * W + ix] : 0.0f;
            }
            __syncthreads();
#pragma unroll
            for (int k = 0; k < BK; k++) {
                float a[TM], b[TN];
#pragma unroll
                for (int i = 0; i < TM; i++) a[i] = As[k][ty + 16 * i];
#pragma unroll
                for (int j = 0; j < TN; j++) b[j] = Bs[k][tx + 16 * j];
#pragma unroll
                for (int i = 0; i < TM; i++)
#pragma unroll
                    for (int j = 0; j < TN; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
            __syncthreads();
        }
    }

    float* o = out + (long long)blockIdx.z * Co * cols;
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const int m = m0 + ty + 16 * i;
        if (m >= Co) continue;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            const int c = j0 + tx + 16 * j;
            if (c < cols) o[(long long)m * cols + c] = acc[i][j];
        }
    }
}

// geomend_nn_wgrad_<BM>x<BN>: grid = (ceil(Ci * K * K / BN), ceil(Co / BM), splits), block = 256;
//   rowsPerSplit * splits >= N * H. out holds splits * Co * Ci * K * K floats.
#define GM_NN_WGRAD_KERNEL(BM, BN)                                                                     \
    extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)                                       \
    geomend_nn_wgrad_##BM##x##BN(const float* __restrict__ x, const float* __restrict__ dy,          \
                                 float* __restrict__ out, int N, int Ci, int Co, int H, int W, int K, \
                                 int rowsPerSplit) {                                                  \
        gm_nn_wgrad_gemm<BM, BN>(x, dy, out, N, Ci, Co, H, W, K, rowsPerSplit);                      \
    }
GM_NN_WGRAD_KERNEL(64, 64)
GM_NN_WGRAD_KERNEL(32, 128)
GM_NN_WGRAD_KERNEL(16, 256)

// geomend_nn_wgrad_reduce: dw[i] = sum over s < splits of parts[s * n + i], in order, in float64.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_wgrad_reduce(const float* __restrict__ parts, int splits, long long n, float* __restrict__ dw) {
    GM_NN_FOR(i, n) {
        double s = 0.0;
        for (int k = 0; k < splits; k++) s += (double)parts[(long long)k * n + i];
        dw[i] = (float)s;
    }
}

// geomend_nn_bias_grad_partial: partial[c * parts + b] = sum of dy[n, c, :, :] over the b-th of `parts` equal
//   ranges of the N * HW elements of channel c, in float64. grid = (parts, C, 1), block = 256.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_bias_grad_partial(const float* __restrict__ dy, int N, int C, long long HW, int parts,
                             double* __restrict__ partial) {
    __shared__ double scratch[32];
    const int c = blockIdx.y;
    const long long total = (long long)N * HW;
    const long long chunk = (total + parts - 1) / parts;
    const long long begin = (long long)blockIdx.x * chunk;
    const long long end = min(total, begin + chunk);
    double s = 0.0;
    for (long long e = begin + threadIdx.x; e < end; e += blockDim.x) {
        const long long img = e / HW;
        s += (double)dy[(img * C + c) * HW + (e - img * HW)];
    }
    s = gm_block_sum(s, scratch);
    if (threadIdx.x == 0) partial[(long long)c * parts + blockIdx.x] = s;
}

// geomend_nn_bias_grad_final: db[c] = sum over b < parts of partial[c * parts + b], in order.
extern "C" __global__ void __launch_bounds__(GM_NN_THREADS)
geomend_nn_bias_grad_final(const double* __restrict__ partial, int C, int parts, float* __restrict__ db) {
    GM_NN_FOR(c, (long long)C) {
        double s = 0.0;
        for (int b = 0; b < parts; b++) s += partial[c * parts + b];
        db[c] = (float)s;
    }
}
