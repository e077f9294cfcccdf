package org.geomend.io;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SparseSelectionTest {

    /** Brute force of the documented rule: descending values, keep until mass >= (1-drop) S, then all ties. */
    static int[] bruteForce(float[] p, double drop) {
        double total = 0;
        for (float v : p) if (v > 0) total += v;
        Integer[] order =
                IntStream.range(0, p.length).filter(i -> p[i] > 0).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> p[i]).reversed());
        double kept = 0;
        float t = 0;
        for (int i : order) {
            kept += p[i];
            t = p[i];
            if (kept >= (1 - drop) * total) break;
        }
        final float th = t;
        return IntStream.range(0, p.length).filter(i -> p[i] > 0 && p[i] >= th).toArray();
    }

    @Test
    void matchesBruteForceAndRenormalises() {
        for (long seed = 1; seed <= 5; seed++) {
            float[] p = TestMaps.peaked(TestMaps.grid(120, 90), seed);
            for (double drop : new double[] {0, 1e-6, 1e-4, 1e-2, 0.3}) {
                SparseSelection s = SparseSelection.select(p, p.length, drop);
                assertArrayEquals(bruteForce(p, drop), s.pixels(), "seed " + seed + " drop " + drop);
                assertTrue(s.keptMass() >= (1 - drop) * s.totalMass() * (1 - 1e-12));
                double sum = 0;
                for (float v : s.values()) sum += v;
                assertEquals(1.0, sum, 1e-5);
                for (int i = 1; i < s.size(); i++) assertTrue(s.pixels()[i - 1] < s.pixels()[i]);
                for (int i = 0; i < s.size(); i++)
                    assertEquals(p[s.pixels()[i]] / s.keptMass(), s.values()[i], 1e-6 * s.values()[i] + 1e-12);
            }
        }
    }

    @Test
    void minimalityAndTies() {
        // uniform map: every pixel ties, all must be kept
        float[] u = new float[1000];
        Arrays.fill(u, 1e-3f);
        assertEquals(1000, SparseSelection.select(u, u.length, 1e-4).size());
        // one big pixel + small tail below the drop mass: only the big one stays
        float[] p = new float[100];
        Arrays.fill(p, 1e-7f);
        p[42] = 1 - 99e-7f;
        SparseSelection s = SparseSelection.select(p, p.length, 1e-4);
        assertArrayEquals(new int[] {42}, s.pixels());
        assertEquals(1f, s.values()[0]);
        // zeros and negatives never kept even with drop mass 0
        float[] z = {0, 0.5f, -0f, 0.5f, 0};
        assertArrayEquals(
                new int[] {1, 3}, SparseSelection.select(z, z.length, 0).pixels());
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> SparseSelection.select(new float[4], 4, 1e-4));
        assertThrows(IllegalArgumentException.class, () -> SparseSelection.select(new float[] {Float.NaN, 1}, 2, 1e-4));
        assertThrows(IllegalArgumentException.class, () -> SparseSelection.select(new float[] {1}, 1, 1));
    }
}
