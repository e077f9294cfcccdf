package org.geomend.bench.nn;

import java.util.Locale;
import java.util.Random;
import org.geomend.kernels.nn.Tensor;
import org.geomend.kernels.nn.java.JavaNnKernels;
import org.geomend.student.HostIo;

/**
 * Direct against Winograd F(4 x 4, 5 x 5) forward convolutions of one image, shape by shape, in one process (the
 * data for {@link JavaNnKernels#WINOGRAD_MIN_IN}): a warm-up pass over every shape both ways, then per shape the
 * best of 9 after 3 more runs, all cores. The shapes are the
 * paper U-Net's layers with few input channels on a 608 x 608 window, and a few around the rule.
 * Run: {@code java -cp bench/target/geomend-bench.jar org.geomend.bench.nn.WinogradRule}.
 */
public final class WinogradRule {

    private WinogradRule() {}

    public static void main(String[] args) {
        int[][] shapes = {
            {3, 32, 608},
            {4, 32, 608},
            {6, 32, 608},
            {8, 32, 608},
            {16, 32, 608},
            {3, 16, 304},
            {8, 16, 304},
            {16, 8, 152},
            {4, 8, 152},
            {8, 4, 76},
            {2, 4, 76},
            {4, 2, 38},
            {8, 2, 38}
        };
        try (JavaNnKernels direct = new JavaNnKernels(0, JavaNnKernels.ConvAlgorithm.DIRECT);
                JavaNnKernels winograd = new JavaNnKernels(0, JavaNnKernels.ConvAlgorithm.WINOGRAD)) {
            for (int[] s : shapes) {
                time(direct, s);
                time(winograd, s);
            } // JIT warm-up of both paths on every shape
            System.out.println(
                    "| ci -> co | side | direct ms | Winograd ms | direct / Winograd |\n|---|---|---|---|---|");
            for (int[] s : shapes) {
                double d = time(direct, s), w = time(winograd, s);
                System.out.printf(
                        Locale.ROOT, "| %d -> %d | %d | %.3f | %.3f | %.2f |%n", s[0], s[1], s[2], d, w, d / w);
            }
        }
    }

    private static double time(JavaNnKernels nn, int[] s) {
        try (Tensor x = put(nn, 1, s[0], s[2], s[2]);
                Tensor w = put(nn, s[1], s[0], 5, 5);
                Tensor b = put(nn, s[1]);
                Tensor y = nn.allocate(1, s[1], s[2], s[2])) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 12; i++) {
                long t0 = System.nanoTime();
                nn.conv2dForward(x, w, b, y);
                if (i >= 3) best = Math.min(best, System.nanoTime() - t0);
            }
            return best / 1e6;
        }
    }

    private static Tensor put(JavaNnKernels nn, int... shape) {
        Tensor t = nn.allocate(shape);
        float[] v = new float[(int) t.elements()];
        Random r = new Random(v.length);
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
        HostIo.upload(nn, v, t);
        return t;
    }
}
