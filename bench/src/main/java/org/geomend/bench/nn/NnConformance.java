package org.geomend.bench.nn;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.NnReference;
import org.geomend.kernels.nn.Tensor;

/**
 * Runs every {@link NnKernels} operation of one backend on random float32 tensors of odd sizes and compares the
 * results with {@link NnReference} evaluated in float64 on the same inputs: relative error
 * {@code ||out - ref|| / ||ref||} (2-norm) at most {@link #TOL}, or {@link #TOL_SUMS} for the filter and bias
 * gradients (sums over the whole batch). Outputs are filled with garbage first, so an operation that accumulates
 * instead of overwriting fails. The reductions are also run twice and must repeat bit for bit.
 */
public final class NnConformance {

    public static final double TOL = 1e-5, TOL_SUMS = 1e-4;

    /** One comparison: {@code error} against {@code tolerance} (a NaN error fails). */
    public record Result(String op, String shape, double error, double tolerance) {
        public boolean ok() {
            return error <= tolerance;
        }

        @Override
        public String toString() {
            return String.format(
                    "%-26s %-30s error %.3e (tolerance %.0e) %s", op, shape, error, tolerance, ok() ? "ok" : "FAIL");
        }
    }

    /** A convolution problem: x [n, ci, h, w], w [co, ci, k, k]. */
    public record ConvCase(int n, int ci, int co, int h, int w, int k) {
        @Override
        public String toString() {
            return "N" + n + " Ci" + ci + " Co" + co + " " + h + "x" + w + " K" + k;
        }
    }

    /**
     * Odd sizes that reach every tile shape (Co or Ci of 1..16, 17..63 and 64+), partial channel slabs, kernels
     * larger than the image, the 1 x 1 head, and enough image rows for the split-K filter gradient.
     */
    public static final List<ConvCase> CONV_CASES = List.of(
            new ConvCase(2, 3, 5, 7, 9, 3),
            new ConvCase(1, 6, 33, 11, 13, 5),
            new ConvCase(3, 17, 70, 5, 19, 5),
            new ConvCase(2, 4, 1, 9, 7, 1),
            new ConvCase(1, 2, 3, 3, 3, 7),
            new ConvCase(1, 20, 40, 6, 6, 3),
            new ConvCase(2, 3, 8, 64, 37, 3),
            new ConvCase(1, 65, 3, 9, 11, 5));

    private NnConformance() {}

    /** Every comparison on backend {@code k}, inputs drawn from {@code seed}. */
    public static List<Result> run(NnKernels k, long seed) {
        List<Result> out = new ArrayList<>();
        try (Io io = new Io(k)) {
            Random rnd = new Random(seed);
            for (ConvCase c : CONV_CASES) conv(io, rnd, c, out);
            relu(io, rnd, out);
            pool(io, rnd, out);
            upsample(io, rnd, out);
            concat(io, rnd, out);
            l1(io, rnd, out);
            adam(io, rnd, out);
            fill(io, out);
        }
        return out;
    }

    // ---------------------------------------------------------------- cases

    static void conv(Io io, Random rnd, ConvCase c, List<Result> out) {
        NnKernels k = io.k;
        String s = c.toString();
        float[] x = uniform(rnd, c.n() * c.ci() * c.h() * c.w()),
                w = uniform(rnd, c.co() * c.ci() * c.k() * c.k()),
                b = uniform(rnd, c.co()),
                dy = uniform(rnd, c.n() * c.co() * c.h() * c.w());
        Tensor tx = io.put(x, c.n(), c.ci(), c.h(), c.w()),
                tw = io.put(w, c.co(), c.ci(), c.k(), c.k()),
                tb = io.put(b, c.co()),
                tdy = io.put(dy, c.n(), c.co(), c.h(), c.w());
        Tensor ty = io.garbage(c.n(), c.co(), c.h(), c.w()),
                tdx = io.garbage(c.n(), c.ci(), c.h(), c.w()),
                tdw = io.garbage(c.co(), c.ci(), c.k(), c.k()),
                tdb = io.garbage(c.co());

        double[] ref = NnReference.conv2dForward(d(x), d(w), d(b), c.n(), c.ci(), c.co(), c.h(), c.w(), c.k());
        k.conv2dForward(tx, tw, tb, ty);
        out.add(new Result("conv2dForward", s, rel(io.get(ty), ref), TOL));
        k.fill(ty, 7f);
        k.conv2dForwardRelu(tx, tw, tb, ty);
        out.add(new Result("conv2dForwardRelu (fused)", s, rel(io.get(ty), NnReference.relu(ref)), TOL));
        if (c.ci() >= 2) { // the same input as two tensors of ca and ci - ca channels
            int ca = c.ci() / 2, cb = c.ci() - ca, hw = c.h() * c.w();
            float[] xa = new float[c.n() * ca * hw], xb = new float[c.n() * cb * hw];
            for (int img = 0; img < c.n(); img++) {
                System.arraycopy(x, img * c.ci() * hw, xa, img * ca * hw, ca * hw);
                System.arraycopy(x, (img * c.ci() + ca) * hw, xb, img * cb * hw, cb * hw);
            }
            Tensor ta = io.put(xa, c.n(), ca, c.h(), c.w()),
                    tbb = io.put(xb, c.n(), cb, c.h(), c.w()),
                    tcat = io.garbage(c.n(), c.ci(), c.h(), c.w());
            k.fill(ty, 7f);
            k.concatConv2dForwardRelu(ta, tbb, tcat, tw, tb, ty);
            out.add(new Result("concatConv2dForwardRelu", s, rel(io.get(ty), NnReference.relu(ref)), TOL));
        }
        Tensor sum = io.put(x, c.n(), c.ci(), c.h(), c.w());
        k.add(tx, sum, sum);
        double[] twice = d(x);
        for (int i = 0; i < twice.length; i++) twice[i] *= 2;
        out.add(new Result("add (in place)", s, rel(io.get(sum), twice), TOL));
        Tensor sum3 = io.put(x, c.n(), c.ci(), c.h(), c.w());
        k.fill(sum3, 7f);
        k.add(tx, tx, sum3);
        out.add(new Result("add (to a third tensor)", s, rel(io.get(sum3), twice), TOL));

        k.conv2dBackwardData(tdy, tw, tdx);
        double[] refDx = NnReference.conv2dBackwardData(d(dy), d(w), c.n(), c.ci(), c.co(), c.h(), c.w(), c.k());
        out.add(new Result("conv2dBackwardData", s, rel(io.get(tdx), refDx), TOL));

        k.conv2dBackwardFilter(tx, tdy, tdw, tdb);
        double[][] refW = NnReference.conv2dBackwardFilter(d(x), d(dy), c.n(), c.ci(), c.co(), c.h(), c.w(), c.k());
        double[] dw1 = io.get(tdw), db1 = io.get(tdb);
        out.add(new Result("conv2dBackwardFilter dw", s, rel(dw1, refW[0]), TOL_SUMS));
        out.add(new Result("conv2dBackwardFilter db", s, rel(db1, refW[1]), TOL_SUMS));
        k.fill(tdw, 3f);
        k.fill(tdb, 3f);
        k.conv2dBackwardFilter(tx, tdy, tdw, tdb);
        out.add(new Result(
                "conv2dBackwardFilter repeat",
                s,
                Math.max(maxAbsDiff(io.get(tdw), dw1), maxAbsDiff(io.get(tdb), db1)),
                0));
    }

    static void relu(Io io, Random rnd, List<Result> out) {
        int[] shape = {3, 5, 7, 9};
        float[] x = uniform(rnd, 945), dy = uniform(rnd, 945);
        for (int i = 0; i < x.length; i += 13) x[i] = 0f;
        Tensor tx = io.put(x, shape), ty = io.garbage(shape), tdy = io.put(dy, shape), tdx = io.garbage(shape);
        double[] ref = NnReference.relu(d(x));
        io.k.reluForward(tx, ty);
        out.add(new Result("reluForward", "3x5x7x9", rel(io.get(ty), ref), TOL));
        io.k.reluBackward(ty, tdy, tdx);
        double[] refDx = NnReference.reluBackward(ref, d(dy));
        out.add(new Result("reluBackward", "3x5x7x9", rel(io.get(tdx), refDx), TOL));
        io.k.reluForward(tx, tx); // in place
        out.add(new Result("reluForward in place", "3x5x7x9", rel(io.get(tx), ref), TOL));
        io.k.reluBackward(ty, tdy, tdy);
        out.add(new Result("reluBackward in place", "3x5x7x9", rel(io.get(tdy), refDx), TOL));
    }

    static void pool(Io io, Random rnd, List<Result> out) {
        int n = 2, c = 3, h = 10, w = 14;
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) x[i] = (rnd.nextInt(4) - 1) * 0.5f; // many ties: the tie rule matters
        float[] dy = uniform(rnd, n * c * h / 2 * w / 2);
        Tensor tx = io.put(x, n, c, h, w),
                ty = io.garbage(n, c, h / 2, w / 2),
                tdy = io.put(dy, n, c, h / 2, w / 2),
                tdx = io.garbage(n, c, h, w);
        io.k.maxPool2Forward(tx, ty);
        out.add(new Result(
                "maxPool2Forward", "2x3x10x14 ties", rel(io.get(ty), NnReference.maxPool2(d(x), n * c, h, w)), TOL));
        io.k.maxPool2Backward(tx, tdy, tdx);
        out.add(new Result(
                "maxPool2Backward",
                "2x3x10x14 ties",
                rel(io.get(tdx), NnReference.maxPool2Backward(d(x), d(dy), n * c, h, w)),
                TOL));
    }

    static void upsample(Io io, Random rnd, List<Result> out) {
        int n = 2, c = 3, h = 5, w = 7;
        float[] x = uniform(rnd, n * c * h * w), dy = uniform(rnd, n * c * 4 * h * w);
        Tensor tx = io.put(x, n, c, h, w),
                ty = io.garbage(n, c, 2 * h, 2 * w),
                tdy = io.put(dy, n, c, 2 * h, 2 * w),
                tdx = io.garbage(n, c, h, w);
        io.k.upsample2Forward(tx, ty);
        out.add(new Result(
                "upsample2Forward", "2x3x5x7", rel(io.get(ty), NnReference.upsample2(d(x), n * c, h, w)), TOL));
        io.k.upsample2Backward(tdy, tdx);
        out.add(new Result(
                "upsample2Backward",
                "2x3x5x7",
                rel(io.get(tdx), NnReference.upsample2Backward(d(dy), n * c, h, w)),
                TOL));
    }

    static void concat(Io io, Random rnd, List<Result> out) {
        int n = 2, ca = 3, cb = 4, h = 5, w = 7;
        float[] a = uniform(rnd, n * ca * h * w),
                b = uniform(rnd, n * cb * h * w),
                dy = uniform(rnd, n * (ca + cb) * h * w);
        Tensor ta = io.put(a, n, ca, h, w),
                tb = io.put(b, n, cb, h, w),
                ty = io.garbage(n, ca + cb, h, w),
                tdy = io.put(dy, n, ca + cb, h, w),
                tda = io.garbage(n, ca, h, w),
                tdb = io.garbage(n, cb, h, w);
        io.k.concatChannels(ta, tb, ty);
        out.add(new Result(
                "concatChannels",
                "2x(3+4)x5x7",
                rel(io.get(ty), NnReference.concat(d(a), d(b), n, ca, cb, h * w)),
                TOL));
        io.k.splitChannels(tdy, tda, tdb);
        double[][] ref = NnReference.split(d(dy), n, ca, cb, h * w);
        out.add(new Result(
                "splitChannels", "2x(3+4)x5x7", Math.max(rel(io.get(tda), ref[0]), rel(io.get(tdb), ref[1])), TOL));
    }

    static void l1(Io io, Random rnd, List<Result> out) {
        int[] shape = {3, 1, 7, 9};
        int n = 189;
        float[] pred = uniform(rnd, n), target = uniform(rnd, n), mask = new float[n];
        for (int i = 0; i < n; i++) {
            mask[i] = rnd.nextDouble() < 0.7 ? 1f : 0f;
            if (i % 11 == 0) target[i] = pred[i]; // sign 0
        }
        Tensor tp = io.put(pred, shape), tt = io.put(target, shape), tm = io.put(mask, shape), td = io.garbage(shape);
        double[] refD = new double[n];
        double ref = NnReference.l1Loss(d(pred), d(target), d(mask), refD);
        double loss = io.k.l1Loss(tp, tt, tm, td);
        out.add(new Result("l1Loss value", "3x1x7x9", Math.abs(loss - ref) / Math.abs(ref), TOL));
        out.add(new Result("l1Loss dPred", "3x1x7x9", rel(io.get(td), refD), TOL));
        double again = io.k.l1Loss(tp, tt, tm, td);
        out.add(new Result("l1Loss repeat", "3x1x7x9", Math.abs(again - loss), 0));
        Tensor none = io.put(new float[n], shape);
        double empty = io.k.l1Loss(tp, tt, none, td);
        out.add(new Result("l1Loss empty mask", "3x1x7x9", Math.abs(empty) + rel(io.get(td), new double[n]), 0));
        // the trainer's user weights (--user-weight): 1 + lambda * N * y, up to a few hundred
        float[] weight = new float[n];
        for (int i = 0; i < n; i++)
            weight[i] = rnd.nextDouble() < 0.1
                    ? 0f
                    : (float) (1 + (rnd.nextDouble() < 0.05 ? 500 * rnd.nextDouble() : rnd.nextDouble()));
        Tensor tw = io.put(weight, shape);
        double[] refW = new double[n];
        double refWeighted = NnReference.l1Loss(d(pred), d(target), d(weight), refW);
        double weighted = io.k.l1Loss(tp, tt, tw, td);
        out.add(new Result(
                "l1Loss weighted value", "3x1x7x9", Math.abs(weighted - refWeighted) / Math.abs(refWeighted), TOL));
        out.add(new Result("l1Loss weighted dPred", "3x1x7x9", rel(io.get(td), refW), TOL));
    }

    static void adam(Io io, Random rnd, List<Result> out) {
        int n = 1001;
        float[] p = uniform(rnd, n);
        double[] rp = d(p), rm = new double[n], rv = new double[n];
        Tensor tp = io.put(p, n), tg = io.garbage(n), tm = io.put(new float[n], n), tv = io.put(new float[n], n);
        float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-7f;
        for (int step = 1; step <= 3; step++) {
            float[] g = uniform(rnd, n);
            io.upload(g, tg);
            io.k.adamStep(tp, tg, tm, tv, lr, b1, b2, eps, step);
            NnReference.adam(rp, d(g), rm, rv, lr, b1, b2, eps, step);
        }
        out.add(new Result("adamStep param", "1001, 3 steps", rel(io.get(tp), rp), TOL));
        out.add(new Result("adamStep m, v", "1001, 3 steps", Math.max(rel(io.get(tm), rm), rel(io.get(tv), rv)), TOL));
    }

    static void fill(Io io, List<Result> out) {
        Tensor t = io.garbage(5, 3, 7);
        io.k.fill(t, 0.5f);
        double[] want = new double[105];
        java.util.Arrays.fill(want, 0.5);
        out.add(new Result("fill", "5x3x7", rel(io.get(t), want), 0));
    }

    // ---------------------------------------------------------------- helpers

    static float[] uniform(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return v;
    }

    static double[] d(float[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = v[i];
        return o;
    }

    /** ||out - ref|| / ||ref|| (2-norms), or ||out|| when ref is all zeros; NaN when the lengths differ. */
    public static double rel(double[] out, double[] ref) {
        if (out.length != ref.length) return Double.NaN;
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            double e = out[i] - ref[i];
            num += e * e;
            den += ref[i] * ref[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /** Tensors of one backend made from host arrays and read back; closes them all. */
    static final class Io implements AutoCloseable {
        final NnKernels k;
        private final Arena arena = Arena.ofConfined();
        private final List<Tensor> tensors = new ArrayList<>();

        Io(NnKernels k) {
            this.k = k;
        }

        Tensor put(float[] v, int... shape) {
            Tensor t = k.allocate(shape);
            tensors.add(t);
            upload(v, t);
            return t;
        }

        void upload(float[] v, Tensor t) {
            MemorySegment s = arena.allocate(4L * Math.max(1, v.length), 4);
            MemorySegment.copy(v, 0, s, JAVA_FLOAT, 0, v.length);
            k.upload(s, t);
        }

        /** A tensor filled with 1e3 so that an operation that does not overwrite it shows. */
        Tensor garbage(int... shape) {
            Tensor t = k.allocate(shape);
            tensors.add(t);
            k.fill(t, 1e3f);
            return t;
        }

        double[] get(Tensor t) {
            int n = Math.toIntExact(t.elements());
            MemorySegment s = arena.allocate(4L * Math.max(1, n), 4);
            k.download(t, s);
            double[] o = new double[n];
            for (int i = 0; i < n; i++) o[i] = s.getAtIndex(JAVA_FLOAT, i);
            return o;
        }

        @Override
        public void close() {
            for (Tensor t : tensors) t.close();
            arena.close();
        }
    }
}
