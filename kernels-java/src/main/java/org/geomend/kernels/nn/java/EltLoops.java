package org.geomend.kernels.nn.java;

import static org.geomend.kernels.nn.java.ConvLoops.L;
import static org.geomend.kernels.nn.java.ConvLoops.SP;
import static org.geomend.kernels.nn.java.JavaTensor.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * The exact element-wise and resampling loops of {@link JavaNnKernels} with the Vector API, directly on the tensors'
 * memory: every result is the same float as the scalar definition (comparisons, selections, the same additions in
 * the same order), so they are bit-identical to it, NaN and signed zeros included. Offsets are in floats.
 */
final class EltLoops {

    private static final ByteOrder NO = ByteOrder.nativeOrder();
    /** Two vectors {@code a, b} of interleaved pairs to their even and odd elements; back to interleaved halves. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(SP, i -> 2 * i),
            ODD = VectorShuffle.fromOp(SP, i -> 2 * i + 1),
            ZIP_LO = VectorShuffle.fromOp(SP, i -> (i & 1) == 0 ? i / 2 : L + i / 2),
            ZIP_HI = VectorShuffle.fromOp(SP, i -> (i & 1) == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2),
            DUP_LO = VectorShuffle.fromOp(SP, i -> i / 2),
            DUP_HI = VectorShuffle.fromOp(SP, i -> L / 2 + i / 2);

    private EltLoops() {}

    private static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(SP, s, i * 4, NO);
    }

    private static void store(FloatVector v, MemorySegment s, long i) {
        v.intoMemorySegment(s, i * 4, NO);
    }

    /** {@code y[i] = x[i] > 0 ? x[i] : 0} for {@code i} in {@code [s, e)}. */
    static void relu(MemorySegment x, MemorySegment y, long s, long e) {
        FloatVector zero = FloatVector.zero(SP);
        long i = s;
        for (; i + L <= e; i += L) {
            FloatVector v = load(x, i);
            store(zero.blend(v, v.compare(VectorOperators.GT, 0f)), y, i);
        }
        for (; i < e; i++) {
            float v = x.getAtIndex(F, i);
            y.setAtIndex(F, i, v > 0f ? v : 0f);
        }
    }

    /** {@code dx[i] = y[i] > 0 ? dy[i] : 0} for {@code i} in {@code [s, e)}. */
    static void reluBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long s, long e) {
        FloatVector zero = FloatVector.zero(SP);
        long i = s;
        for (; i + L <= e; i += L) store(zero.blend(load(dy, i), load(y, i).compare(VectorOperators.GT, 0f)), dx, i);
        for (; i < e; i++) dx.setAtIndex(F, i, y.getAtIndex(F, i) > 0f ? dy.getAtIndex(F, i) : 0f);
    }

    /**
     * One output row of the 2 x 2 max-pool: {@code y[yi + c]} for {@code c < wo} from input rows {@code x[xi ..]} and
     * {@code x[xi + w ..]}, {@code w = 2 wo}; the window's maximum in row-major order by {@code >} (ties and NaN keep
     * the earlier element).
     */
    static void poolRow(MemorySegment x, long xi, int w, MemorySegment y, long yi, int wo) {
        int c = 0;
        for (; c + L <= wo; c += L) {
            long q = xi + 2L * c;
            FloatVector a0 = load(x, q), a1 = load(x, q + L), b0 = load(x, q + w), b1 = load(x, q + w + L);
            FloatVector best = a0.rearrange(EVEN, a1), v = a0.rearrange(ODD, a1);
            best = best.blend(v, v.compare(VectorOperators.GT, best));
            v = b0.rearrange(EVEN, b1);
            best = best.blend(v, v.compare(VectorOperators.GT, best));
            v = b0.rearrange(ODD, b1);
            store(best.blend(v, v.compare(VectorOperators.GT, best)), y, yi + c);
        }
        for (; c < wo; c++) {
            long q = xi + 2L * c;
            float best = x.getAtIndex(F, q), v = x.getAtIndex(F, q + 1);
            if (v > best) best = v;
            v = x.getAtIndex(F, q + w);
            if (v > best) best = v;
            v = x.getAtIndex(F, q + w + 1);
            if (v > best) best = v;
            y.setAtIndex(F, yi + c, best);
        }
    }

    /**
     * One output row of the max-pool's backward pass: each window of input rows {@code x[xi ..], x[xi + w ..]} gets
     * {@code dy[yi + c]} at its maximum (as {@link #poolRow} picks it) and 0 elsewhere, into {@code dx} at {@code xi}.
     */
    static void poolBackwardRow(MemorySegment x, MemorySegment dy, MemorySegment dx, long xi, int w, long yi, int wo) {
        FloatVector zero = FloatVector.zero(SP);
        int c = 0;
        for (; c + L <= wo; c += L) {
            long q = xi + 2L * c;
            FloatVector a0 = load(x, q), a1 = load(x, q + L), b0 = load(x, q + w), b1 = load(x, q + w + L);
            FloatVector best = a0.rearrange(EVEN, a1), v = a0.rearrange(ODD, a1);
            VectorMask<Float> s1 = v.compare(VectorOperators.GT, best);
            best = best.blend(v, s1);
            v = b0.rearrange(EVEN, b1);
            VectorMask<Float> s2 = v.compare(VectorOperators.GT, best);
            best = best.blend(v, s2);
            VectorMask<Float> s3 = b0.rearrange(ODD, b1).compare(VectorOperators.GT, best);
            FloatVector g = load(dy, yi + c);
            FloatVector d0 = zero.blend(g, s1.or(s2).or(s3).not()),
                    d1 = zero.blend(g, s1.andNot(s2).andNot(s3));
            FloatVector d2 = zero.blend(g, s2.andNot(s3)), d3 = zero.blend(g, s3);
            store(d0.rearrange(ZIP_LO, d1), dx, q);
            store(d0.rearrange(ZIP_HI, d1), dx, q + L);
            store(d2.rearrange(ZIP_LO, d3), dx, q + w);
            store(d2.rearrange(ZIP_HI, d3), dx, q + w + L);
        }
        for (; c < wo; c++) {
            long q = xi + 2L * c, m = 0;
            float best = x.getAtIndex(F, q);
            if (x.getAtIndex(F, q + 1) > best) {
                best = x.getAtIndex(F, q + 1);
                m = 1;
            }
            if (x.getAtIndex(F, q + w) > best) {
                best = x.getAtIndex(F, q + w);
                m = w;
            }
            if (x.getAtIndex(F, q + w + 1) > best) m = w + 1;
            float g = dy.getAtIndex(F, yi + c);
            dx.setAtIndex(F, q, m == 0 ? g : 0f);
            dx.setAtIndex(F, q + 1, m == 1 ? g : 0f);
            dx.setAtIndex(F, q + w, m == w ? g : 0f);
            dx.setAtIndex(F, q + w + 1, m == w + 1 ? g : 0f);
        }
    }

    /** Input row {@code x[xi .. xi + w)} up-sampled x2 into output rows {@code y[yi ..]} and {@code y[yi + 2w ..]}. */
    static void upRow(MemorySegment x, long xi, int w, MemorySegment y, long yi) {
        int c = 0;
        long w2 = 2L * w;
        for (; c + L <= w; c += L) {
            FloatVector v = load(x, xi + c), lo = v.rearrange(DUP_LO), hi = v.rearrange(DUP_HI);
            long q = yi + 2L * c;
            store(lo, y, q);
            store(hi, y, q + L);
            store(lo, y, q + w2);
            store(hi, y, q + w2 + L);
        }
        for (; c < w; c++) {
            float v = x.getAtIndex(F, xi + c);
            long q = yi + 2L * c;
            y.setAtIndex(F, q, v);
            y.setAtIndex(F, q + 1, v);
            y.setAtIndex(F, q + w2, v);
            y.setAtIndex(F, q + w2 + 1, v);
        }
    }

    /** {@code dx[xi + c] = (dy[q] + dy[q + 1]) + (dy[q + 2w] + dy[q + 2w + 1])}, {@code q = yi + 2c}, {@code c < w}. */
    static void upBackwardRow(MemorySegment dy, long yi, int w, MemorySegment dx, long xi) {
        int c = 0;
        long w2 = 2L * w;
        for (; c + L <= w; c += L) {
            long q = yi + 2L * c;
            FloatVector a0 = load(dy, q), a1 = load(dy, q + L), b0 = load(dy, q + w2), b1 = load(dy, q + w2 + L);
            FloatVector top = a0.rearrange(EVEN, a1).add(a0.rearrange(ODD, a1));
            store(top.add(b0.rearrange(EVEN, b1).add(b0.rearrange(ODD, b1))), dx, xi + c);
        }
        for (; c < w; c++) {
            long q = yi + 2L * c;
            dx.setAtIndex(
                    F,
                    xi + c,
                    (dy.getAtIndex(F, q) + dy.getAtIndex(F, q + 1))
                            + (dy.getAtIndex(F, q + w2) + dy.getAtIndex(F, q + w2 + 1)));
        }
    }

    /**
     * A 1 x 1 convolution of pixels {@code [p0, p1)} of one image: {@code y[yb + o * hw + p] = bias[o] + sum_i
     * wt[o * cin + i] * x[xb + i * hw + p]}, one fused multiply-add per input channel in channel order from the bias
     * (as {@link ConvLoops#rowConv} computes it).
     */
    static void conv1x1(
            MemorySegment x,
            long xb,
            int cin,
            long hw,
            float[] wt,
            float[] bias,
            int cout,
            MemorySegment y,
            long yb,
            long p0,
            long p1) {
        long p = p0;
        for (; p + 2 * L <= p1; p += 2 * L)
            for (int o = 0; o < cout; o++) {
                FloatVector a0 = FloatVector.broadcast(SP, bias[o]), a1 = a0;
                for (int i = 0; i < cin; i++) {
                    FloatVector wv = FloatVector.broadcast(SP, wt[o * cin + i]);
                    long q = xb + i * hw + p;
                    a0 = load(x, q).fma(wv, a0);
                    a1 = load(x, q + L).fma(wv, a1);
                }
                store(a0, y, yb + o * hw + p);
                store(a1, y, yb + o * hw + p + L);
            }
        for (; p < p1; p++)
            for (int o = 0; o < cout; o++) {
                float acc = bias[o];
                for (int i = 0; i < cin; i++) acc = Math.fma(x.getAtIndex(F, xb + i * hw + p), wt[o * cin + i], acc);
                y.setAtIndex(F, yb + o * hw + p, acc);
            }
    }
}
