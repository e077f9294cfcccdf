package org.geomend.kernels.nn.java;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The convolution inner loops on heap scratch rows, with the Vector API. A "row buffer" holds, for one output row,
 * the {@code K} zero-padded input rows of every input channel: {@code buf[(i * K + kh) * wp + c]} is input channel
 * {@code i}, row {@code h + kh - K/2}, column {@code c - K/2}; {@code wp = wr + K - 1} where {@code wr}, the
 * computed width, is the image width rounded up to a multiple of {@link #STRIP}.
 */
final class ConvLoops {

    static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    static final int L = SP.length();
    /** Output pixels per register tile: three vectors. */
    static final int STRIP = 3 * L;
    /** Output channels per register tile. */
    static final int OBLOCK = 4;

    private ConvLoops() {}

    /** Sum of the lanes of {@code v}, lane 0 first, in float64. */
    private static double lanes(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        double s = 0;
        for (float f : scratch) s += f;
        return s;
    }

    /** Floats summed per float32 vector partial sum of {@link #sum} before it is added in float64. */
    static final int SUM_BLOCK = 64 * L;

    /**
     * {@code sum_{i < n} seg[start + i]} (offsets in floats) in float64 for the bias gradient: blocks of
     * {@link #SUM_BLOCK} floats summed in one float32 vector, whose lanes are then added in float64, lane 0 first;
     * the tail in float64. A fixed order: the same bits on every run and thread count.
     */
    static double sum(MemorySegment seg, long start, long n) {
        double s = 0;
        long i = 0;
        for (; i + SUM_BLOCK <= n; i += SUM_BLOCK) {
            FloatVector a = FloatVector.zero(SP);
            for (long j = i; j < i + SUM_BLOCK; j += L)
                a = a.add(FloatVector.fromMemorySegment(SP, seg, (start + j) * 4, ByteOrder.nativeOrder()));
            for (int l = 0; l < L; l++) s += a.lane(l);
        }
        for (; i < n; i++) s += seg.getAtIndex(ValueLayout.JAVA_FLOAT, start + i);
        return s;
    }

    static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    /**
     * One output row of every output channel: {@code out[o * wr + c] = bias[o] + sum_{i,kh,kw}
     * wt[((i * k + kh) * k + kw) * coP + o] * buf[(i * k + kh) * wp + c + kw]} for {@code o < coP} (a multiple
     * of {@link #OBLOCK}) and {@code c < wr} (a multiple of {@link #STRIP}). Register tile: 4 channels x 3 vectors.
     */
    static void rowConv(float[] buf, int ci, int k, int wp, float[] wt, int coP, float[] bias, int wr, float[] out) {
        for (int s = 0; s < wr; s += STRIP) {
            for (int ob = 0; ob < coP; ob += OBLOCK) {
                FloatVector a00 = FloatVector.broadcast(SP, bias[ob]), a01 = a00, a02 = a00;
                FloatVector a10 = FloatVector.broadcast(SP, bias[ob + 1]), a11 = a10, a12 = a10;
                FloatVector a20 = FloatVector.broadcast(SP, bias[ob + 2]), a21 = a20, a22 = a20;
                FloatVector a30 = FloatVector.broadcast(SP, bias[ob + 3]), a31 = a30, a32 = a30;
                for (int r = 0, rows = ci * k; r < rows; r++) {
                    int xb = r * wp + s;
                    int wb = r * k * coP + ob;
                    for (int kw = 0; kw < k; kw++, xb++, wb += coP) {
                        FloatVector x0 = FloatVector.fromArray(SP, buf, xb);
                        FloatVector x1 = FloatVector.fromArray(SP, buf, xb + L);
                        FloatVector x2 = FloatVector.fromArray(SP, buf, xb + 2 * L);
                        FloatVector w = FloatVector.broadcast(SP, wt[wb]);
                        a00 = x0.fma(w, a00);
                        a01 = x1.fma(w, a01);
                        a02 = x2.fma(w, a02);
                        w = FloatVector.broadcast(SP, wt[wb + 1]);
                        a10 = x0.fma(w, a10);
                        a11 = x1.fma(w, a11);
                        a12 = x2.fma(w, a12);
                        w = FloatVector.broadcast(SP, wt[wb + 2]);
                        a20 = x0.fma(w, a20);
                        a21 = x1.fma(w, a21);
                        a22 = x2.fma(w, a22);
                        w = FloatVector.broadcast(SP, wt[wb + 3]);
                        a30 = x0.fma(w, a30);
                        a31 = x1.fma(w, a31);
                        a32 = x2.fma(w, a32);
                    }
                }
                int o = ob * wr + s;
                a00.intoArray(out, o);
                a01.intoArray(out, o + L);
                a02.intoArray(out, o + 2 * L);
                o += wr;
                a10.intoArray(out, o);
                a11.intoArray(out, o + L);
                a12.intoArray(out, o + 2 * L);
                o += wr;
                a20.intoArray(out, o);
                a21.intoArray(out, o + L);
                a22.intoArray(out, o + 2 * L);
                o += wr;
                a30.intoArray(out, o);
                a31.intoArray(out, o + L);
                a32.intoArray(out, o + 2 * L);
            }
        }
    }

    /**
     * Filter-gradient contributions of one output row of one (output, input) channel pair, kept as vectors:
     * {@code vacc[voff + (kh * k + kw) * L + lane] += sum_{c = lane mod L, c < wr} dy[c] * xb[kh * wp + c + kw]}
     * ({@code dy} zero beyond the image width; {@code xb} the {@code k} padded input rows of the input channel). Four
     * taps share each {@code dy} load. The caller adds the lanes in float64 every few rows ({@link #foldLanes}), in a
     * fixed order (not with {@code reduceLanes}, whose order differs between the interpreter and the JIT: results must
     * be reproducible).
     */
    static void filterRow(float[] dy, float[] xb, int k, int wp, int wr, float[] vacc, int voff) {
        for (int kh = 0; kh < k; kh++) {
            int base = kh * wp;
            int kw = 0;
            for (; kw + 4 <= k; kw += 4) {
                int t = voff + (kh * k + kw) * L;
                FloatVector a0 = FloatVector.fromArray(SP, vacc, t), a1 = FloatVector.fromArray(SP, vacc, t + L);
                FloatVector a2 = FloatVector.fromArray(SP, vacc, t + 2 * L),
                        a3 = FloatVector.fromArray(SP, vacc, t + 3 * L);
                int xb0 = base + kw;
                for (int c = 0; c < wr; c += L) {
                    FloatVector d = FloatVector.fromArray(SP, dy, c);
                    a0 = FloatVector.fromArray(SP, xb, xb0 + c).fma(d, a0);
                    a1 = FloatVector.fromArray(SP, xb, xb0 + c + 1).fma(d, a1);
                    a2 = FloatVector.fromArray(SP, xb, xb0 + c + 2).fma(d, a2);
                    a3 = FloatVector.fromArray(SP, xb, xb0 + c + 3).fma(d, a3);
                }
                a0.intoArray(vacc, t);
                a1.intoArray(vacc, t + L);
                a2.intoArray(vacc, t + 2 * L);
                a3.intoArray(vacc, t + 3 * L);
            }
            for (; kw < k; kw++) {
                int t = voff + (kh * k + kw) * L;
                FloatVector a0 = FloatVector.fromArray(SP, vacc, t);
                int xb0 = base + kw;
                for (int c = 0; c < wr; c += L)
                    a0 = FloatVector.fromArray(SP, xb, xb0 + c).fma(FloatVector.fromArray(SP, dy, c), a0);
                a0.intoArray(vacc, t);
            }
        }
    }

    /**
     * {@link #filterRow} of two output channels at once ({@code dy0} into {@code vacc} from {@code voff}, {@code dy1}
     * from {@code voff + k * k * L}): each input load serves both; every accumulator gets the same sums in the same
     * order as {@link #filterRow}.
     */
    static void filterRow2(float[] dy0, float[] dy1, float[] xb, int k, int wp, int wr, float[] vacc, int voff) {
        int v1 = voff + k * k * L;
        for (int kh = 0; kh < k; kh++) {
            int base = kh * wp;
            int kw = 0;
            for (; kw + 4 <= k; kw += 4) {
                int t = voff + (kh * k + kw) * L, u = v1 + (kh * k + kw) * L;
                FloatVector a0 = FloatVector.fromArray(SP, vacc, t), a1 = FloatVector.fromArray(SP, vacc, t + L);
                FloatVector a2 = FloatVector.fromArray(SP, vacc, t + 2 * L),
                        a3 = FloatVector.fromArray(SP, vacc, t + 3 * L);
                FloatVector b0 = FloatVector.fromArray(SP, vacc, u), b1 = FloatVector.fromArray(SP, vacc, u + L);
                FloatVector b2 = FloatVector.fromArray(SP, vacc, u + 2 * L),
                        b3 = FloatVector.fromArray(SP, vacc, u + 3 * L);
                int xb0 = base + kw;
                for (int c = 0; c < wr; c += L) {
                    FloatVector d = FloatVector.fromArray(SP, dy0, c), e = FloatVector.fromArray(SP, dy1, c);
                    FloatVector x = FloatVector.fromArray(SP, xb, xb0 + c);
                    a0 = x.fma(d, a0);
                    b0 = x.fma(e, b0);
                    x = FloatVector.fromArray(SP, xb, xb0 + c + 1);
                    a1 = x.fma(d, a1);
                    b1 = x.fma(e, b1);
                    x = FloatVector.fromArray(SP, xb, xb0 + c + 2);
                    a2 = x.fma(d, a2);
                    b2 = x.fma(e, b2);
                    x = FloatVector.fromArray(SP, xb, xb0 + c + 3);
                    a3 = x.fma(d, a3);
                    b3 = x.fma(e, b3);
                }
                a0.intoArray(vacc, t);
                a1.intoArray(vacc, t + L);
                a2.intoArray(vacc, t + 2 * L);
                a3.intoArray(vacc, t + 3 * L);
                b0.intoArray(vacc, u);
                b1.intoArray(vacc, u + L);
                b2.intoArray(vacc, u + 2 * L);
                b3.intoArray(vacc, u + 3 * L);
            }
            for (; kw < k; kw++) {
                int t = voff + (kh * k + kw) * L, u = v1 + (kh * k + kw) * L;
                FloatVector a0 = FloatVector.fromArray(SP, vacc, t), b0 = FloatVector.fromArray(SP, vacc, u);
                int xb0 = base + kw;
                for (int c = 0; c < wr; c += L) {
                    FloatVector x = FloatVector.fromArray(SP, xb, xb0 + c);
                    a0 = x.fma(FloatVector.fromArray(SP, dy0, c), a0);
                    b0 = x.fma(FloatVector.fromArray(SP, dy1, c), b0);
                }
                a0.intoArray(vacc, t);
                b0.intoArray(vacc, u);
            }
        }
    }

    /** {@code acc[q] += sum_l vacc[q * L + l]} (lane 0 first, in float64) for {@code q < n}; then clears {@code vacc}. */
    static void foldLanes(float[] vacc, double[] acc, int n) {
        for (int q = 0; q < n; q++) {
            double s = 0;
            for (int l = 0; l < L; l++) s += vacc[q * L + l];
            acc[q] += s;
        }
        java.util.Arrays.fill(vacc, 0, n * L, 0f);
    }
}
