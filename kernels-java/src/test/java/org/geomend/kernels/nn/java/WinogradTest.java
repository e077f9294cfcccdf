package org.geomend.kernels.nn.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Winograd matrices: the 1-d algorithm F(m, k) is the correlation, and the hand-factored transforms match. */
class WinogradTest {

    @ParameterizedTest
    @CsvSource({"2,3", "4,3", "6,3", "2,5", "3,5", "4,5", "1,1", "5,4"})
    void matricesComputeTheCorrelation(int m, int k) {
        Winograd wg = new Winograd(m, k);
        int a = wg.a;
        SplittableRandom r = new SplittableRandom(m * 10L + k);
        for (int trial = 0; trial < 5; trial++) {
            double[] d = new double[a], g = new double[k];
            for (int i = 0; i < a; i++) d[i] = r.nextDouble() * 2 - 1;
            for (int i = 0; i < k; i++) g[i] = r.nextDouble() * 2 - 1;
            double[] prod = new double[a];
            for (int j = 0; j < a; j++) {
                double gg = 0, dd = 0;
                for (int c = 0; c < k; c++) gg += wg.g[j * k + c] * g[c];
                for (int i = 0; i < a; i++) dd += wg.bt[j * a + i] * d[i];
                prod[j] = gg * dd;
            }
            for (int i = 0; i < m; i++) {
                double want = 0, got = 0;
                for (int c = 0; c < k; c++) want += d[i + c] * g[c];
                for (int j = 0; j < a; j++) got += wg.at[i * a + j] * prod[j];
                assertEquals(want, got, 1e-12, "F(" + m + ", " + k + ") output " + i);
            }
        }
    }

    @Test
    void factoredTransformsMatchTheMatrices() {
        Winograd wg = new Winograd(4, 5);
        int l = ConvLoops.L;
        float[] src = new float[8 * l], dst = new float[8 * l];
        for (int j = 0; j < 8; j++) {
            java.util.Arrays.fill(src, 0f);
            java.util.Arrays.fill(src, j * l, (j + 1) * l, 1f);
            Winograd.bt8(src, 0, 4 * l, l, dst, 0, l);
            for (int i = 0; i < 8; i++)
                for (int q = 0; q < l; q++)
                    assertEquals(wg.bt[i * 8 + j], dst[i * l + q], 0, "B^T[" + i + "][" + j + "]");
            Winograd.at8(src, 0, l, 0f, dst, 0, l);
            for (int i = 0; i < 4; i++)
                for (int q = 0; q < l; q++)
                    assertEquals(wg.at[i * 8 + j], dst[i * l + q], 0, "A^T[" + i + "][" + j + "]");
        }
    }
}
