package org.geomend.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.geomend.bench.nn.NnConformance;
import org.geomend.kernels.nn.NnReference;
import org.junit.jupiter.api.Test;

/**
 * The float64 reference the CUDA and cuDNN kernels are checked against is itself checked here (no GPU needed): by
 * hand-computed values, by the adjoint identities every backward must satisfy (&lt;dy, f(x)&gt; = &lt;f'(dy), x&gt;
 * for the linear operations), and by central finite differences of the loss.
 */
class NnReferenceTest {

    static double[] random(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble() * 2 - 1;
        return v;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    @Test
    void convolutionByHand() {
        // a 3 x 3 all-ones kernel on a 3 x 4 all-ones image with zero padding counts the neighbours in the image
        double[] x = new double[12];
        java.util.Arrays.fill(x, 1);
        double[] w = new double[9];
        java.util.Arrays.fill(w, 1);
        double[] y = NnReference.conv2dForward(x, w, new double[] {0.5}, 1, 1, 1, 3, 4, 3);
        assertArrayEquals(new double[] {4.5, 6.5, 6.5, 4.5, 6.5, 9.5, 9.5, 6.5, 4.5, 6.5, 6.5, 4.5}, y, 0);
        // cross-correlation, not convolution: a kernel with only its right tap set reads the pixel to the right
        double[] ramp = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        double[] right = new double[9];
        right[5] = 1; // (ky, kx) = (1, 2)
        assertArrayEquals(
                new double[] {2, 3, 0, 5, 6, 0, 8, 9, 0},
                NnReference.conv2dForward(ramp, right, new double[] {0}, 1, 1, 1, 3, 3, 3),
                0);
    }

    @Test
    void convolutionBackwardsAreAdjoints() {
        Random r = new Random(5);
        int n = 2, ci = 3, co = 4, h = 5, wd = 7, k = 3;
        double[] x = random(r, n * ci * h * wd),
                w = random(r, co * ci * k * k),
                b = random(r, co),
                dy = random(r, n * co * h * wd);
        double[] noBias = new double[co];
        double[] y = NnReference.conv2dForward(x, w, noBias, n, ci, co, h, wd, k);
        double[] dx = NnReference.conv2dBackwardData(dy, w, n, ci, co, h, wd, k);
        double[][] g = NnReference.conv2dBackwardFilter(x, dy, n, ci, co, h, wd, k);
        double lhs = dot(dy, y);
        assertEquals(lhs, dot(dx, x), 1e-10);
        assertEquals(lhs, dot(g[0], w), 1e-10);
        double[] yb = NnReference.conv2dForward(new double[x.length], w, b, n, ci, co, h, wd, k);
        assertEquals(dot(dy, yb), dot(g[1], b), 1e-10);
    }

    @Test
    void poolingTiesGoToTheFirstElementInRowMajorOrder() {
        // one 2 x 4 plane = two windows: [1 1 / 0 0] (tie in the top row) and [0 2 / 2 1] (tie across rows)
        double[] x = {1, 1, 0, 2, 0, 0, 2, 1};
        assertArrayEquals(new double[] {1, 2}, NnReference.maxPool2(x, 1, 2, 4), 0);
        assertArrayEquals(
                new double[] {5, 0, 0, 7, 0, 0, 0, 0},
                NnReference.maxPool2Backward(x, new double[] {5, 7}, 1, 2, 4),
                0);
    }

    @Test
    void upsamplingAndConcatenationBackwardsAreAdjoints() {
        Random r = new Random(6);
        double[] x = random(r, 2 * 3 * 5), dy = random(r, 2 * 6 * 10);
        assertEquals(
                dot(dy, NnReference.upsample2(x, 2, 3, 5)), dot(NnReference.upsample2Backward(dy, 2, 3, 5), x), 1e-12);
        double[] a = random(r, 2 * 3 * 4), b = random(r, 2 * 2 * 4);
        double[][] back = NnReference.split(NnReference.concat(a, b, 2, 3, 2, 4), 2, 3, 2, 4);
        assertArrayEquals(a, back[0], 0);
        assertArrayEquals(b, back[1], 0);
        assertArrayEquals(
                new double[] {1, 2, 9, 8, 3, 4, 7, 6},
                NnReference.concat(new double[] {1, 2, 3, 4}, new double[] {9, 8, 7, 6}, 2, 1, 1, 2),
                0);
    }

    @Test
    void l1LossAndItsGradientByFiniteDifferences() {
        Random r = new Random(7);
        int n = 30;
        double[] p = random(r, n), t = random(r, n), m = new double[n], g = new double[n];
        for (int i = 0; i < n; i++) m[i] = i % 3 == 0 ? 0 : 1;
        double loss = NnReference.l1Loss(p, t, m, g);
        double want = 0;
        for (int i = 0; i < n; i++) want += m[i] * Math.abs(p[i] - t[i]);
        assertEquals(want / 20, loss, 1e-15);
        double h = 1e-6;
        for (int i = 0; i < n; i++) {
            double[] q = p.clone();
            q[i] += h;
            double up = NnReference.l1Loss(q, t, m, new double[n]);
            q[i] -= 2 * h;
            double down = NnReference.l1Loss(q, t, m, new double[n]);
            assertEquals((up - down) / (2 * h), g[i], 1e-8, "element " + i);
        }
        assertEquals(0, NnReference.l1Loss(p, t, new double[n], g), 0);
    }

    @Test
    void adamFirstStepMovesByTheLearningRate() {
        double[] p = {1, 1, 1}, g = {0.5, -2, 1e-3}, m = new double[3], v = new double[3];
        NnReference.adam(p, g, m, v, 0.1, 0.9, 0.999, 1e-10, 1);
        // bias-corrected first step: m / c1 = g, sqrt(v / c2) = |g|, so p moves by lr * sign(g)
        assertArrayEquals(new double[] {0.9, 1.1, 0.9}, p, 1e-6);
        assertArrayEquals(new double[] {0.05, -0.2, 1e-4}, m, 1e-15);
    }

    @Test
    void relativeErrorIsTheTwoNormRatio() {
        assertEquals(0.1, NnConformance.rel(new double[] {3, 4.5}, new double[] {3, 4}), 1e-12);
        assertEquals(Double.NaN, NnConformance.rel(new double[1], new double[2]));
        assertEquals(2, NnConformance.rel(new double[] {2}, new double[] {0}), 0);
    }
}
