package org.geomend.conformance;

/**
 * A line-by-line Java port of the two implicit-GEMM convolution kernels of {@code cuda-src/unet.cu}
 * ({@code gm_nn_conv_gemm}: forward and backward-data; {@code gm_nn_wgrad_gemm}: backward-filter with split-K,
 * then {@code geomend_nn_wgrad_reduce}), simulating every block and thread: each shared-memory slab is filled by
 * all 256 "threads" (phase 1), then consumed by all of them (phase 2), which is what the two __syncthreads
 * separate. It checks the index arithmetic (tiles, partial slabs, padding, the flipped kernel, the split ranges)
 * against the float64 reference on machines without a GPU, in float32 like the device. It does not verify the
 * CUDA code itself: keep both in step when either changes.
 */
final class NnKernelPort {

    static final int THREADS = 256, BK = 8;
    static final int[] TILE_M = {64, 32, 16}, TILE_N = {64, 128, 256};

    private NnKernelPort() {}

    /** The tile CudaNnKernels picks for m output rows. */
    static int tile(int m) {
        return m >= 64 ? 0 : m >= 32 ? 1 : 2;
    }

    /** geomend_nn_conv_BMxBN over the whole grid; bias may be null. */
    static void conv(
            float[] src,
            float[] wt,
            float[] bias,
            float[] out,
            int N,
            int Cr,
            int M,
            int H,
            int W,
            int K,
            boolean flip,
            boolean relu) {
        int t = tile(M), BM = TILE_M[t], BN = TILE_N[t], TM = BM / 16, TN = BN / 16;
        int BSTEP = THREADS / BN, BLOADS = BK / BSTEP, ALOADS = (BM * BK + THREADS - 1) / THREADS;
        long HW = (long) H * W, P = N * HW;
        long gx = (P + BN - 1) / BN, gy = (M + BM - 1) / BM;
        int KK = K * K, pad = K / 2;
        for (long bx = 0; bx < gx; bx++)
            for (int by = 0; by < gy; by++) {
                float[][] As = new float[BK][BM], Bs = new float[BK][BN];
                float[][][] acc = new float[THREADS][TM][TN];
                long p0 = bx * BN;
                int m0 = by * BM;
                // per-thread state
                int[] py = new int[THREADS], px = new int[THREADS];
                long[] srcImg = new long[THREADS];
                boolean[] pvalid = new boolean[THREADS];
                for (int tid = 0; tid < THREADS; tid++) {
                    long pl = p0 + tid % BN;
                    pvalid[tid] = pl < P;
                    if (pvalid[tid]) {
                        long img = pl / HW;
                        int r = (int) (pl - img * HW);
                        py[tid] = r / W;
                        px[tid] = r - py[tid] * W;
                        srcImg[tid] = img * Cr * HW;
                    }
                }
                for (int kk = 0; kk < KK; kk++) {
                    int ky = kk / K, kx = kk - ky * K, wkk = flip ? KK - 1 - kk : kk;
                    for (int c0 = 0; c0 < Cr; c0 += BK) {
                        for (int tid = 0; tid < THREADS; tid++) { // phase 1: loads
                            for (int l = 0; l < ALOADS; l++) {
                                int e = tid + l * THREADS;
                                if (e < BM * BK) {
                                    int am = e % BM, ak = e / BM, m = m0 + am, r = c0 + ak;
                                    float v = 0;
                                    if (m < M && r < Cr)
                                        v = flip
                                                ? wt[(int) (((long) r * M + m) * KK + wkk)]
                                                : wt[(int) (((long) m * Cr + r) * KK + wkk)];
                                    As[ak][am] = v;
                                }
                            }
                            int iy = py[tid] + ky - pad, ix = px[tid] + kx - pad;
                            boolean inb = pvalid[tid] && iy >= 0 && iy < H && ix >= 0 && ix < W;
                            long sp = srcImg[tid] + (inb ? (long) iy * W + ix : 0);
                            int bc = tid % BN, br0 = tid / BN;
                            for (int l = 0; l < BLOADS; l++) {
                                int rr = br0 + l * BSTEP, r = c0 + rr;
                                Bs[rr][bc] = inb && r < Cr ? src[(int) (sp + (long) r * HW)] : 0f;
                            }
                        }
                        for (int tid = 0; tid < THREADS; tid++) { // phase 2: multiply-add
                            int tx = tid & 15, ty = tid >> 4;
                            for (int k = 0; k < BK; k++)
                                for (int i = 0; i < TM; i++)
                                    for (int j = 0; j < TN; j++)
                                        acc[tid][i][j] =
                                                Math.fma(As[k][ty + 16 * i], Bs[k][tx + 16 * j], acc[tid][i][j]);
                        }
                    }
                }
                for (int tid = 0; tid < THREADS; tid++) {
                    int tx = tid & 15, ty = tid >> 4;
                    for (int j = 0; j < TN; j++) {
                        long p = p0 + tx + 16 * j;
                        if (p >= P) continue;
                        long img = p / HW, rem = p - img * HW;
                        for (int i = 0; i < TM; i++) {
                            int m = m0 + ty + 16 * i;
                            if (m >= M) continue;
                            float v = acc[tid][i][j] + (bias != null ? bias[m] : 0f);
                            if (relu) v = v > 0 ? v : 0;
                            out[(int) (img * M * HW + rem + (long) m * HW)] = v;
                        }
                    }
                }
            }
    }

    /** The split-K plan of CudaNnKernels.launchWgrad: {splits, rowsPerSplit} for {@code smCount} SMs. */
    static int[] wgradSplits(int n, int ci, int co, int h, int k, int smCount) {
        int t = tile(co);
        long cols = (long) ci * k * k,
                gx = (cols + TILE_N[t] - 1) / TILE_N[t],
                gy = ((long) co + TILE_M[t] - 1) / TILE_M[t];
        long rows = (long) n * h, weights = co * cols, tiles = gx * gy;
        long splits = Math.max(1, Math.min(rows, (4L * smCount + tiles - 1) / tiles));
        splits = Math.min(splits, Math.max(1, (1L << 30) / (4 * weights)));
        splits = Math.min(splits, 1024);
        int rowsPerSplit = (int) ((rows + splits - 1) / splits);
        splits = (rows + rowsPerSplit - 1) / rowsPerSplit;
        return new int[] {(int) splits, rowsPerSplit};
    }

    /** geomend_nn_wgrad_BMxBN over the grid with {@code splits} splits, then the reduce; writes dw. */
    static void wgrad(
            float[] x,
            float[] dy,
            float[] dw,
            int N,
            int Ci,
            int Co,
            int H,
            int W,
            int K,
            int splits,
            int rowsPerSplit) {
        int t = tile(Co), BM = TILE_M[t], BN = TILE_N[t], TM = BM / 16, TN = BN / 16;
        int ALOADS = (BM * BK + THREADS - 1) / THREADS, BLOADS = BN * BK / THREADS;
        int KK = K * K, pad = K / 2, cols = Ci * KK;
        long HW = (long) H * W;
        int gx = (cols + BN - 1) / BN, gy = (Co + BM - 1) / BM;
        float[] out = new float[splits * Co * cols];
        for (int bz = 0; bz < splits; bz++)
            for (int bx = 0; bx < gx; bx++)
                for (int by = 0; by < gy; by++) {
                    float[][] As = new float[BK][BM], Bs = new float[BK][BN];
                    float[][][] acc = new float[THREADS][TM][TN];
                    int j0 = bx * BN, m0 = by * BM;
                    int rowBegin = bz * rowsPerSplit, rowEnd = Math.min(N * H, rowBegin + rowsPerSplit);
                    int[][] bCol = new int[THREADS][BLOADS],
                            bDy = new int[THREADS][BLOADS],
                            bDx = new int[THREADS][BLOADS];
                    long[][] bOff = new long[THREADS][BLOADS];
                    for (int tid = 0; tid < THREADS; tid++)
                        for (int l = 0; l < BLOADS; l++) {
                            int c = (tid + l * THREADS) / BK, j = j0 + c;
                            bCol[tid][l] = c;
                            if (j < cols) {
                                int ci = j / KK, tt = j - ci * KK, ky = tt / K;
                                bDy[tid][l] = ky - pad;
                                bDx[tid][l] = tt - ky * K - pad;
                                bOff[tid][l] = ci * HW;
                            } else {
                                bDy[tid][l] = -(1 << 29);
                            }
                        }
                    for (int row = rowBegin; row < rowEnd; row++) {
                        int img = row / H, y = row - img * H;
                        long dyRow = ((long) img * Co * H + y) * W, xImg = img * Ci * HW;
                        for (int x0 = 0; x0 < W; x0 += BK) {
                            for (int tid = 0; tid < THREADS; tid++) {
                                for (int l = 0; l < ALOADS; l++) {
                                    int e = tid + l * THREADS;
                                    if (e < BM * BK) {
                                        int ak = e % BK, am = e / BK, m = m0 + am, xx = x0 + ak;
                                        As[ak][am] = m < Co && xx < W ? dy[(int) (dyRow + (long) m * HW + xx)] : 0f;
                                    }
                                }
                                int bk = tid % BK;
                                for (int l = 0; l < BLOADS; l++) {
                                    int iy = y + bDy[tid][l], ix = x0 + bk + bDx[tid][l];
                                    boolean in = iy >= 0 && iy < H && ix >= 0 && ix < W && x0 + bk < W;
                                    Bs[bk][bCol[tid][l]] =
                                            in ? x[(int) (xImg + bOff[tid][l] + (long) iy * W + ix)] : 0f;
                                }
                            }
                            for (int tid = 0; tid < THREADS; tid++) {
                                int tx = tid & 15, ty = tid >> 4;
                                for (int k = 0; k < BK; k++)
                                    for (int i = 0; i < TM; i++)
                                        for (int j = 0; j < TN; j++)
                                            acc[tid][i][j] =
                                                    Math.fma(As[k][ty + 16 * i], Bs[k][tx + 16 * j], acc[tid][i][j]);
                            }
                        }
                    }
                    for (int tid = 0; tid < THREADS; tid++) {
                        int tx = tid & 15, ty = tid >> 4;
                        for (int i = 0; i < TM; i++) {
                            int m = m0 + ty + 16 * i;
                            if (m >= Co) continue;
                            for (int j = 0; j < TN; j++) {
                                int c = j0 + tx + 16 * j;
                                if (c < cols) out[bz * Co * cols + m * cols + c] = acc[tid][i][j];
                            }
                        }
                    }
                }
        int n = Co * cols;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < splits; k++) s += out[k * n + i];
            dw[i] = (float) s;
        }
    }
}
