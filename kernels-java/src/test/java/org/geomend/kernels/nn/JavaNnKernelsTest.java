package org.geomend.kernels.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.geomend.kernels.nn.java.JavaNnKernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Java NN backend: every forward against the float64 {@link NnReference} on random tensors of odd sizes, every
 * backward against central finite differences of the float64 reference, Adam against hand-computed steps.
 */
class JavaNnKernelsTest {

    static JavaNnKernels nn;

    @BeforeAll
    static void setUp() {
        nn = new JavaNnKernels(2);
    }

    @AfterAll
    static void tearDown() {
        nn.close();
    }

    // ---------------------------------------------------------------- helpers

    static double[] random(SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    static Tensor put(NnKernels k, double[] a, int... shape) {
        Tensor t = k.allocate(shape);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(a.length * 4L);
            for (int i = 0; i < a.length; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) a[i]);
            k.upload(s, t);
        }
        return t;
    }

    static double[] get(NnKernels k, Tensor t) {
        double[] a = new double[(int) t.elements()];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(a.length * 4L);
            k.download(t, s);
            for (int i = 0; i < a.length; i++) a[i] = s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
        }
        return a;
    }

    /** |got - want| <= tol * (1 + max |want|) element by element. */
    static void close(double[] want, double[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        double scale = 1;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++)
            assertTrue(
                    Math.abs(want[i] - got[i]) <= tol * scale,
                    what + " [" + i + "]: want " + want[i] + " got " + got[i]);
    }

    /** Gradient of {@code sum(g * f(x))} with respect to {@code x}, by central differences in float64. */
    static double[] numericGrad(Function<double[], double[]> f, double[] x, double[] g, double h) {
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + h;
            double up = dot(f.apply(x), g);
            x[i] = keep - h;
            double down = dot(f.apply(x), g);
            x[i] = keep;
            grad[i] = (up - down) / (2 * h);
        }
        return grad;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    // ---------------------------------------------------------------- forward conformance

    @ParameterizedTest
    @CsvSource({"2,3,7,9,5,3", "2,3,7,9,5,5", "1,5,5,3,7,1", "2,6,11,37,9,5", "3,1,3,1,2,3", "1,4,9,50,1,5"})
    void conv2dForwardMatchesReference(int n, int ci, int h, int w, int co, int k) {
        SplittableRandom r = new SplittableRandom(n * 1000 + ci * 100 + h * 10L + w + co + k);
        double[] x = random(r, n * ci * h * w), wt = random(r, co * ci * k * k), b = random(r, co);
        try (Tensor xt = put(nn, x, n, ci, h, w);
                Tensor wtt = put(nn, wt, co, ci, k, k);
                Tensor bt = put(nn, b, co);
                Tensor y = nn.allocate(n, co, h, w)) {
            nn.fill(y, 7f);
            nn.conv2dForward(xt, wtt, bt, y);
            close(NnReference.conv2dForward(x, wt, b, n, ci, co, h, w, k), get(nn, y), 1e-5 * ci * k * k, "conv2d");
        }
    }

    /** ||got - want|| / ||want||. */
    static double relativeL2(double[] want, double[] got) {
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) {
            num += (got[i] - want[i]) * (got[i] - want[i]);
            den += want[i] * want[i];
        }
        return Math.sqrt(num / den);
    }

    @ParameterizedTest
    @CsvSource({
        "1,1,1,1,1,5",
        "1,3,1,1,2,3",
        "2,3,7,9,5,5",
        "1,17,13,29,6,5",
        "1,48,11,37,9,5",
        "2,3,1,50,4,5",
        "1,1,33,1,2,5",
        "1,17,5,3,3,3",
        "1,48,9,10,17,3",
        "2,5,37,101,6,5",
        "1,4,2,98,7,3"
    })
    void winogradForwardMatchesReference(int n, int ci, int h, int w, int co, int k) {
        SplittableRandom r = new SplittableRandom(n * 1000 + ci * 100 + h * 10L + w + co + k);
        double[] x = random(r, n * ci * h * w), wt = random(r, co * ci * k * k), b = random(r, co);
        try (JavaNnKernels wg = new JavaNnKernels(2, JavaNnKernels.ConvAlgorithm.WINOGRAD);
                Tensor xt = put(wg, x, n, ci, h, w);
                Tensor wtt = put(wg, wt, co, ci, k, k);
                Tensor bt = put(wg, b, co);
                Tensor y = wg.allocate(n, co, h, w)) {
            wg.fill(y, 7f);
            wg.conv2dForward(xt, wtt, bt, y);
            double[] want = NnReference.conv2dForward(x, wt, b, n, ci, co, h, w, k), got = get(wg, y);
            close(want, got, 1e-5 * ci * k * k, "winograd conv2d");
            double e = relativeL2(want, got);
            assertTrue(e <= 1e-5, "relative L2 error " + e);
        }
    }

    /** Backward data (a forward convolution of dy, co -> ci channels) by every {@link JavaNnKernels.ConvAlgorithm}. */
    @ParameterizedTest
    @CsvSource({
        "WINOGRAD,1,1,1,1,1,5",
        "WINOGRAD,2,3,7,9,5,5",
        "WINOGRAD,1,6,13,29,17,5",
        "WINOGRAD,1,9,11,37,48,5",
        "WINOGRAD,2,4,1,50,3,5",
        "WINOGRAD,1,7,5,3,17,3",
        "WINOGRAD,1,17,9,10,48,3",
        "WINOGRAD,2,6,37,101,5,5",
        "AUTO,1,32,19,23,48,5",
        "AUTO,1,16,12,10,64,3",
        "AUTO,2,3,7,9,5,5",
        "DIRECT,1,32,19,23,48,5"
    })
    void conv2dBackwardDataMatchesReference(
            JavaNnKernels.ConvAlgorithm conv, int n, int ci, int h, int w, int co, int k) {
        SplittableRandom r = new SplittableRandom(n * 1000 + ci * 100 + h * 10L + w + co + k);
        double[] g = random(r, n * co * h * w), wt = random(r, co * ci * k * k);
        try (JavaNnKernels be = new JavaNnKernels(2, conv);
                Tensor dy = put(be, g, n, co, h, w);
                Tensor wtt = put(be, wt, co, ci, k, k);
                Tensor dx = be.allocate(n, ci, h, w)) {
            be.fill(dx, 7f);
            be.conv2dBackwardData(dy, wtt, dx);
            double[] want = NnReference.conv2dBackwardData(g, wt, n, ci, co, h, w, k), got = get(be, dx);
            close(want, got, 1e-5 * co * k * k, conv + " conv dx");
            double e = relativeL2(want, got);
            assertTrue(e <= 1e-5, "relative L2 error " + e);
        }
    }

    /** The filter and bias gradients by every {@link JavaNnKernels.ConvAlgorithm} (Winograd for 5 x 5 when it applies). */
    @ParameterizedTest
    @CsvSource({
        "WINOGRAD,1,1,1,1,1,5",
        "WINOGRAD,2,3,7,9,5,5",
        "WINOGRAD,1,6,13,29,17,5",
        "WINOGRAD,2,9,11,37,48,5",
        "WINOGRAD,2,4,1,50,3,5",
        "WINOGRAD,3,5,37,101,9,5",
        "WINOGRAD,1,3,8,8,8,5",
        "AUTO,2,17,19,23,32,5",
        "AUTO,2,3,7,9,5,5",
        "AUTO,1,7,5,3,17,3",
        "DIRECT,2,17,19,23,32,5"
    })
    void conv2dBackwardFilterMatchesReference(
            JavaNnKernels.ConvAlgorithm conv, int n, int ci, int h, int w, int co, int k) {
        SplittableRandom r = new SplittableRandom(n * 1000 + ci * 100 + h * 10L + w + co + k);
        double[] x = random(r, n * ci * h * w), g = random(r, n * co * h * w);
        try (JavaNnKernels be = new JavaNnKernels(2, conv);
                Tensor xt = put(be, x, n, ci, h, w);
                Tensor dy = put(be, g, n, co, h, w);
                Tensor dw = be.allocate(co, ci, k, k);
                Tensor db = be.allocate(co)) {
            be.fill(dw, 7f);
            be.conv2dBackwardFilter(xt, dy, dw, db);
            double[][] want = NnReference.conv2dBackwardFilter(x, g, n, ci, co, h, w, k);
            double[] got = get(be, dw);
            close(want[0], got, 1e-5 * n * h * w, conv + " conv dw");
            double e = relativeL2(want[0], got);
            assertTrue(e <= 1e-5, "relative L2 error " + e);
            close(want[1], get(be, db), 1e-5 * n * h * w, conv + " conv db");
        }
    }

    /** AUTO runs backward data as Winograd exactly when the forward of the swapped shape (co -> ci) would. */
    @Test
    void backwardDataFollowsTheSwitchOnTheSwappedShape() {
        SplittableRandom r = new SplittableRandom(15);
        int n = 1, h = 9, w = 21, k = 5;
        for (int[] cc : new int[][] {{2, 8}, {8, 1}}) { // {ci, co}: Winograd for 8 -> 2 channels, not for 1 -> 8
            int ci = cc[0], co = cc[1];
            double[] g = random(r, n * co * h * w), wt = random(r, co * ci * k * k);
            double[][] out = new double[3][];
            JavaNnKernels.ConvAlgorithm[] modes = JavaNnKernels.ConvAlgorithm.values();
            for (int q = 0; q < 3; q++)
                try (JavaNnKernels be = new JavaNnKernels(2, modes[q]);
                        Tensor dy = put(be, g, n, co, h, w);
                        Tensor wtt = put(be, wt, co, ci, k, k);
                        Tensor dx = be.allocate(n, ci, h, w)) {
                    be.conv2dBackwardData(dy, wtt, dx);
                    out[q] = get(be, dx);
                }
            assertTrue(!java.util.Arrays.equals(out[1], out[2]), "WINOGRAD is not DIRECT");
            if (co == 8) assertArrayEquals(out[1], out[0], "AUTO is Winograd for dy 8 -> 2 channels");
            else assertArrayEquals(out[2], out[0], "AUTO is direct for dy 1 -> 8 channels");
        }
    }

    /**
     * The fused convolution + ReLU is bit-identical to the two calls, on every path (1 x 1, direct, Winograd 3 x 3
     * and 5 x 5, with a remainder of 4 output channels and a partial work unit), and the Winograd products give the
     * same bits with every register tile ({@link JavaNnKernels#TILE_PROPERTY}).
     */
    @ParameterizedTest
    @CsvSource({"DIRECT,5", "DIRECT,3", "DIRECT,1", "WINOGRAD,5", "WINOGRAD,3", "AUTO,5"})
    void fusedReluAndRegisterTilesGiveTheSameBits(JavaNnKernels.ConvAlgorithm conv, int k) {
        int n = 2,
                ci = 9,
                h = 11,
                w = 4 * 3 * 16 + 3,
                co = 12; // 49 tile columns: full units of 3 vectors (L <= 16) and a partial one
        SplittableRandom r = new SplittableRandom(k * 31L + conv.ordinal());
        double[] x = random(r, n * ci * h * w), wt = random(r, co * ci * k * k), b = random(r, co);
        String[] tiles = {"8x1", "8x3"};
        double[][] plain = new double[2][], fused = new double[2][];
        String keep = System.getProperty(JavaNnKernels.TILE_PROPERTY);
        try {
            for (int q = 0; q < 2; q++) {
                System.setProperty(JavaNnKernels.TILE_PROPERTY, tiles[q]);
                try (JavaNnKernels be = new JavaNnKernels(2, conv);
                        Tensor xt = put(be, x, n, ci, h, w);
                        Tensor wtt = put(be, wt, co, ci, k, k);
                        Tensor bt = put(be, b, co);
                        Tensor y = be.allocate(n, co, h, w)) {
                    be.fill(y, 7f);
                    be.conv2dForward(xt, wtt, bt, y);
                    be.reluForward(y, y);
                    plain[q] = get(be, y);
                    be.fill(y, 7f);
                    be.conv2dForwardRelu(xt, wtt, bt, y);
                    fused[q] = get(be, y);
                }
            }
        } finally {
            if (keep == null) System.clearProperty(JavaNnKernels.TILE_PROPERTY);
            else System.setProperty(JavaNnKernels.TILE_PROPERTY, keep);
        }
        double[] want = NnReference.relu(NnReference.conv2dForward(x, wt, b, n, ci, co, h, w, k));
        close(want, plain[0], 1e-5 * ci * k * k, conv + " conv2d + relu");
        long zeros = java.util.Arrays.stream(plain[0]).filter(v -> v == 0).count();
        assertTrue(zeros > want.length / 4 && zeros < want.length * 3 / 4, "the ReLU cuts about half: " + zeros);
        assertArrayEquals(plain[0], fused[0], conv + " fused = conv then relu");
        assertArrayEquals(plain[0], plain[1], conv + " tile 8x3 = 8x1");
        assertArrayEquals(fused[0], fused[1], conv + " fused, tile 8x3");
        System.setProperty(JavaNnKernels.TILE_PROPERTY, "4x4");
        try {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new JavaNnKernels(
                            1, conv == JavaNnKernels.ConvAlgorithm.DIRECT ? JavaNnKernels.ConvAlgorithm.AUTO : conv));
        } finally {
            if (keep == null) System.clearProperty(JavaNnKernels.TILE_PROPERTY);
            else System.setProperty(JavaNnKernels.TILE_PROPERTY, keep);
        }
    }

    /**
     * The convolution of a concatenation read in place is bit-identical to concatenating first, on every path (and
     * through the interface default for 1 x 1 filters); inputs of different sizes are refused.
     */
    @ParameterizedTest
    @CsvSource({"DIRECT,5", "DIRECT,3", "DIRECT,1", "WINOGRAD,5", "WINOGRAD,3", "AUTO,5"})
    void concatConvolutionReadsBothInputsInPlace(JavaNnKernels.ConvAlgorithm conv, int k) {
        int n = 2, ca = 5, cb = 7, h = 13, w = 70, co = 12;
        SplittableRandom r = new SplittableRandom(k * 17L + conv.ordinal());
        double[] a = random(r, n * ca * h * w),
                b = random(r, n * cb * h * w),
                wt = random(r, co * (ca + cb) * k * k),
                bias = random(r, co);
        try (JavaNnKernels be = new JavaNnKernels(2, conv);
                Tensor at = put(be, a, n, ca, h, w);
                Tensor bt = put(be, b, n, cb, h, w);
                Tensor cat = be.allocate(n, ca + cb, h, w);
                Tensor wtt = put(be, wt, co, ca + cb, k, k);
                Tensor biast = put(be, bias, co);
                Tensor y = be.allocate(n, co, h, w);
                Tensor odd = be.allocate(n, cb, h, w + 1)) {
            be.concatChannels(at, bt, cat);
            be.conv2dForwardRelu(cat, wtt, biast, y);
            double[] want = get(be, y);
            be.fill(y, 7f);
            try (Tensor spare = be.allocate(n, ca + cb, h, w)) {
                be.concatConv2dForwardRelu(at, bt, spare, wtt, biast, y);
            }
            assertArrayEquals(want, get(be, y), conv + " " + k + "x" + k);
            double[] ref = NnReference.relu(NnReference.conv2dForward(get(be, cat), wt, bias, n, ca + cb, co, h, w, k));
            close(ref, want, 1e-5 * (ca + cb) * k * k, "concat conv");
            assertThrows(IllegalArgumentException.class, () -> be.concatConv2dForwardRelu(at, odd, cat, wtt, biast, y));
            assertThrows(IllegalArgumentException.class, () -> be.concatConv2dForwardRelu(at, at, cat, wtt, biast, y));
        }
    }

    /**
     * The Winograd scratch is kept per worker thread and reused by every layer: a small layer after a big one, and
     * the big one again, give the bits of a fresh backend (nothing stale is read).
     */
    @Test
    void winogradScratchReuseLeavesNoTrace() {
        int[][] shapes = {{2, 19, 11, 201, 13}, {1, 9, 6, 37, 5}, {2, 19, 11, 201, 13}}; // n, ci, h, w, co
        SplittableRandom r = new SplittableRandom(99);
        double[][] xs = new double[3][], ws = new double[3][], bs = new double[3][];
        for (int q = 0; q < 3; q++) {
            int[] s = shapes[q];
            r = q == 2 ? new SplittableRandom(99) : r; // the third layer is the first again
            xs[q] = random(r, s[0] * s[1] * s[2] * s[3]);
            ws[q] = random(r, s[4] * s[1] * 25);
            bs[q] = random(r, s[4]);
        }
        double[][] reused = new double[3][];
        try (JavaNnKernels be = new JavaNnKernels(2, JavaNnKernels.ConvAlgorithm.WINOGRAD)) {
            for (int q = 0; q < 3; q++) reused[q] = conv(be, shapes[q], xs[q], ws[q], bs[q]);
        }
        for (int q = 0; q < 2; q++)
            try (JavaNnKernels fresh = new JavaNnKernels(2, JavaNnKernels.ConvAlgorithm.WINOGRAD)) {
                assertArrayEquals(conv(fresh, shapes[q], xs[q], ws[q], bs[q]), reused[q], "layer " + q);
            }
        assertArrayEquals(reused[0], reused[2], "the first layer again");
    }

    private static double[] conv(JavaNnKernels be, int[] s, double[] x, double[] w, double[] b) {
        try (Tensor xt = put(be, x, s[0], s[1], s[2], s[3]);
                Tensor wt = put(be, w, s[4], s[1], 5, 5);
                Tensor bt = put(be, b, s[4]);
                Tensor y = be.allocate(s[0], s[4], s[2], s[3])) {
            be.fill(y, 7f);
            be.conv2dForwardRelu(xt, wt, bt, y);
            return get(be, y);
        }
    }

    @Test
    void forwardConvolutionFollowsTheSwitch() {
        String keep = System.getProperty(JavaNnKernels.CONV_PROPERTY);
        try {
            System.clearProperty(JavaNnKernels.CONV_PROPERTY);
            try (JavaNnKernels b = new JavaNnKernels(1)) {
                assertEquals(JavaNnKernels.ConvAlgorithm.AUTO, b.conv());
            }
            System.setProperty(JavaNnKernels.CONV_PROPERTY, "direct");
            try (JavaNnKernels b = new JavaNnKernels(1)) {
                assertEquals(JavaNnKernels.ConvAlgorithm.DIRECT, b.conv());
            }
            System.setProperty(JavaNnKernels.CONV_PROPERTY, "Winograd");
            try (JavaNnKernels b = new JavaNnKernels(1)) {
                assertEquals(JavaNnKernels.ConvAlgorithm.WINOGRAD, b.conv());
            }
            System.setProperty(JavaNnKernels.CONV_PROPERTY, "fft");
            assertThrows(IllegalArgumentException.class, () -> new JavaNnKernels(1));
        } finally {
            if (keep == null) System.clearProperty(JavaNnKernels.CONV_PROPERTY);
            else System.setProperty(JavaNnKernels.CONV_PROPERTY, keep);
        }
        // the same convolution both ways: different roundings, both at the reference; AUTO takes Winograd here
        // (enough channels) and the direct loops for a single input channel
        SplittableRandom r = new SplittableRandom(13);
        int n = 1, ci = 8, h = 9, w = 21, co = 8, k = 5;
        double[] x = random(r, n * ci * h * w), wt = random(r, co * ci * k * k), b = random(r, co);
        double[] want = NnReference.conv2dForward(x, wt, b, n, ci, co, h, w, k);
        double[][] out = new double[3][], one = new double[3][];
        JavaNnKernels.ConvAlgorithm[] modes = JavaNnKernels.ConvAlgorithm.values();
        for (int q = 0; q < 3; q++)
            try (JavaNnKernels be = new JavaNnKernels(2, modes[q]);
                    Tensor xt = put(be, x, n, ci, h, w);
                    Tensor wtt = put(be, wt, co, ci, k, k);
                    Tensor bt = put(be, b, co);
                    Tensor y = be.allocate(n, co, h, w);
                    Tensor x1 = put(be, java.util.Arrays.copyOf(x, h * w), 1, 1, h, w);
                    Tensor w1 = put(be, java.util.Arrays.copyOf(wt, co * k * k), co, 1, k, k)) {
                be.conv2dForward(xt, wtt, bt, y);
                out[q] = get(be, y);
                close(want, out[q], 1e-5 * ci * k * k, modes[q] + " conv2d");
                be.conv2dForward(x1, w1, bt, y);
                one[q] = get(be, y);
            }
        assertArrayEquals(out[1], out[0], "AUTO is Winograd at 8 -> 8 channels");
        assertTrue(!java.util.Arrays.equals(out[1], out[2]), "DIRECT is not Winograd");
        assertArrayEquals(one[2], one[0], "AUTO is direct for one input channel");
        assertTrue(!java.util.Arrays.equals(one[1], one[2]), "WINOGRAD is Winograd for one input channel");
    }

    @Test
    void elementwiseAndResamplingForwardMatchReference() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 2, c = 3, h = 6, w = 10;
        double[] x = random(r, n * c * h * w);
        try (Tensor xt = put(nn, x, n, c, h, w);
                Tensor y = nn.allocate(n, c, h, w);
                Tensor p = nn.allocate(n, c, h / 2, w / 2);
                Tensor u = nn.allocate(n, c, 2 * h, 2 * w)) {
            nn.reluForward(xt, y);
            close(NnReference.relu(x), get(nn, y), 0, "relu");
            nn.reluForward(xt, xt);
            close(NnReference.relu(x), get(nn, xt), 0, "relu in place");
        }
        try (Tensor xt = put(nn, x, n, c, h, w);
                Tensor p = nn.allocate(n, c, h / 2, w / 2);
                Tensor u = nn.allocate(n, c, 2 * h, 2 * w)) {
            nn.maxPool2Forward(xt, p);
            close(NnReference.maxPool2(x, n * c, h, w), get(nn, p), 0, "maxpool");
            nn.upsample2Forward(xt, u);
            close(NnReference.upsample2(x, n * c, h, w), get(nn, u), 0, "upsample");
        }
        double[] b = random(r, n * 5 * h * w);
        try (Tensor at = put(nn, x, n, c, h, w);
                Tensor bt = put(nn, b, n, 5, h, w);
                Tensor y = nn.allocate(n, c + 5, h, w);
                Tensor da = nn.allocate(n, c, h, w);
                Tensor db = nn.allocate(n, 5, h, w)) {
            nn.concatChannels(at, bt, y);
            double[] cat = NnReference.concat(x, b, n, c, 5, h * w);
            close(cat, get(nn, y), 0, "concat");
            nn.splitChannels(y, da, db);
            close(x, get(nn, da), 0, "split a");
            close(b, get(nn, db), 0, "split b");
        }
    }

    @Test
    void addMatchesTheDefaultThroughHostMemory() {
        SplittableRandom r = new SplittableRandom(12);
        double[] a = random(r, 2 * 3 * 5 * 7), b = random(r, a.length), want = new double[a.length];
        for (int i = 0; i < a.length; i++) want[i] = (float) a[i] + (float) b[i];
        NnKernels viaHost = new NnKernels() { // the interface's default add, over this backend's other operations
                    public String name() {
                        return "host";
                    }

                    public Tensor allocate(int... s) {
                        return nn.allocate(s);
                    }

                    public void upload(MemorySegment s, Tensor t) {
                        nn.upload(s, t);
                    }

                    public void download(Tensor t, MemorySegment s) {
                        nn.download(t, s);
                    }

                    public void fill(Tensor t, float v) {}

                    public void conv2dForward(Tensor x, Tensor w, Tensor bb, Tensor y) {}

                    public void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx) {}

                    public void conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db) {}

                    public void reluForward(Tensor x, Tensor y) {}

                    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {}

                    public void maxPool2Forward(Tensor x, Tensor y) {}

                    public void maxPool2Backward(Tensor x, Tensor dy, Tensor dx) {}

                    public void upsample2Forward(Tensor x, Tensor y) {}

                    public void upsample2Backward(Tensor dy, Tensor dx) {}

                    public void concatChannels(Tensor x, Tensor y, Tensor z) {}

                    public void splitChannels(Tensor x, Tensor y, Tensor z) {}

                    public double l1Loss(Tensor p, Tensor t, Tensor m, Tensor d) {
                        return 0;
                    }

                    public void adamStep(
                            Tensor p, Tensor g, Tensor m, Tensor v, float lr, float b1, float b2, float e, int s) {}

                    public void close() {}
                };
        for (NnKernels k : new NnKernels[] {nn, viaHost})
            try (Tensor at = put(nn, a, 2, 3, 5, 7);
                    Tensor bt = put(nn, b, 2, 3, 5, 7);
                    Tensor y = nn.allocate(2, 3, 5, 7)) {
                k.add(at, bt, y);
                close(want, get(nn, y), 0, k.name() + " add");
                k.add(at, bt, at);
                close(want, get(nn, at), 0, k.name() + " add in place");
            }
    }

    /** Float32 values with ties, signed zeros and NaN among random ones. */
    static double[] awkward(SplittableRandom r, int n) {
        double[] a = random(r, n);
        double[] special = {0.0, -0.0, Double.NaN, 0.5, -0.5, 1.0};
        for (int i = 0; i < n; i++) if (r.nextInt(3) == 0) a[i] = special[r.nextInt(special.length)];
        return a;
    }

    static float[] floats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    /** Bit patterns, so that NaN, -0 and +0 are told apart. */
    static void sameBits(float[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++)
            assertEquals(
                    Float.floatToRawIntBits(want[i]),
                    Float.floatToRawIntBits((float) got[i]),
                    what + " [" + i + "]: want " + want[i] + " got " + (float) got[i]);
    }

    /**
     * The vectorised element-wise, pooling, up-sampling, concat / split and 1 x 1 operations give exactly the floats
     * of their scalar definitions (the loops before vectorisation), NaN and signed zeros included, for any thread count.
     */
    @ParameterizedTest
    @CsvSource({"1,1,2,2", "2,3,6,10", "1,2,10,66", "2,3,4,98", "1,5,8,34", "3,2,2,130"})
    void vectorisedLoopsAreBitIdenticalToTheScalarOnes(int n, int c, int h, int w) {
        SplittableRandom r = new SplittableRandom(n * 100L + c * 10 + h + w);
        float[] x = floats(awkward(r, n * c * h * w)), g = floats(awkward(r, x.length));
        int ho = h / 2, wo = w / 2, planes = n * c;
        float[] relu = new float[x.length], reluB = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            relu[i] = x[i] > 0f ? x[i] : 0f;
            reluB[i] = x[i] > 0f ? g[i] : 0f;
        }
        float[] pool = new float[planes * ho * wo], gp = floats(awkward(r, pool.length)), poolB = new float[x.length];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    int q = (pl * h + 2 * i) * w + 2 * j, m = 0;
                    float best = x[q];
                    if (x[q + 1] > best) {
                        best = x[q + 1];
                        m = 1;
                    }
                    if (x[q + w] > best) {
                        best = x[q + w];
                        m = w;
                    }
                    if (x[q + w + 1] > best) {
                        best = x[q + w + 1];
                        m = w + 1;
                    }
                    int o = (pl * ho + i) * wo + j;
                    pool[o] = best;
                    poolB[q] = m == 0 ? gp[o] : 0f;
                    poolB[q + 1] = m == 1 ? gp[o] : 0f;
                    poolB[q + w] = m == w ? gp[o] : 0f;
                    poolB[q + w + 1] = m == w + 1 ? gp[o] : 0f;
                }
        float[] up = new float[4 * x.length], gu = floats(awkward(r, up.length)), upB = new float[x.length];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++) {
                    int q = (pl * 2 * h + 2 * i) * 2 * w + 2 * j, w2 = 2 * w, s = (pl * h + i) * w + j;
                    up[q] = up[q + 1] = up[q + w2] = up[q + w2 + 1] = x[s];
                    upB[s] = (gu[q] + gu[q + 1]) + (gu[q + w2] + gu[q + w2 + 1]);
                }
        int co = 3, hw = h * w; // 1 x 1 convolution c -> co and its backward data, fused multiply-adds from the bias
        float[] w1 = floats(random(r, co * c)), b1 = floats(random(r, co)), y1 = new float[n * co * hw];
        float[] x1 = floats(random(r, x.length)), g1 = floats(random(r, y1.length)), dx1 = new float[x.length];
        for (int img = 0; img < n; img++)
            for (int p = 0; p < hw; p++) {
                for (int o = 0; o < co; o++) {
                    float acc = b1[o];
                    for (int i = 0; i < c; i++) acc = Math.fma(x1[(img * c + i) * hw + p], w1[o * c + i], acc);
                    y1[(img * co + o) * hw + p] = acc;
                }
                for (int i = 0; i < c; i++) {
                    float acc = 0f;
                    for (int o = 0; o < co; o++) acc = Math.fma(g1[(img * co + o) * hw + p], w1[o * c + i], acc);
                    dx1[(img * c + i) * hw + p] = acc;
                }
            }
        double[] xd = new double[x.length], gd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
            gd[i] = g[i];
        }
        for (int threads = 1; threads <= 3; threads++)
            try (JavaNnKernels be = new JavaNnKernels(threads);
                    Tensor xt = put(be, xd, n, c, h, w);
                    Tensor gt = put(be, gd, n, c, h, w);
                    Tensor y = be.allocate(n, c, h, w);
                    Tensor p = be.allocate(n, c, ho, wo);
                    Tensor gpt = putF(be, gp, n, c, ho, wo);
                    Tensor u = be.allocate(n, c, 2 * h, 2 * w);
                    Tensor gut = putF(be, gu, n, c, 2 * h, 2 * w);
                    Tensor x1t = putF(be, x1, n, c, h, w);
                    Tensor w1t = putF(be, w1, co, c, 1, 1);
                    Tensor b1t = putF(be, b1, co);
                    Tensor y1t = be.allocate(n, co, h, w);
                    Tensor g1t = putF(be, g1, n, co, h, w);
                    Tensor cat = be.allocate(n, c + co, h, w);
                    Tensor sa = be.allocate(n, c, h, w);
                    Tensor sb = be.allocate(n, co, h, w)) {
                String t = " (" + threads + " threads)";
                be.reluForward(xt, y);
                sameBits(relu, get(be, y), "relu" + t);
                be.reluBackward(xt, gt, y);
                sameBits(reluB, get(be, y), "relu backward" + t);
                be.maxPool2Forward(xt, p);
                sameBits(pool, get(be, p), "maxpool" + t);
                be.maxPool2Backward(xt, gpt, y);
                sameBits(poolB, get(be, y), "maxpool backward" + t);
                be.upsample2Forward(xt, u);
                sameBits(up, get(be, u), "upsample" + t);
                be.upsample2Backward(gut, y);
                sameBits(upB, get(be, y), "upsample backward" + t);
                be.conv2dForward(x1t, w1t, b1t, y1t);
                sameBits(y1, get(be, y1t), "1 x 1 conv" + t);
                be.conv2dBackwardData(g1t, w1t, y);
                sameBits(dx1, get(be, y), "1 x 1 conv backward data" + t);
                be.concatChannels(xt, y1t, cat);
                float[] catW = new float[n * (c + co) * hw];
                for (int img = 0; img < n; img++) {
                    System.arraycopy(x, img * c * hw, catW, img * (c + co) * hw, c * hw);
                    System.arraycopy(y1, img * co * hw, catW, (img * (c + co) + c) * hw, co * hw);
                }
                sameBits(catW, get(be, cat), "concat" + t);
                be.splitChannels(cat, sa, sb);
                sameBits(x, get(be, sa), "split a" + t);
                sameBits(y1, get(be, sb), "split b" + t);
            }
    }

    static Tensor putF(NnKernels k, float[] a, int... shape) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return put(k, d, shape);
    }

    @Test
    void maxPoolTiesGoToTheFirstElement() {
        double[] x = {1, 1, 1, 1, /* */ 0, 2, 2, 0};
        try (Tensor xt = put(nn, x, 1, 2, 2, 2);
                Tensor dy = put(nn, new double[] {5, 6}, 1, 2, 1, 1);
                Tensor dx = nn.allocate(1, 2, 2, 2)) {
            nn.maxPool2Backward(xt, dy, dx);
            assertArrayEquals(new double[] {5, 0, 0, 0, 0, 6, 0, 0}, get(nn, dx));
        }
    }

    // ---------------------------------------------------------------- backward by finite differences

    @ParameterizedTest
    @CsvSource({"2,3,5,7,4,3", "1,2,3,5,3,5", "2,3,7,9,5,1"})
    void conv2dBackwardMatchesFiniteDifferences(int n, int ci, int h, int w, int co, int k) {
        SplittableRandom r = new SplittableRandom(ci * 31L + k);
        double[] x = random(r, n * ci * h * w), wt = random(r, co * ci * k * k), b = random(r, co);
        double[] g = random(r, n * co * h * w);
        double[] gx = numericGrad(v -> NnReference.conv2dForward(v, wt, b, n, ci, co, h, w, k), x, g, 1e-3);
        double[] gw = numericGrad(v -> NnReference.conv2dForward(x, v, b, n, ci, co, h, w, k), wt, g, 1e-3);
        double[] gb = numericGrad(v -> NnReference.conv2dForward(x, wt, v, n, ci, co, h, w, k), b, g, 1e-3);
        try (Tensor xt = put(nn, x, n, ci, h, w);
                Tensor wtt = put(nn, wt, co, ci, k, k);
                Tensor dy = put(nn, g, n, co, h, w);
                Tensor dx = nn.allocate(n, ci, h, w);
                Tensor dw = nn.allocate(co, ci, k, k);
                Tensor db = nn.allocate(co)) {
            nn.fill(dx, 3f);
            nn.fill(dw, 3f);
            nn.conv2dBackwardData(dy, wtt, dx);
            nn.conv2dBackwardFilter(xt, dy, dw, db);
            close(gx, get(nn, dx), 1e-4, "conv dx");
            close(gw, get(nn, dw), 1e-4, "conv dw");
            close(gb, get(nn, db), 1e-4, "conv db");
        }
    }

    @Test
    void reluBackwardMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(5);
        double[] x = random(r, 2 * 3 * 5 * 3);
        for (int i = 0; i < x.length; i++) if (Math.abs(x[i]) < 0.01) x[i] = 0.5;
        double[] g = random(r, x.length);
        double[] gx = numericGrad(NnReference::relu, x, g, 1e-4);
        try (Tensor y = put(nn, NnReference.relu(x), 2, 3, 5, 3);
                Tensor dy = put(nn, g, 2, 3, 5, 3);
                Tensor dx = nn.allocate(2, 3, 5, 3)) {
            nn.reluBackward(y, dy, dx);
            close(gx, get(nn, dx), 1e-6, "relu dx");
            nn.reluBackward(y, dy, dy);
            close(gx, get(nn, dy), 1e-6, "relu dx in place");
        }
    }

    @Test
    void poolAndUpsampleBackwardMatchFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(6);
        int n = 2, c = 3, h = 4, w = 6;
        double[] x = random(r, n * c * h * w);
        double[] gp = random(r, n * c * (h / 2) * (w / 2)), gu = random(r, n * c * 4 * h * w);
        double[] px = numericGrad(v -> NnReference.maxPool2(v, n * c, h, w), x, gp, 1e-5);
        double[] ux = numericGrad(v -> NnReference.upsample2(v, n * c, h, w), x, gu, 1e-3);
        try (Tensor xt = put(nn, x, n, c, h, w);
                Tensor dyp = put(nn, gp, n, c, h / 2, w / 2);
                Tensor dyu = put(nn, gu, n, c, 2 * h, 2 * w);
                Tensor dx = nn.allocate(n, c, h, w)) {
            nn.maxPool2Backward(xt, dyp, dx);
            close(px, get(nn, dx), 1e-5, "maxpool dx");
            nn.upsample2Backward(dyu, dx);
            close(ux, get(nn, dx), 1e-5, "upsample dx");
        }
    }

    @Test
    void splitIsTheGradientOfConcat() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 2, ca = 3, cb = 2, hw = 5 * 3;
        double[] a = random(r, n * ca * hw), b = random(r, n * cb * hw), g = random(r, n * (ca + cb) * hw);
        double[] ga = numericGrad(v -> NnReference.concat(v, b, n, ca, cb, hw), a, g, 1e-3);
        double[] gb = numericGrad(v -> NnReference.concat(a, v, n, ca, cb, hw), b, g, 1e-3);
        try (Tensor dy = put(nn, g, n, ca + cb, 5, 3);
                Tensor da = nn.allocate(n, ca, 5, 3);
                Tensor db = nn.allocate(n, cb, 5, 3)) {
            nn.splitChannels(dy, da, db);
            close(ga, get(nn, da), 1e-6, "split da");
            close(gb, get(nn, db), 1e-6, "split db");
        }
    }

    @Test
    void l1LossAndGradientMatchReference() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 2, h = 5, w = 7;
        double[] p = random(r, n * h * w), t = random(r, n * h * w);
        for (boolean weighted : new boolean[] {false, true}) { // a 0/1 mask, then the trainer's user weights
            double[] m = new double[n * h * w];
            for (int i = 0; i < m.length; i++)
                m[i] = r.nextInt(4) == 0
                        ? 0
                        : weighted ? (float) (1 + (r.nextInt(8) == 0 ? 300 * r.nextDouble() : r.nextDouble())) : 1;
            double[] gp = numericGrad(
                    v -> new double[] {NnReference.l1Loss(v, t, m, new double[v.length])}, p, new double[] {1}, 1e-5);
            try (Tensor pt = put(nn, p, n, 1, h, w);
                    Tensor tt = put(nn, t, n, 1, h, w);
                    Tensor mt = put(nn, m, n, 1, h, w);
                    Tensor d = nn.allocate(n, 1, h, w)) {
                double loss = nn.l1Loss(pt, tt, mt, d);
                assertEquals(NnReference.l1Loss(p, t, m, new double[p.length]), loss, 1e-6);
                close(gp, get(nn, d), 1e-5, "l1 dPred" + (weighted ? " weighted" : ""));
            }
        }
        // all masked out: the loss is 0 and so is its gradient (the denominator is max(1, 0))
        try (Tensor pt = put(nn, p, n, 1, h, w);
                Tensor tt = put(nn, t, n, 1, h, w);
                Tensor mt = nn.allocate(n, 1, h, w);
                Tensor d = nn.allocate(n, 1, h, w)) {
            assertEquals(0, nn.l1Loss(pt, tt, mt, d));
            close(new double[n * h * w], get(nn, d), 0, "l1 dPred masked");
        }
    }

    @Test
    void adamMatchesHandComputedSteps() {
        try (Tensor p = put(nn, new double[] {1, -2}, 2);
                Tensor g = put(nn, new double[] {0.5, 0}, 2);
                Tensor m = nn.allocate(2);
                Tensor v = nn.allocate(2)) {
            // step 1: m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25, p = 1 - 0.01 * 0.5 / (0.5 + 1e-8) = 0.99
            nn.adamStep(p, g, m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 1);
            assertEquals(0.99, get(nn, p)[0], 1e-6);
            assertEquals(-2, get(nn, p)[1], 0);
            assertEquals(0.05, get(nn, m)[0], 1e-7);
            assertEquals(0.00025, get(nn, v)[0], 1e-8); // float32 1 - 0.999f is 0.00099999
            // step 2 with g = -1: m = -0.055, v = 0.00124975, m^ = -0.055 / 0.19, v^ = 0.00124975 / 0.001999
            try (Tensor g2 = put(nn, new double[] {-1, 0}, 2)) {
                nn.adamStep(p, g2, m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 2);
            }
            double want = 0.99 + 0.01 * (0.055 / 0.19) / Math.sqrt(0.00124975 / 0.001999);
            assertEquals(want, get(nn, p)[0], 1e-6);
            assertEquals(-0.055, get(nn, m)[0], 1e-7);
        }
    }

    @Test
    void adamMatchesReferenceOnRandomTensors() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 1001;
        double[] p = random(r, n), m = new double[n], v = new double[n];
        try (Tensor pt = put(nn, p, n);
                Tensor mt = nn.allocate(n);
                Tensor vt = nn.allocate(n)) {
            for (int step = 1; step <= 3; step++) {
                double[] g = random(r, n);
                try (Tensor gt = put(nn, g, n)) {
                    nn.adamStep(pt, gt, mt, vt, 1e-3f, 0.9f, 0.999f, 1e-7f, step);
                }
                NnReference.adam(p, g, m, v, 1e-3, 0.9, 0.999, 1e-7, step);
            }
            close(p, get(nn, pt), 1e-6, "adam p");
            close(m, get(nn, mt), 1e-6, "adam m");
        }
    }

    // ---------------------------------------------------------------- determinism and ownership

    @ParameterizedTest
    @CsvSource({"WINOGRAD,5", "WINOGRAD,3", "DIRECT,5"})
    void forwardDoesNotDependOnTheThreadCount(JavaNnKernels.ConvAlgorithm conv, int k) {
        SplittableRandom r = new SplittableRandom(14);
        int n = 2, ci = 6, h = 41, w = 107, co = 9; // several bands of tile rows and strips of tiles
        double[] x = random(r, n * ci * h * w), wt = random(r, co * ci * k * k), bias = random(r, co);
        double[][] out = new double[3][];
        for (int threads = 1; threads <= 3; threads++)
            try (JavaNnKernels b = new JavaNnKernels(threads, conv);
                    Tensor xt = put(b, x, n, ci, h, w);
                    Tensor wtt = put(b, wt, co, ci, k, k);
                    Tensor bt = put(b, bias, co);
                    Tensor y = b.allocate(n, co, h, w)) {
                b.conv2dForward(xt, wtt, bt, y);
                out[threads - 1] = get(b, y);
            }
        assertArrayEquals(out[0], out[1]);
        assertArrayEquals(out[0], out[2]);
    }

    @ParameterizedTest
    @CsvSource({"WINOGRAD,5", "WINOGRAD,3", "DIRECT,5"})
    void backwardDataDoesNotDependOnTheThreadCount(JavaNnKernels.ConvAlgorithm conv, int k) {
        SplittableRandom r = new SplittableRandom(16);
        int n = 2, ci = 6, h = 41, w = 107, co = 9;
        double[] g = random(r, n * co * h * w), wt = random(r, co * ci * k * k);
        double[][] out = new double[3][];
        for (int threads = 1; threads <= 3; threads++)
            try (JavaNnKernels b = new JavaNnKernels(threads, conv);
                    Tensor dy = put(b, g, n, co, h, w);
                    Tensor wtt = put(b, wt, co, ci, k, k);
                    Tensor dx = b.allocate(n, ci, h, w)) {
                b.conv2dBackwardData(dy, wtt, dx);
                out[threads - 1] = get(b, dx);
            }
        assertArrayEquals(out[0], out[1]);
        assertArrayEquals(out[0], out[2]);
    }

    @ParameterizedTest
    @CsvSource({"AUTO,6", "WINOGRAD,6", "AUTO,17", "DIRECT,17"})
    void resultsDoNotDependOnTheThreadCount(JavaNnKernels.ConvAlgorithm conv, int co) {
        SplittableRandom r = new SplittableRandom(10);
        int n = 2, ci = 5, h = 13, w = 29, k = 5;
        double[] x = random(r, n * ci * h * w), wt = random(r, co * ci * k * k), g = random(r, n * co * h * w);
        double[][] out = new double[3][];
        for (int threads = 1; threads <= 3; threads++)
            try (JavaNnKernels b = new JavaNnKernels(threads, conv);
                    Tensor xt = put(b, x, n, ci, h, w);
                    Tensor dy = put(b, g, n, co, h, w);
                    Tensor dw = b.allocate(co, ci, k, k);
                    Tensor db = b.allocate(co)) {
                b.conv2dBackwardFilter(xt, dy, dw, db);
                out[threads - 1] = get(b, dw);
            }
        assertArrayEquals(out[0], out[1]);
        assertArrayEquals(out[0], out[2]);
    }

    @Test
    void tensorsOfAnotherBackendAreRejected() {
        try (JavaNnKernels other = new JavaNnKernels(1);
                Tensor a = other.allocate(1, 1, 2, 2);
                Tensor b = nn.allocate(1, 1, 2, 2)) {
            assertThrows(IllegalArgumentException.class, () -> nn.reluForward(a, b));
            assertThrows(IllegalArgumentException.class, () -> nn.conv2dForward(b, b, b, b));
        }
    }
}
