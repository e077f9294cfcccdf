package org.geomend.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.geomend.bench.nn.NnConformance;
import org.geomend.kernels.nn.NnReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The index arithmetic of the CUDA implicit-GEMM convolutions, through their Java port {@link NnKernelPort}, against
 * the float64 reference on the conformance cases (runs without a GPU; the CUDA code itself is checked by
 * {@link CudaNnConformanceTest} where a device exists).
 */
class NnKernelPortTest {

    static java.util.List<NnConformance.ConvCase> cases() {
        return NnConformance.CONV_CASES;
    }

    static float[] uniform(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    static double[] d(float[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = v[i];
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void portedConvolutionsMatchTheReference(NnConformance.ConvCase c) {
        Random rnd = new Random(c.hashCode());
        int n = c.n(), ci = c.ci(), co = c.co(), h = c.h(), w = c.w(), k = c.k();
        float[] x = uniform(rnd, n * ci * h * w),
                wt = uniform(rnd, co * ci * k * k),
                b = uniform(rnd, co),
                dy = uniform(rnd, n * co * h * w);
        float[] y = new float[n * co * h * w], dx = new float[n * ci * h * w], dw = new float[co * ci * k * k];
        java.util.Arrays.fill(y, 1e3f);
        java.util.Arrays.fill(dx, 1e3f);
        NnKernelPort.conv(x, wt, b, y, n, ci, co, h, w, k, false, false);
        double e = NnConformance.rel(d(y), NnReference.conv2dForward(d(x), d(wt), d(b), n, ci, co, h, w, k));
        assertTrue(e <= NnConformance.TOL, "forward " + e);
        NnKernelPort.conv(dy, wt, null, dx, n, co, ci, h, w, k, true, false);
        e = NnConformance.rel(d(dx), NnReference.conv2dBackwardData(d(dy), d(wt), n, ci, co, h, w, k));
        assertTrue(e <= NnConformance.TOL, "backward data " + e);
        double[] ref = NnReference.conv2dBackwardFilter(d(x), d(dy), n, ci, co, h, w, k)[0];
        for (int sm : new int[] {1, 132}) { // one split, and as many as an H100 / H200 asks for
            int[] plan = NnKernelPort.wgradSplits(n, ci, co, h, k, sm);
            java.util.Arrays.fill(dw, 1e3f);
            NnKernelPort.wgrad(x, dy, dw, n, ci, co, h, w, k, plan[0], plan[1]);
            e = NnConformance.rel(d(dw), ref);
            assertTrue(e <= NnConformance.TOL_SUMS, "backward filter, " + plan[0] + " splits: " + e);
        }
    }
}
