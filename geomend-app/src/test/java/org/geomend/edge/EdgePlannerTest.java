package org.geomend.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;

/** The planner on in-memory grids (the CLI's tests go through {@code geomend plan-edge}). */
class EdgePlannerTest {

    @Test
    void twoBlobsTwoSites() {
        GridSpec g = new GridSpec(1000, 2000, 100, 12, 6);
        float[] d = new float[72];
        for (int r = 1; r <= 3; r++)
            for (int c = 1; c <= 3; c++) {
                d[r * 12 + c] = 2;
                d[r * 12 + c + 7] = 2;
            }
        d[2 * 12 + 2] = 4; // the left blob's centre weighs more: its barycentre stays at its centre; loads differ
        d[2 * 12 + 9] = 4;
        EdgePlanner.Plan p = EdgePlanner.plan(Metis.load(), g, d, 2, 0.03, 1);
        assertEquals(2, p.components());
        assertEquals(0, p.edgeCut());
        int left = p.assignment()[2 * 12 + 2], right = p.assignment()[2 * 12 + 9];
        assertNotEquals(left, right);
        for (int r = 1; r <= 3; r++)
            for (int c = 1; c <= 3; c++) {
                assertEquals(left, p.assignment()[r * 12 + c]);
                assertEquals(right, p.assignment()[r * 12 + c + 7]);
            }
        assertEquals(-1, p.assignment()[0]);
        assertEquals(1000 + 2.5 * 100, p.siteX()[left], 1e-9);
        assertEquals(2000 + 2.5 * 100, p.siteY()[left], 1e-9);
        assertEquals(1000 + 9.5 * 100, p.siteX()[right], 1e-9);
        assertEquals(20, p.load()[left], 0);
        assertEquals(1.0, p.jain(), 1e-12);
        assertEquals(0, p.nonContiguous());
        assertEquals(0, p.partsAcrossGaps());
    }

    @Test
    void contiguousBalancedDeterministic() {
        int w = 90, h = 70;
        float[] d = EdgeTestData.field(w, h, 7);
        GridSpec g = new GridSpec(0, 0, 50, w, h);
        for (int k : new int[] {2, 7, 30}) {
            EdgePlanner.Plan p = EdgePlanner.plan(Metis.load(), g, d, k, 0.05, 3);
            EdgeTestData.assertRasterContiguous(p.assignment(), w, h, k);
            assertEquals(0, p.nonContiguous());
            assertEquals(0, p.emptyParts());
            // METIS bounds the integer loads by 1 + ufactor/1000 + 0.0000499 (its k-way slack); rounding to integers
            // moves a real load by at most
            // one weight unit per pixel (total weight ~2^30 here: a slack below 1e-3)
            assertTrue(p.maxOverWeights() <= 0.05 + 5e-5, "k=" + k + " integer imbalance " + p.maxOverWeights());
            assertTrue(p.maxOver() <= 0.05 + 5e-5 + 1e-3, "k=" + k + " imbalance " + p.maxOver());
            EdgePlanner.Plan again = EdgePlanner.plan(Metis.load(), g, d, k, 0.05, 3);
            assertArrayEquals(p.assignment(), again.assignment());
            double total = 0;
            for (float v : d) total += v;
            double sum = 0;
            for (double l : p.load()) sum += l;
            assertEquals(total, sum, 1e-9 * total);
        }
    }

    @Test
    void separatedComponentsAreJoinedByLinks() {
        // four islands of different sizes and a few single pixels: one graph, parts may cross a gap only by a link
        int w = 40, h = 30;
        float[] d = new float[w * h];
        int[][] boxes = {{2, 2, 12, 10}, {20, 3, 35, 12}, {4, 16, 15, 27}, {22, 18, 37, 28}};
        for (int[] b : boxes)
            for (int r = b[1]; r < b[3]; r++) for (int c = b[0]; c < b[2]; c++) d[r * w + c] = 1 + (r + c) % 3;
        d[15 * w + 18] = 5;
        d[0] = 1;
        EdgePlanner.Plan p = EdgePlanner.plan(Metis.load(), new GridSpec(0, 0, 10, w, h), d, 6, 0.03, 1);
        assertEquals(6, p.components());
        assertEquals(0, p.nonContiguous());
        assertEquals(0, p.emptyParts());
        for (int q = 0; q < 6; q++) assertTrue(p.load()[q] > 0);
    }

    /** As many sites as pixels: METIS leaves parts empty there; refilled, every pixel is its own part. */
    @Test
    void asManySitesAsPixels() {
        float[] d = {1, 2, 3, 0, 5, 0, 1, 1, 9};
        GridSpec g = new GridSpec(0, 0, 100, 3, 3);
        for (int k : new int[] {6, 7}) {
            EdgePlanner.Plan p = EdgePlanner.plan(Metis.load(), g, d, k, 0.03, 1);
            assertEquals(0, p.emptyParts());
            assertEquals(0, p.nonContiguous());
            EdgeTestData.assertRasterContiguous(p.assignment(), 3, 3, k);
            int[] count = new int[k];
            for (int a : p.assignment()) if (a >= 0) count[a]++;
            for (int q = 0; q < k; q++) assertTrue(count[q] >= 1 && p.load()[q] > 0);
        }
    }

    @Test
    void jainIndex() {
        assertEquals(1.0, EdgePlanner.jain(new double[] {3, 3, 3}), 1e-15);
        assertEquals(0.25, EdgePlanner.jain(new double[] {5, 0, 0, 0}), 1e-15);
        assertEquals(36.0 / (2 * 20), EdgePlanner.jain(new double[] {2, 4}), 1e-15);
    }

    @Test
    void ufactorFromEpsilon() {
        assertEquals(30, EdgePlanner.ufactor(0.03));
        assertEquals(1, EdgePlanner.ufactor(0.0001));
    }

    @Test
    void badArguments() {
        GridSpec g = new GridSpec(0, 0, 1, 3, 1);
        Metis m = Metis.load();
        assertThrows(IllegalArgumentException.class, () -> EdgePlanner.plan(m, g, new float[] {1, 0, 1}, 3, 0.03, 1));
        assertThrows(IllegalArgumentException.class, () -> EdgePlanner.plan(m, g, new float[] {1, 0, 1}, 0, 0.03, 1));
        assertThrows(IllegalArgumentException.class, () -> EdgePlanner.plan(m, g, new float[] {0, 0, 0}, 1, 0.03, 1));
        assertThrows(IllegalArgumentException.class, () -> EdgePlanner.plan(m, g, new float[] {1, -1, 1}, 1, 0.03, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> EdgePlanner.plan(m, g, new float[] {1, Float.NaN, 1}, 1, 0.03, 1));
    }
}
