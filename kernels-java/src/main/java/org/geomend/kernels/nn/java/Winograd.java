package org.geomend.kernels.nn.java;

import static org.geomend.kernels.nn.java.ConvLoops.L;
import static org.geomend.kernels.nn.java.ConvLoops.SP;
import static org.geomend.kernels.nn.java.JavaTensor.F;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Winograd minimal filtering F(m x m, K x K) for the stride-1 'same' forward convolution (Lavin and Gray 2016): an
 * output tile of {@code m x m} pixels of every output channel from an input tile of {@code a x a} pixels
 * ({@code a = m + K - 1}) of every input channel, as {@code Y = A^T [ sum_i (G g_i G^T) . (B^T d_i B) ] A}: the
 * channel sum is {@code a * a} independent matrix products (one per point of the transform), each with
 * {@code a^2 / m^2} products per output pixel and input channel instead of the direct {@code K^2}.
 *
 * <p>The matrices come from Cook-Toom interpolation at the points {@code 0, 1, -1, 2, -2, 1/2, -1/2} (the first
 * {@code a - 1}) and infinity: {@code A^T} and {@code G} are Vandermonde rows, {@code B^T} the transposed inverse of
 * the {@code a x a} Vandermonde matrix, each row scaled by its Lagrange denominator (which {@code G} divides out) so
 * that {@code A^T} and {@code B^T} hold dyadic rationals, exact in float32. Filters are transformed in float64 and
 * rounded once.
 *
 * <p>Work unit ({@link #band}): a band of tile rows and up to {@link #TB} tile columns of one image. Per input
 * channel, the input rows of a tile row are copied with their zero padding into a heap buffer split by column phase
 * ({@code x mod m}), so that the input transform, vectorised over {@link ConvLoops#L} neighbouring tiles, loads
 * contiguous lanes (with {@code a = 2m} the next tile row reuses half of these rows); then the {@code a^2} products
 * over the input channels (register tiles of up to 8 output channels x 3 vectors of tiles, in channel order), then
 * the output transform with the bias and, for a fused ReLU, the clamp. F(4 x 4, 5 x 5) runs hand-factored transforms ({@link #bt8}, {@link #at8}); other sizes
 * the matrices. Every output pixel is computed by one unit in an order that does not depend on how the units are
 * spread over threads: the result is bit-identical for any thread count.
 *
 * <p>Accuracy (float32 relative L2 error against the float64 reference, He weights, ReLU inputs, the U-Net's layers):
 * F(4 x 4, 5 x 5) 1.0-2.5e-6, direct 1-5e-7 ({@code bench/results/2026-11-29-unet-winograd.md}).
 */
final class Winograd {

    /** Tile columns per work unit: three vectors. */
    static final int TB = 3 * L;

    /**
     * Whether {@link #phaseRow} splits a row into its 4 phases with two-vector lane selections (AVX-512 has them as
     * one instruction); otherwise, and for the last columns, element by element.
     */
    private static final boolean UNZIP = SP.vectorBitSize() >= 512;
    /** Lane indices {@code 2l} and {@code 2l + 1}, as floats for {@link FloatVector#selectFrom(jdk.incubator.vector.Vector, jdk.incubator.vector.Vector)}. */
    private static final FloatVector EVEN, ODD;

    static {
        float[] e = new float[L], o = new float[L];
        for (int l = 0; l < L; l++) {
            e[l] = 2 * l;
            o[l] = 2 * l + 1;
        }
        EVEN = FloatVector.fromArray(SP, e, 0);
        ODD = FloatVector.fromArray(SP, o, 0);
    }

    /**
     * The transformed input of a unit ({@code v}) is channel-major, {@code v[i * (a^2 TB + VPAD) + xn * TB + t]}: the
     * input transform of one channel stores its {@code a^2} points contiguously, and the channel products read one
     * point of successive channels {@code a^2 TB + VPAD} floats apart; without the padding (one cache line) that
     * stride is a multiple of 4 KiB (64 x 48 floats: 12 KiB) and every channel's row falls into the same L1 sets.
     */
    static final int VPAD = 16;

    private static final double[] POINTS = {0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, 1.0 / 3, -1.0 / 3};

    /** Output tile side, filter side, input tile side ({@code m + k - 1}). */
    final int m, k, a;
    /** {@code B^T} [a][a], {@code A^T} [m][a] as float32 (exact); {@code G} [a][k] in float64. */
    final float[] bt, at;

    final double[] g;
    /** Non-zero entries of each row of {@code B^T}: column indices and values. */
    private final int[][] btIdx;

    private final float[][] btVal;
    private final int[][] atIdx;
    private final float[][] atVal;
    /** Whether the transforms run the hand-factored code of {@link #bt8} and {@link #at8}: a = 8, default points. */
    private final boolean fast8;
    /** The register tiles of {@link #products}: output channels x vectors of tiles. */
    static final String[] TILES = {"8x1", "8x3"};
    /**
     * The register tile of {@link #products} on full work units, an index into {@link #TILES}: by default 8 x 3 (24
     * accumulators) with 512-bit vectors (AVX-512 has 32 vector registers), 8 x 1 otherwise (with 16 registers the
     * wider tiles spill: 8 x 3 ran 2x slower, 4 x 3 and 4 x 2 no faster); system property
     * {@link JavaNnKernels#TILE_PROPERTY} overrides it.
     */
    final int tile;

    Winograd(int m, int k) {
        this(m, k, Arrays.copyOf(POINTS, m + k - 2));
    }

    /** F(m, k) with the finite interpolation points {@code pts} ({@code m + k - 2} distinct values) and infinity. */
    Winograd(int m, int k, double[] pts) {
        if (m < 1 || k < 1 || pts.length != m + k - 2) throw new IllegalArgumentException("F(" + m + ", " + k + ")");
        this.m = m;
        this.k = k;
        this.a = m + k - 1;
        double[][] e = new double[a][a]; // e[j][c] = p_j^c; the last row (infinity) picks the leading coefficient
        for (int j = 0; j < a - 1; j++) for (int c = 0; c < a; c++) e[j][c] = Math.pow(pts[j], c);
        e[a - 1][a - 1] = 1;
        double[][] inv = invert(e);
        bt = new float[a * a];
        g = new double[a * k];
        at = new float[m * a];
        for (int j = 0; j < a; j++) {
            double f = 1; // Lagrange denominator of point j: B^T's row j times f is a product of (x - p_l)
            if (j < a - 1) for (int l = 0; l < a - 1; l++) if (l != j) f *= pts[j] - pts[l];
            for (int i = 0; i < a; i++) {
                double v = inv[i][j] * f;
                double r = Math.rint(v * 1024) / 1024; // dyadic by construction; clean the inversion's round-off
                bt[j * a + i] = (float) (Math.abs(v - r) < 1e-9 ? r : v);
            }
            for (int c = 0; c < k; c++) g[j * k + c] = (j < a - 1 ? Math.pow(pts[j], c) : (c == k - 1 ? 1 : 0)) / f;
            for (int i = 0; i < m; i++)
                at[i * a + j] = (float) (j < a - 1 ? Math.pow(pts[j], i) : (i == m - 1 ? 1 : 0));
        }
        btIdx = new int[a][];
        btVal = new float[a][];
        sparse(bt, a, a, btIdx, btVal);
        atIdx = new int[m][];
        atVal = new float[m][];
        sparse(at, m, a, atIdx, atVal);
        fast8 = a == 8 && m == 4 && Arrays.equals(pts, Arrays.copyOf(POINTS, 7));
        String tp = org.geomend.kernels.Setting.NN_WINOGRAD_TILE.value();
        int t = tp == null
                ? (SP.vectorBitSize() >= 512 ? 1 : 0)
                : Arrays.asList(TILES).indexOf(tp.trim());
        if (t < 0)
            throw new IllegalArgumentException(
                    JavaNnKernels.TILE_PROPERTY + "=" + tp + ": want one of " + Arrays.toString(TILES));
        tile = t;
    }

    private static void sparse(float[] mat, int rows, int cols, int[][] idx, float[][] val) {
        for (int r = 0; r < rows; r++) {
            int n = 0;
            for (int c = 0; c < cols; c++) if (mat[r * cols + c] != 0f) n++;
            idx[r] = new int[n];
            val[r] = new float[n];
            for (int c = 0, q = 0; c < cols; c++)
                if (mat[r * cols + c] != 0f) {
                    idx[r][q] = c;
                    val[r][q++] = mat[r * cols + c];
                }
        }
    }

    /** Gauss-Jordan inverse with partial pivoting. */
    private static double[][] invert(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, a[i], 0, n);
            a[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            double d = a[c][c];
            for (int j = 0; j < 2 * n; j++) a[c][j] /= d;
            for (int r = 0; r < n; r++) {
                if (r == c || a[r][c] == 0) continue;
                double f = a[r][c];
                for (int j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(a[i], n, inv[i], 0, n);
        return inv;
    }

    /**
     * The transformed filters {@code U[((xi * a + nu) * ci + i) * coP + o] = (G w[o,i] G^T)[xi][nu]}, zero for
     * {@code o >= co}; {@code w} is [co][ci][k][k].
     */
    float[] filters(JavaTensor w, int ci, int co, int coP) {
        float[] wf = new float[co * ci * k * k];
        MemorySegment.copy(w.seg, F, 0, wf, 0, wf.length);
        return filters(wf, ci, co, coP);
    }

    /** {@link #filters(JavaTensor, int, int, int)} of filters {@code w} [co][ci][k][k] on the heap. */
    float[] filters(float[] w, int ci, int co, int coP) {
        int a2 = a * a;
        float[] u = new float[a2 * ci * coP];
        double[] gw = new double[a * k], wk = new double[k * k];
        for (int o = 0; o < co; o++)
            for (int i = 0; i < ci; i++) {
                long base = ((long) o * ci + i) * k * k;
                for (int q = 0; q < k * k; q++) wk[q] = w[(int) base + q];
                for (int xi = 0; xi < a; xi++) // gw = G w
                for (int c = 0; c < k; c++) {
                        double s = 0;
                        for (int r = 0; r < k; r++) s += g[xi * k + r] * wk[r * k + c];
                        gw[xi * k + c] = s;
                    }
                for (int xi = 0; xi < a; xi++) // (G w) G^T
                for (int nu = 0; nu < a; nu++) {
                        double s = 0;
                        for (int c = 0; c < k; c++) s += gw[xi * k + c] * g[nu * k + c];
                        u[((xi * a + nu) * ci + i) * coP + o] = (float) s;
                    }
            }
        return u;
    }

    /**
     * A worker thread's scratch, for up to {@link #ci} input and {@link #coP} output channels: every element a work
     * unit reads it has written first, so one scratch serves every unit and layer of its thread.
     */
    final class Scratch {
        final int pl = TB + (a + m - 1) / m; // phase length: the tiles' columns plus the overlap
        final int ci, coP;
        final float[] row = new float[pl * m];
        final float[] phased, v, prod, out;
        final float[] t = new float[a * a * L];
        final float[] s = new float[m * a * L];
        final float[] lanes = new float[m * L];

        Scratch(int ci, int coP) {
            this.ci = ci;
            this.coP = coP;
            phased = new float[ci * a * m * pl];
            v = new float[ci * (a * a * TB + VPAD)];
            prod = new float[coP * a * a * TB];
            out = new float[coP * m * TB * m];
        }
    }

    /**
     * The calling thread's scratch, grown to {@code ci} input and {@code coP} output channels: a 64 -> 32 layer's
     * scratch is 1.7 MB, and allocating (and zeroing) one per work unit cost more than the units' input transform.
     */
    Scratch scratch(int ci, int coP) {
        Scratch sc = scratch.get();
        if (sc == null || sc.ci < ci || sc.coP < coP) {
            sc = new Scratch(Math.max(ci, sc == null ? 0 : sc.ci), Math.max(coP, sc == null ? 0 : sc.coP));
            scratch.set(sc);
        }
        return sc;
    }

    private final ThreadLocal<Scratch> scratch = new ThreadLocal<>();

    /**
     * One work unit: tile rows {@code ty0 .. ty1 - 1} (output rows from {@code ty0 * m}) and tile columns
     * {@code tx0 .. tx0 + nt - 1} ({@code nt <= TB}) of image {@code img}, every output channel; {@code x}
     * [n, ci, h, w], {@code y} [n, co, h, w]. Per input channel, the phased rows hold the {@code a} input rows of
     * the current tile row; when {@code a = 2 m} (the fast path) they are two halves of {@code m} rows, and the next
     * tile row reuses the lower half and overwrites the upper (their roles alternate with the parity of the tile row).
     * With {@code relu} the outputs are {@code max(0, y)} as {@link EltLoops#relu} computes it. The input is the
     * channel concatenation of {@code xa} [n, ca, h, w] and {@code xb} [n, ci - ca, h, w] (one tensor: {@code xb = xa},
     * {@code ca = ci}).
     */
    void band(
            MemorySegment xa,
            int ca,
            MemorySegment xb,
            int ci,
            int h,
            int w,
            float[] u,
            int coP,
            float[] bias,
            int co,
            MemorySegment y,
            int img,
            int ty0,
            int ty1,
            int tx0,
            int nt,
            boolean relu,
            Scratch sc) {
        int p = k / 2, a2 = a * a, nv = (nt + L - 1) / L, pl = sc.pl, chan = a * m * pl, vs = a2 * TB + VPAD;
        float[] ph = sc.phased, t = sc.t, v = sc.v;
        for (int ty = ty0; ty < ty1; ty++) {
            boolean reuse = fast8 && ty > ty0;
            for (int i = 0; i < ci; i++) {
                MemorySegment x = i < ca ? xa : xb;
                long plane = (i < ca ? (long) img * ca + i : (long) img * (ci - ca) + i - ca) * h;
                for (int r = reuse ? m : 0; r < a; r++) {
                    int slot = fast8 ? ((ty + r / m) & 1) * m + r % m : r;
                    phaseRow(x, plane, ty * m + r - p, h, w, tx0 * m - p, sc.row, ph, i * chan + slot * m * pl, pl);
                }
                int lo = i * chan, hi = lo;
                if (fast8) {
                    lo += (ty & 1) * m * m * pl;
                    hi += ((ty + 1) & 1) * m * m * pl;
                }
                for (int vb = 0; vb < nv; vb++) inputTransform(ph, lo, hi, pl, vb * L, t, v, i * vs + vb * L, TB);
            }
            int tl = nv == 3 ? tile : 0;
            for (int xn = 0; xn < a2; xn++)
                products(u, xn * ci * coP, v, xn * TB, vs, ci, coP, nv, tl, sc.prod, xn, a2);
            float[] out = sc.out;
            int ow = TB * m;
            for (int o = 0; o < co; o++)
                for (int vb = 0; vb < nv; vb++)
                    outputTransform(
                            sc.prod, (o * a2) * TB + vb * L, bias[o], sc.s, sc.lanes, out, o * m * ow, ow, vb * L);
            int cols = Math.min(w - tx0 * m, nt * m);
            if (relu) {
                MemorySegment o = MemorySegment.ofArray(out);
                EltLoops.relu(o, o, 0, (long) co * m * ow);
            }
            for (int o = 0; o < co; o++)
                for (int i = 0; i < m && ty * m + i < h; i++)
                    MemorySegment.copy(
                            out,
                            (o * m + i) * ow,
                            y,
                            F,
                            ((((long) img * co + o) * h + ty * m + i) * w + tx0 * m) * 4,
                            cols);
        }
    }

    /**
     * Input row {@code iy} of the plane starting at row {@code plane}, columns {@code x0 ..} (zero outside the
     * image), split by phase: {@code ph[off + q * pl + c] = x[iy][x0 + c * m + q]}.
     */
    void phaseRow(MemorySegment x, long plane, int iy, int h, int w, int x0, float[] row, float[] ph, int off, int pl) {
        int rw = pl * m, lo = Math.max(0, -x0), hi = Math.min(rw, w - x0); // row[] indices holding image columns
        if (iy < 0 || iy >= h || hi <= lo) {
            Arrays.fill(ph, off, off + rw, 0f);
            return;
        }
        Arrays.fill(row, 0, lo, 0f);
        MemorySegment.copy(x, F, ((plane + iy) * w + x0 + lo) * 4, row, lo, hi - lo);
        Arrays.fill(row, hi, rw, 0f);
        if (m == 4) {
            int c = 0;
            if (UNZIP) // four phases of 16 tiles from 4 vectors: two rounds of even / odd lanes of vector pairs
            for (; c + L <= pl; c += L) {
                    int s = 4 * c;
                    FloatVector v0 = FloatVector.fromArray(SP, row, s), v1 = FloatVector.fromArray(SP, row, s + L);
                    FloatVector v2 = FloatVector.fromArray(SP, row, s + 2 * L),
                            v3 = FloatVector.fromArray(SP, row, s + 3 * L);
                    FloatVector e01 = EVEN.selectFrom(v0, v1), o01 = ODD.selectFrom(v0, v1);
                    FloatVector e23 = EVEN.selectFrom(v2, v3), o23 = ODD.selectFrom(v2, v3);
                    EVEN.selectFrom(e01, e23).intoArray(ph, off + c);
                    EVEN.selectFrom(o01, o23).intoArray(ph, off + pl + c);
                    ODD.selectFrom(e01, e23).intoArray(ph, off + 2 * pl + c);
                    ODD.selectFrom(o01, o23).intoArray(ph, off + 3 * pl + c);
                }
            for (; c < pl; c++) {
                int s = 4 * c;
                ph[off + c] = row[s];
                ph[off + pl + c] = row[s + 1];
                ph[off + 2 * pl + c] = row[s + 2];
                ph[off + 3 * pl + c] = row[s + 3];
            }
        } else for (int q = 0; q < m; q++) for (int c = 0; c < pl; c++) ph[off + q * pl + c] = row[c * m + q];
    }

    /**
     * {@code B^T d B} of the L tiles starting at tile {@code t0}, into {@code v[dst + (xi * a + nu) * stride + lane]}:
     * tile row {@code r} (of {@code a}) is phased row {@code r} from {@code lo}, except that from row {@code m}
     * on the fast path it is row {@code r - m} from {@code hi}.
     */
    void inputTransform(float[] ph, int lo, int hi, int pl, int t0, float[] t, float[] v, int dst, int stride) {
        if (fast8) {
            for (int c = 0; c < 8; c++) {
                int col = (c & 3) * pl + t0 + (c >> 2);
                bt8(ph, lo + col, hi + col, 4 * pl, t, c * L, 8 * L);
            }
            for (int xi = 0; xi < 8; xi++) bt8(t, xi * 8 * L, xi * 8 * L + 4 * L, L, v, dst + xi * 8 * stride, stride);
            return;
        }
        // column transform: t[xi][c] = sum_r BT[xi][r] d[r][c], d[r][c] = ph[lo + (r * m + c % m) * pl + t0 + c / m]
        for (int xi = 0; xi < a; xi++) {
            int[] idx = btIdx[xi];
            float[] val = btVal[xi];
            for (int c = 0; c < a; c++) {
                int col = lo + (c % m) * pl + t0 + c / m;
                FloatVector acc = FloatVector.zero(SP);
                for (int q = 0; q < idx.length; q++)
                    acc = FloatVector.fromArray(SP, ph, idx[q] * m * pl + col)
                            .fma(FloatVector.broadcast(SP, val[q]), acc);
                acc.intoArray(t, (xi * a + c) * L);
            }
        }
        // row transform: V[xi][nu] = sum_c t[xi][c] BT[nu][c]
        for (int xi = 0; xi < a; xi++)
            for (int nu = 0; nu < a; nu++) {
                int[] idx = btIdx[nu];
                float[] val = btVal[nu];
                FloatVector acc = FloatVector.zero(SP);
                for (int q = 0; q < idx.length; q++)
                    acc = FloatVector.fromArray(SP, t, (xi * a + idx[q]) * L)
                            .fma(FloatVector.broadcast(SP, val[q]), acc);
                acc.intoArray(v, dst + (xi * a + nu) * stride);
            }
    }

    /**
     * {@code B^T x} of the a = 8 transform on vectors: {@code x_j = src[lo + j * st]} for {@code j < 4},
     * {@code src[hi + (j - 4) * st]} from 4; result {@code j} to {@code dst[doff + j * dst_]}; the rows of
     * {@code B^T} paired as even +- odd parts.
     */
    static void bt8(float[] src, int lo, int hi, int st, float[] dst, int doff, int dst_) {
        FloatVector x0 = FloatVector.fromArray(SP, src, lo), x1 = FloatVector.fromArray(SP, src, lo + st);
        FloatVector x2 = FloatVector.fromArray(SP, src, lo + 2 * st), x3 = FloatVector.fromArray(SP, src, lo + 3 * st);
        FloatVector x4 = FloatVector.fromArray(SP, src, hi), x5 = FloatVector.fromArray(SP, src, hi + st);
        FloatVector x6 = FloatVector.fromArray(SP, src, hi + 2 * st), x7 = FloatVector.fromArray(SP, src, hi + 3 * st);
        FloatVector c525 = FloatVector.broadcast(SP, 5.25f), m425 = FloatVector.broadcast(SP, -4.25f);
        x6.sub(x0).add(x2.sub(x4).mul(c525)).intoArray(dst, doff); // -x0 + 5.25 (x2 - x4) + x6
        x7.sub(x1).add(x3.sub(x5).mul(c525)).intoArray(dst, doff + 7 * dst_); // -x1 + 5.25 (x3 - x5) + x7
        FloatVector e = x4.fma(m425, x2.add(x6)), o = x3.fma(m425, x1.add(x5));
        e.add(o).intoArray(dst, doff + dst_);
        e.sub(o).intoArray(dst, doff + 2 * dst_);
        e = x4.fma(FloatVector.broadcast(SP, -1.25f), x2.fma(FloatVector.broadcast(SP, 0.25f), x6));
        o = x3.fma(FloatVector.broadcast(SP, -2.5f), x1.fma(FloatVector.broadcast(SP, 0.5f), x5.mul(2f)));
        e.add(o).intoArray(dst, doff + 3 * dst_);
        e.sub(o).intoArray(dst, doff + 4 * dst_);
        e = x4.fma(FloatVector.broadcast(SP, -5f), x2.fma(FloatVector.broadcast(SP, 4f), x6));
        o = x3.fma(FloatVector.broadcast(SP, -2.5f), x1.fma(FloatVector.broadcast(SP, 2f), x5.mul(0.5f)));
        e.add(o).intoArray(dst, doff + 5 * dst_);
        e.sub(o).intoArray(dst, doff + 6 * dst_);
    }

    /**
     * {@code A^T x} of F(4, 5) on vectors ({@code x_j = src[off + j * st]}): the four results to
     * {@code dst[doff + i * dst_]}, plus {@code bias}.
     */
    static void at8(float[] src, int off, int st, float bias, float[] dst, int doff, int dst_) {
        FloatVector x1 = FloatVector.fromArray(SP, src, off + st), x2 = FloatVector.fromArray(SP, src, off + 2 * st);
        FloatVector x3 = FloatVector.fromArray(SP, src, off + 3 * st),
                x4 = FloatVector.fromArray(SP, src, off + 4 * st);
        FloatVector x5 = FloatVector.fromArray(SP, src, off + 5 * st),
                x6 = FloatVector.fromArray(SP, src, off + 6 * st);
        FloatVector s1 = x1.add(x2),
                d1 = x1.sub(x2),
                s2 = x3.add(x4),
                d2 = x3.sub(x4),
                s3 = x5.add(x6),
                d3 = x5.sub(x6);
        FloatVector.fromArray(SP, src, off).add(bias).add(s1).add(s2).add(s3).intoArray(dst, doff);
        d2.fma(FloatVector.broadcast(SP, 2f), d1).add(d3.mul(0.5f)).add(bias).intoArray(dst, doff + dst_);
        s2.fma(FloatVector.broadcast(SP, 4f), s1).add(s3.mul(0.25f)).add(bias).intoArray(dst, doff + 2 * dst_);
        d2.fma(FloatVector.broadcast(SP, 8f), d1)
                .add(d3.mul(0.125f))
                .add(FloatVector.fromArray(SP, src, off + 7 * st))
                .add(bias)
                .intoArray(dst, doff + 3 * dst_);
    }

    /**
     * Point {@code xn} of the transform: {@code prod[((o * a2 + xn) * TB + t] = sum_i u[uOff + i * coP + o] *
     * v[vOff + i * vs + t]} for {@code o < coP} (a multiple of 4), {@code t < nv * L}; the channel sum in order.
     * Register tile ({@link #TILES}[tile]): 8 output channels x one vector of tiles, or (for {@code nv = 3}) 8
     * channels x 3 vectors, which loads each broadcast filter value once for three vectors; a remainder of 4 channels
     * runs 4 x 1. Every tile adds the same products in the same order: the result does not depend on the tile.
     */
    static void products(
            float[] u,
            int uOff,
            float[] v,
            int vOff,
            int vs,
            int ci,
            int coP,
            int nv,
            int tile,
            float[] prod,
            int xn,
            int a2) {
        int st = a2 * TB;
        int ob = 0;
        if (tile == 1)
            for (; ob + 8 <= coP; ob += 8)
                products8x3(u, uOff + ob, v, vOff, vs, ci, coP, prod, (ob * a2 + xn) * TB, st);
        for (; ob + 8 <= coP; ob += 8)
            for (int s = 0; s < nv; s++) {
                FloatVector a0 = FloatVector.zero(SP), a1 = a0, a2v = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                int ub0 = uOff + ob, vb0 = vOff + s * L;
                for (int i = 0; i < ci; i++) {
                    int ub = ub0 + i * coP;
                    FloatVector x = FloatVector.fromArray(SP, v, vb0 + i * vs);
                    a0 = x.fma(FloatVector.broadcast(SP, u[ub]), a0);
                    a1 = x.fma(FloatVector.broadcast(SP, u[ub + 1]), a1);
                    a2v = x.fma(FloatVector.broadcast(SP, u[ub + 2]), a2v);
                    a3 = x.fma(FloatVector.broadcast(SP, u[ub + 3]), a3);
                    a4 = x.fma(FloatVector.broadcast(SP, u[ub + 4]), a4);
                    a5 = x.fma(FloatVector.broadcast(SP, u[ub + 5]), a5);
                    a6 = x.fma(FloatVector.broadcast(SP, u[ub + 6]), a6);
                    a7 = x.fma(FloatVector.broadcast(SP, u[ub + 7]), a7);
                }
                int o = (ob * a2 + xn) * TB + s * L;
                a0.intoArray(prod, o);
                a1.intoArray(prod, o + st);
                a2v.intoArray(prod, o + 2 * st);
                a3.intoArray(prod, o + 3 * st);
                a4.intoArray(prod, o + 4 * st);
                a5.intoArray(prod, o + 5 * st);
                a6.intoArray(prod, o + 6 * st);
                a7.intoArray(prod, o + 7 * st);
            }
        if (ob < coP) // four channels left
        for (int s = 0; s < nv; s++) {
                FloatVector a0 = FloatVector.zero(SP), a1 = a0, a2v = a0, a3 = a0;
                int ub0 = uOff + ob, vb0 = vOff + s * L;
                for (int i = 0; i < ci; i++) {
                    int ub = ub0 + i * coP;
                    FloatVector x = FloatVector.fromArray(SP, v, vb0 + i * vs);
                    a0 = x.fma(FloatVector.broadcast(SP, u[ub]), a0);
                    a1 = x.fma(FloatVector.broadcast(SP, u[ub + 1]), a1);
                    a2v = x.fma(FloatVector.broadcast(SP, u[ub + 2]), a2v);
                    a3 = x.fma(FloatVector.broadcast(SP, u[ub + 3]), a3);
                }
                int o = (ob * a2 + xn) * TB + s * L;
                a0.intoArray(prod, o);
                a1.intoArray(prod, o + st);
                a2v.intoArray(prod, o + 2 * st);
                a3.intoArray(prod, o + 3 * st);
            }
    }

    /** 8 output channels x 3 vectors of tiles: 24 accumulators (AVX-512 has 32 vector registers). */
    static void products8x3(
            float[] u, int ub0, float[] v, int vb0, int vs, int ci, int coP, float[] prod, int o, int st) {
        FloatVector a00 = FloatVector.zero(SP),
                a01 = a00,
                a02 = a00,
                a10 = a00,
                a11 = a00,
                a12 = a00,
                a20 = a00,
                a21 = a00,
                a22 = a00,
                a30 = a00,
                a31 = a00,
                a32 = a00,
                a40 = a00,
                a41 = a00,
                a42 = a00,
                a50 = a00,
                a51 = a00,
                a52 = a00,
                a60 = a00,
                a61 = a00,
                a62 = a00,
                a70 = a00,
                a71 = a00,
                a72 = a00;
        for (int i = 0; i < ci; i++) {
            int ub = ub0 + i * coP, vb = vb0 + i * vs;
            FloatVector x0 = FloatVector.fromArray(SP, v, vb),
                    x1 = FloatVector.fromArray(SP, v, vb + L),
                    x2 = FloatVector.fromArray(SP, v, vb + 2 * L);
            FloatVector w = FloatVector.broadcast(SP, u[ub]);
            a00 = x0.fma(w, a00);
            a01 = x1.fma(w, a01);
            a02 = x2.fma(w, a02);
            w = FloatVector.broadcast(SP, u[ub + 1]);
            a10 = x0.fma(w, a10);
            a11 = x1.fma(w, a11);
            a12 = x2.fma(w, a12);
            w = FloatVector.broadcast(SP, u[ub + 2]);
            a20 = x0.fma(w, a20);
            a21 = x1.fma(w, a21);
            a22 = x2.fma(w, a22);
            w = FloatVector.broadcast(SP, u[ub + 3]);
            a30 = x0.fma(w, a30);
            a31 = x1.fma(w, a31);
            a32 = x2.fma(w, a32);
            w = FloatVector.broadcast(SP, u[ub + 4]);
            a40 = x0.fma(w, a40);
            a41 = x1.fma(w, a41);
            a42 = x2.fma(w, a42);
            w = FloatVector.broadcast(SP, u[ub + 5]);
            a50 = x0.fma(w, a50);
            a51 = x1.fma(w, a51);
            a52 = x2.fma(w, a52);
            w = FloatVector.broadcast(SP, u[ub + 6]);
            a60 = x0.fma(w, a60);
            a61 = x1.fma(w, a61);
            a62 = x2.fma(w, a62);
            w = FloatVector.broadcast(SP, u[ub + 7]);
            a70 = x0.fma(w, a70);
            a71 = x1.fma(w, a71);
            a72 = x2.fma(w, a72);
        }
        a00.intoArray(prod, o);
        a01.intoArray(prod, o + L);
        a02.intoArray(prod, o + 2 * L);
        o += st;
        a10.intoArray(prod, o);
        a11.intoArray(prod, o + L);
        a12.intoArray(prod, o + 2 * L);
        o += st;
        a20.intoArray(prod, o);
        a21.intoArray(prod, o + L);
        a22.intoArray(prod, o + 2 * L);
        o += st;
        a30.intoArray(prod, o);
        a31.intoArray(prod, o + L);
        a32.intoArray(prod, o + 2 * L);
        o += st;
        a40.intoArray(prod, o);
        a41.intoArray(prod, o + L);
        a42.intoArray(prod, o + 2 * L);
        o += st;
        a50.intoArray(prod, o);
        a51.intoArray(prod, o + L);
        a52.intoArray(prod, o + 2 * L);
        o += st;
        a60.intoArray(prod, o);
        a61.intoArray(prod, o + L);
        a62.intoArray(prod, o + 2 * L);
        o += st;
        a70.intoArray(prod, o);
        a71.intoArray(prod, o + L);
        a72.intoArray(prod, o + 2 * L);
    }

    /**
     * {@code bias + A^T M A} of the L tiles whose products start at {@code prod[src]} (point stride {@code TB}),
     * written to {@code out[dst + i * ow + (t0 + lane) * m + j]}.
     */
    private void outputTransform(
            float[] prod, int src, float bias, float[] s, float[] lanes, float[] out, int dst, int ow, int t0) {
        if (fast8) {
            for (int nu = 0; nu < 8; nu++) at8(prod, src + nu * TB, 8 * TB, 0f, s, nu * L, 8 * L); // s[i][nu]
            for (int i = 0; i < 4; i++) {
                at8(s, i * 8 * L, L, bias, lanes, 0, L); // lanes[j * L + l]: Y[i][j] of tile t0 + l
                int base = dst + i * ow + t0 * m;
                for (int l = 0; l < L; l++) for (int j = 0; j < 4; j++) out[base + l * 4 + j] = lanes[j * L + l];
            }
            return;
        }
        for (int i = 0; i < m; i++) { // s[i][nu] = sum_xi AT[i][xi] M[xi][nu]
            int[] idx = atIdx[i];
            float[] val = atVal[i];
            for (int nu = 0; nu < a; nu++) {
                FloatVector acc = FloatVector.zero(SP);
                for (int q = 0; q < idx.length; q++)
                    acc = FloatVector.fromArray(SP, prod, src + (idx[q] * a + nu) * TB)
                            .fma(FloatVector.broadcast(SP, val[q]), acc);
                acc.intoArray(s, (i * a + nu) * L);
            }
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) { // Y[i][j] = bias + sum_nu s[i][nu] AT[j][nu]
                int[] idx = atIdx[j];
                float[] val = atVal[j];
                FloatVector acc = FloatVector.zero(SP);
                for (int q = 0; q < idx.length; q++)
                    acc = FloatVector.fromArray(SP, s, (i * a + idx[q]) * L)
                            .fma(FloatVector.broadcast(SP, val[q]), acc);
                acc.add(bias).intoArray(lanes, 0);
                int base = dst + i * ow + t0 * m + j;
                for (int l = 0; l < L; l++) out[base + l * m] = lanes[l];
            }
    }
}
