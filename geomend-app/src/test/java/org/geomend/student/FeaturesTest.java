package org.geomend.student;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.java.JavaKernels;
import org.junit.jupiter.api.Test;

/** The input features against a brute-force nearest-site search, the padding, and the target transform. */
class FeaturesTest {

    @Test
    void featuresMatchBruteForceOnThePaddedGrid() {
        double[] x = {1000, 1800, 2600, 900, 3100, 2000, 1500}, y = {1200, 900, 2500, 2900, 1500, 2000, 2400};
        SitePositions s = new SitePositions(x, y);
        UNetConfig cfg = new UNetConfig(3, 2, 1, 3, 1, "paper", 30, 100);
        GridSpec win = GridSpec.window(x[5], y[5], 30, 100);
        GridSpec g = Features.padded(win, cfg);
        assertEquals(32, g.width());
        assertEquals(win.x0() - 100, g.x0(), 1e-9);
        for (String kind : new String[] {"paper", "repo"}) {
            float[] f = new float[3 * 32 * 32];
            try (BufferAllocator a = Memory.child("FeaturesTest");
                    JavaKernels k = new JavaKernels(2)) {
                Features.compute(k, a, s, 5, g, kind, f, 0);
            }
            for (int r = 0; r < 32; r += 5)
                for (int c = 0; c < 32; c += 3) {
                    double px = g.centreX(c), py = g.centreY(r);
                    double[] d = new double[x.length];
                    for (int j = 0; j < x.length; j++) d[j] = s.distancePlus1(px, py, j);
                    double di = d[5];
                    java.util.Arrays.sort(d);
                    double third = kind.equals("paper") ? d[2] : (d[0] + d[1] + d[2] + d[3] + d[4]) / 5;
                    int q = r * 32 + c;
                    assertEquals(1 - Math.exp(-d[0] / di), f[q], 1e-6);
                    assertEquals(1 - Math.exp(-d[1] / di), f[q + 1024], 1e-6);
                    assertEquals(1 - Math.exp(-third / di), f[q + 2048], 1e-6);
                }
        }
    }

    @Test
    void targetTransformAndInverse() {
        assertEquals(-1 / Math.log10(1e-4), TargetTransform.forward(1e-4), 1e-7);
        assertEquals(1 / 9.0, TargetTransform.forward(0), 1e-7); // clamped to 1e-9
        assertEquals(1e-4, TargetTransform.inverse(TargetTransform.forward(1e-4)), 1e-9);
        assertEquals(1e-9, TargetTransform.inverse(-3), 0);
        assertEquals(1e-9, TargetTransform.inverse(0), 0);
        // crop, mask, normalise
        float[] out = {0.25f, 0.25f, 0.5f, 0.25f}; // 2 x 2 network output
        float[] map = new float[1];
        double s = TargetTransform.toMap(out, 0, 2, 1, 1, 1, 1, null, map, 0);
        assertEquals(1e-4, s, 1e-9);
        assertEquals(1f, map[0]);
    }

    @Test
    void resampleSumsBlocksAndSpreadInvertsIt() {
        GridSpec fine = new GridSpec(0, 0, 100, 8, 8), coarse = new GridSpec(0, 0, 400, 2, 2);
        float[] f = new float[64];
        for (int i = 0; i < 64; i++) f[i] = i;
        float[] c = TargetTransform.resample(f, fine, coarse);
        assertEquals(0 + 1 + 2 + 3 + 8 + 9 + 10 + 11 + 16 + 17 + 18 + 19 + 24 + 25 + 26 + 27, c[0], 0);
        float[] back = TargetTransform.spread(c, 0, coarse, fine);
        double total = 0;
        for (float v : f) total += v;
        assertEquals(c[0] / 16 / total, back[0], 1e-7);
        assertEquals(back[0], back[3 * 8 + 3], 0);
    }
}
