package org.geomend.edge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Random;

/** Demand fields and checks shared by the planner's and the CLI's tests. */
public final class EdgeTestData {

    private EdgeTestData() {}

    /** A smooth random-ish demand field: a few Gaussian bumps plus noise, every pixel > 0. */
    public static float[] field(int w, int h, long seed) {
        Random rnd = new Random(seed);
        double[][] bumps = new double[6][];
        for (int i = 0; i < bumps.length; i++)
            bumps[i] = new double[] {
                rnd.nextDouble() * w, rnd.nextDouble() * h, 2 + rnd.nextDouble() * w / 6, 1 + 9 * rnd.nextDouble()
            };
        float[] d = new float[w * h];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) {
                double v = 0.05 + 0.05 * rnd.nextDouble();
                for (double[] b : bumps)
                    v += b[3] * Math.exp(-((c - b[0]) * (c - b[0]) + (r - b[1]) * (r - b[1])) / (2 * b[2] * b[2]));
                d[r * w + c] = (float) v;
            }
        return d;
    }

    /** Every part of {@code a} is 4-connected on the raster (BFS). */
    public static void assertRasterContiguous(int[] a, int w, int h, int k) {
        boolean[] seen = new boolean[a.length], started = new boolean[k];
        for (int s = 0; s < a.length; s++) {
            if (a[s] < 0 || seen[s]) continue;
            assertTrue(!started[a[s]], "part " + a[s] + " has two 4-connected pieces");
            started[a[s]] = true;
            ArrayDeque<Integer> q = new ArrayDeque<>();
            q.add(s);
            seen[s] = true;
            while (!q.isEmpty()) {
                int p = q.poll(), r = p / w, c = p % w;
                int[] nb = {c > 0 ? p - 1 : -1, c + 1 < w ? p + 1 : -1, r > 0 ? p - w : -1, r + 1 < h ? p + w : -1};
                for (int x : nb)
                    if (x >= 0 && !seen[x] && a[x] == a[s]) {
                        seen[x] = true;
                        q.add(x);
                    }
            }
        }
        for (int i = 0; i < k; i++) assertTrue(started[i], "part " + i + " is empty");
    }
}
