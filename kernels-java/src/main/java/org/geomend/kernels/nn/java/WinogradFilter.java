package org.geomend.kernels.nn.java;

import static org.geomend.kernels.nn.java.ConvLoops.L;
import static org.geomend.kernels.nn.java.ConvLoops.SP;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The filter gradient of a stride-1 'same' 5 x 5 convolution by Winograd: per 4 x 4 tile of the output gradient
 * {@code g} and its 8 x 8 input tile {@code d}, the 5 x 5 contribution {@code sum d[kh + r][kw + c] g[r][c]} is the
 * correlation F(5 x 5, 4 x 4), {@code A'^T [(G' g G'^T) . (B^T d B)] A'}, whose {@code B^T} (8 x 8, the same
 * interpolation points) is the forward F(4 x 4, 5 x 5)'s: the input tiles and their transform are the forward's
 * ({@link Winograd#inputTransform}). The sum over tiles is taken in the transform domain, 64 channel products
 * {@code M[xn][i][o] += V[xn][i][t] U[xn][t][o]} per tile (instead of the direct 25 x 16), and the output transform
 * runs once per filter at the end, in float64.
 *
 * <p>Work: a fixed number of units ({@link #UNITS}) of consecutive tile rows (over the whole batch), each summing
 * its tiles into its own float64 {@code M} (float32 vector sums over a group of whole tile rows of at least
 * {@link #GROUP_TILES} tiles, {@link #group}, then added in float64); the units' {@code M} are added in unit order. Nothing depends on the thread count: the result is bit-identical for any.
 */
final class WinogradFilter {

    /** Work units: fixed, not from the thread count. */
    static final int UNITS = 16;

    private final Winograd in; // F(4 x 4, 5 x 5): the input tiles and B^T
    private final float[] gp; // G' [8][4] of F(5, 4), float32
    private final double[] atp; // A'^T [5][8] of F(5, 4)

    WinogradFilter(Winograd forward) {
        if (forward.m != 4 || forward.k != 5) throw new IllegalArgumentException("wants F(4 x 4, 5 x 5)");
        this.in = forward;
        Winograd f = new Winograd(5, 4);
        for (int q = 0; q < 64; q++)
            if (f.bt[q] != forward.bt[q]) throw new IllegalStateException("F(5, 4) and F(4, 5) differ in B^T");
        gp = new float[8 * 4];
        for (int q = 0; q < gp.length; q++) gp[q] = (float) f.g[q];
        atp = new double[5 * 8];
        for (int q = 0; q < atp.length; q++) atp[q] = f.at[q];
    }

    /** The transform-domain sums of {@code M} for the filter gradient; see {@link #filters}. */
    double[] sums(JavaNnKernels nn, MemorySegment x, MemorySegment dy, int n, int ci, int co, int h, int w) {
        int tyN = (h + 3) / 4, txN = (w + 3) / 4, rows = n * tyN, units = Math.min(UNITS, rows);
        int coP = ConvLoops.roundUp(co, L), tp = ConvLoops.roundUp(txN, L), pl = tp + 1;
        int group = group(txN), tg = (group - 1) * txN + tp; // tiles of a group of tile rows, row g from g * txN
        double[][] part = new double[units][];
        nn.parallelFor(units, q -> {
            double[] md = new double[64 * ci * coP];
            float[] row = new float[pl * 4], phx = new float[ci * 8 * 4 * pl], gRow = new float[co * w];
            float[] g = new float[16 * txN * coP]; // g[((r * 4 + c) * txN + tx) * coP + o], zero beyond co and w
            float[][] sc = scratch(64 * ci * tg, 64 * tg * coP);
            float[] t = new float[64 * L], v = sc[0], u = sc[1]; // every element products reads is written first
            float[] s = new float[8 * 4 * L], lanes = new float[L];
            int r0 = (int) ((long) rows * q / units), end = (int) ((long) rows * (q + 1) / units);
            for (int rg = r0; rg < end; rg += group) {
                int gEnd = Math.min(end, rg + group);
                for (int r = rg; r < gEnd; r++) {
                    int img = r / tyN, ty = r % tyN, tb = (r - rg) * txN; // this row's first tile in the group
                    for (int i = 0; i < ci; i++) { // V[xn][i][t] = B^T d B of the input tiles
                        long plane = ((long) img * ci + i) * h;
                        int off = i * 8 * 4 * pl;
                        for (int rr = 0; rr < 8; rr++)
                            in.phaseRow(x, plane, ty * 4 + rr - 2, h, w, -2, row, phx, off + rr * 4 * pl, pl);
                        for (int t0 = 0; t0 < txN; t0 += L)
                            in.inputTransform(phx, off, off + 16 * pl, pl, t0, t, v, i * tg + tb + t0, ci * tg);
                    }
                    // U[xn][t][o] = G' g G'^T of the output-gradient tiles, vectors of output channels
                    for (int rr = 0; rr < 4; rr++) gatherGrad(dy, img, co, h, w, ty * 4 + rr, rr, txN, coP, gRow, g);
                    for (int tx = 0; tx < txN; tx++)
                        for (int ob = 0; ob < coP; ob += L) gradTransform(g, txN, coP, tx, ob, s, u, tg, tb);
                }
                products(v, u, ci, coP, tg, (gEnd - rg) * txN, md, lanes);
            }
            part[q] = md;
        });
        double[] m = part[0];
        for (int q = 1; q < units; q++) for (int j = 0; j < m.length; j++) m[j] += part[q][j];
        return m;
    }

    /**
     * The calling thread's transformed tiles {@code v} and {@code u}, grown to the sizes asked: a 64 -> 32 layer's
     * are 6 MB at 160 x 160, and allocating (and zeroing) them for each of the 16 units of every call cost about as
     * much as their products.
     */
    private float[][] scratch(int vn, int un) {
        float[][] sc = scratch.get();
        if (sc == null || sc[0].length < vn || sc[1].length < un) {
            sc = new float[][] {
                new float[Math.max(vn, sc == null ? 0 : sc[0].length)],
                new float[Math.max(un, sc == null ? 0 : sc[1].length)]
            };
            scratch.set(sc);
        }
        return sc;
    }

    private final ThreadLocal<float[][]> scratch = new ThreadLocal<>();

    /**
     * Tile rows whose tiles are summed together in float32 before they are added to the float64 sums: at least
     * {@link #GROUP_TILES} tiles (a fold costs about as much as 50 tiles' products), whole rows; from the width only.
     */
    static int group(int txN) {
        return Math.max(1, GROUP_TILES / txN);
    }

    /** Tiles per float32 partial sum of {@link #group}. */
    static final int GROUP_TILES = 256;

    /**
     * Row {@code iy} of every output channel of image {@code img} as tile row {@code rr} of the gradient tiles,
     * channels innermost: {@code g[((rr * 4 + c) * txN + tx) * coP + o] = dy[img][o][iy][4 * tx + c]} (zeros where
     * {@code iy} is outside the image; columns beyond the width are never written, so stay zero).
     */
    private static void gatherGrad(
            MemorySegment dy, int img, int co, int h, int w, int iy, int rr, int txN, int coP, float[] row, float[] g) {
        int base = rr * 4 * txN * coP;
        if (iy >= h) {
            java.util.Arrays.fill(g, base, base + 4 * txN * coP, 0f);
            return;
        }
        for (int o = 0; o < co; o++) // the co rows, then transposed: writes run along the channels
        MemorySegment.copy(dy, JavaTensor.F, ((((long) img * co + o) * h + iy) * w) * 4, row, o * w, w);
        for (int x = 0; x < w; x++) {
            int d = base + ((x & 3) * txN + (x >> 2)) * coP;
            for (int o = 0, src = x; o < co; o++, src += w) g[d + o] = row[src];
        }
    }

    /**
     * {@code G' g G'^T} of tile {@code tx} for the L output channels from {@code ob} ({@code g[r][c] = g[((r * 4 +
     * c) * txN + tx) * coP + ob + lane]}), into {@code u[(xn * tp + tb + tx) * coP + ob + lane]}.
     */
    private void gradTransform(float[] g, int txN, int coP, int tx, int ob, float[] s, float[] u, int tp, int tb) {
        int stride = txN * coP, g0 = tx * coP + ob;
        for (int xi = 0; xi < 8; xi++) // s[xi][c] = sum_r G'[xi][r] g[r][c]
        for (int c = 0; c < 4; c++) {
                FloatVector acc = FloatVector.zero(SP);
                for (int r = 0; r < 4; r++) {
                    float gv = gp[xi * 4 + r];
                    if (gv != 0f)
                        acc = FloatVector.fromArray(SP, g, (r * 4 + c) * stride + g0)
                                .fma(FloatVector.broadcast(SP, gv), acc);
                }
                acc.intoArray(s, (xi * 4 + c) * L);
            }
        for (int xi = 0; xi < 8; xi++)
            for (int nu = 0; nu < 8; nu++) { // U[xi][nu] = sum_c s[xi][c] G'[nu][c]
                FloatVector acc = FloatVector.zero(SP);
                for (int c = 0; c < 4; c++) {
                    float gv = gp[nu * 4 + c];
                    if (gv != 0f)
                        acc = FloatVector.fromArray(SP, s, (xi * 4 + c) * L).fma(FloatVector.broadcast(SP, gv), acc);
                }
                acc.intoArray(u, ((xi * 8 + nu) * tp + tb + tx) * coP + ob);
            }
    }

    /**
     * {@code md[(xn * ci + i) * coP + o] += sum_{t < nt} v[(xn * ci + i) * tp + t] u[(xn * tp + t) * coP + o]}: the
     * tile sum in float32 (tiles in order), then added in float64. Register tile: 4 (else 2, 1) input channels x 2
     * vectors of output channels; every tile adds the same products in the same order.
     */
    private static void products(float[] v, float[] u, int ci, int coP, int tp, int nt, double[] md, float[] lanes) {
        for (int xn = 0; xn < 64; xn++) {
            int ub = xn * tp * coP;
            int i = 0;
            for (; i + 4 <= ci && 2 * L <= coP; i += 4) { // 4 input channels x 2 vectors: 6 loads per 8 FMAs
                int v0 = (xn * ci + i) * tp, v1 = v0 + tp, v2 = v1 + tp, v3 = v2 + tp;
                int ob = 0;
                for (; ob + 2 * L <= coP; ob += 2 * L) {
                    FloatVector a00 = FloatVector.zero(SP), a01 = a00, a10 = a00, a11 = a00;
                    FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
                    for (int t = 0, uo = ub + ob; t < nt; t++, uo += coP) {
                        FloatVector u0 = FloatVector.fromArray(SP, u, uo);
                        FloatVector u1 = FloatVector.fromArray(SP, u, uo + L);
                        FloatVector b = FloatVector.broadcast(SP, v[v0 + t]);
                        a00 = u0.fma(b, a00);
                        a01 = u1.fma(b, a01);
                        b = FloatVector.broadcast(SP, v[v1 + t]);
                        a10 = u0.fma(b, a10);
                        a11 = u1.fma(b, a11);
                        b = FloatVector.broadcast(SP, v[v2 + t]);
                        a20 = u0.fma(b, a20);
                        a21 = u1.fma(b, a21);
                        b = FloatVector.broadcast(SP, v[v3 + t]);
                        a30 = u0.fma(b, a30);
                        a31 = u1.fma(b, a31);
                    }
                    int m0 = (xn * ci + i) * coP + ob;
                    fold(a00, md, m0, lanes);
                    fold(a01, md, m0 + L, lanes);
                    fold(a10, md, m0 + coP, lanes);
                    fold(a11, md, m0 + coP + L, lanes);
                    fold(a20, md, m0 + 2 * coP, lanes);
                    fold(a21, md, m0 + 2 * coP + L, lanes);
                    fold(a30, md, m0 + 3 * coP, lanes);
                    fold(a31, md, m0 + 3 * coP + L, lanes);
                }
                for (; ob < coP; ob += L) {
                    FloatVector a0 = FloatVector.zero(SP), a1 = a0, a2 = a0, a3 = a0;
                    for (int t = 0; t < nt; t++) {
                        FloatVector u0 = FloatVector.fromArray(SP, u, ub + t * coP + ob);
                        a0 = u0.fma(FloatVector.broadcast(SP, v[v0 + t]), a0);
                        a1 = u0.fma(FloatVector.broadcast(SP, v[v1 + t]), a1);
                        a2 = u0.fma(FloatVector.broadcast(SP, v[v2 + t]), a2);
                        a3 = u0.fma(FloatVector.broadcast(SP, v[v3 + t]), a3);
                    }
                    int m0 = (xn * ci + i) * coP + ob;
                    fold(a0, md, m0, lanes);
                    fold(a1, md, m0 + coP, lanes);
                    fold(a2, md, m0 + 2 * coP, lanes);
                    fold(a3, md, m0 + 3 * coP, lanes);
                }
            }
            for (; i + 2 <= ci; i += 2) {
                int v0 = (xn * ci + i) * tp, v1 = v0 + tp;
                int ob = 0;
                for (; ob + 2 * L <= coP; ob += 2 * L) {
                    FloatVector a00 = FloatVector.zero(SP), a01 = a00, a10 = a00, a11 = a00;
                    for (int t = 0; t < nt; t++) {
                        FloatVector u0 = FloatVector.fromArray(SP, u, ub + t * coP + ob);
                        FloatVector u1 = FloatVector.fromArray(SP, u, ub + t * coP + ob + L);
                        FloatVector b0 = FloatVector.broadcast(SP, v[v0 + t]),
                                b1 = FloatVector.broadcast(SP, v[v1 + t]);
                        a00 = u0.fma(b0, a00);
                        a01 = u1.fma(b0, a01);
                        a10 = u0.fma(b1, a10);
                        a11 = u1.fma(b1, a11);
                    }
                    int m0 = (xn * ci + i) * coP + ob, m1 = m0 + coP;
                    fold(a00, md, m0, lanes);
                    fold(a01, md, m0 + L, lanes);
                    fold(a10, md, m1, lanes);
                    fold(a11, md, m1 + L, lanes);
                }
                for (; ob < coP; ob += L) {
                    FloatVector a0 = FloatVector.zero(SP), a1 = a0;
                    for (int t = 0; t < nt; t++) {
                        FloatVector u0 = FloatVector.fromArray(SP, u, ub + t * coP + ob);
                        a0 = u0.fma(FloatVector.broadcast(SP, v[v0 + t]), a0);
                        a1 = u0.fma(FloatVector.broadcast(SP, v[v1 + t]), a1);
                    }
                    int m0 = (xn * ci + i) * coP + ob;
                    fold(a0, md, m0, lanes);
                    fold(a1, md, m0 + coP, lanes);
                }
            }
            for (; i < ci; i++) {
                int v0 = (xn * ci + i) * tp;
                for (int ob = 0; ob < coP; ob += L) {
                    FloatVector a0 = FloatVector.zero(SP);
                    for (int t = 0; t < nt; t++)
                        a0 = FloatVector.fromArray(SP, u, ub + t * coP + ob)
                                .fma(FloatVector.broadcast(SP, v[v0 + t]), a0);
                    fold(a0, md, (xn * ci + i) * coP + ob, lanes);
                }
            }
        }
    }

    private static void fold(FloatVector a, double[] md, int off, float[] lanes) {
        a.intoArray(lanes, 0);
        for (int l = 0; l < L; l++) md[off + l] += lanes[l];
    }

    /** The filter gradient {@code dw[o][i][kh][kw] = (A'^T M[.][i][o] A')[kh][kw]} from the sums, in float64. */
    void filters(double[] m, int ci, int co, float[] dw) {
        int coP = ConvLoops.roundUp(co, L);
        double[] s = new double[5 * 8];
        for (int o = 0; o < co; o++)
            for (int i = 0; i < ci; i++) {
                for (int kh = 0; kh < 5; kh++) // s[kh][nu] = sum_xi A'^T[kh][xi] M[xi][nu]
                for (int nu = 0; nu < 8; nu++) {
                        double acc = 0;
                        for (int xi = 0; xi < 8; xi++) acc += atp[kh * 8 + xi] * m[((xi * 8 + nu) * ci + i) * coP + o];
                        s[kh * 8 + nu] = acc;
                    }
                for (int kh = 0; kh < 5; kh++)
                    for (int kw = 0; kw < 5; kw++) {
                        double acc = 0;
                        for (int nu = 0; nu < 8; nu++) acc += s[kh * 8 + nu] * atp[kw * 8 + nu];
                        dw[((o * ci + i) * 5 + kh) * 5 + kw] = (float) acc;
                    }
            }
    }
}
