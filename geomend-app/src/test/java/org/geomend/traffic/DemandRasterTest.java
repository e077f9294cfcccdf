package org.geomend.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;

/** {@link DemandRaster#coarsen}: the coarse lattice, each coarse pixel the sum of its fine ones, totals kept. */
class DemandRasterTest {

    @Test
    void coarsenSumsOntoTheCoarseLattice() {
        // fine grid of 100 m starting at lattice column -3, row 5 (x0 = -300, y0 = 500), 7 x 4 pixels
        GridSpec fine = new GridSpec(-300, 500, 100, 7, 4);
        DemandRaster d = new DemandRaster(fine, 2);
        float[] map = new float[7 * 4];
        for (int i = 0; i < map.length; i++) map[i] = i + 1;
        d.add(fine, MemorySegment.ofArray(map), 0, new double[] {10, 20});
        DemandRaster c = d.coarsen(300);
        GridSpec g = c.grid();
        // columns -3..3 -> coarse -1..1; rows 5..8 -> coarse 1..2
        assertEquals(new GridSpec(-300, 300, 300, 3, 2), g);
        for (int t = 0; t < 2; t++) {
            double[] expect = new double[g.width() * g.height()];
            double[] src = d.band(t);
            for (int j = 0; j < 4; j++)
                for (int col = 0; col < 7; col++) {
                    int cc = Math.floorDiv(-3 + col, 3) + 1, cr = Math.floorDiv(5 + j, 3) - 1;
                    expect[cr * 3 + cc] += src[j * 7 + col];
                }
            double[] got = c.band(t);
            for (int p = 0; p < expect.length; p++) assertEquals(expect[p], got[p], 1e-12, "t " + t + " pixel " + p);
            assertEquals(d.total(t), c.total(t), 1e-9);
        }
        assertEquals(30.0, c.total(0) + c.total(1), 1e-9);
        assertEquals(d.mappedSites(), c.mappedSites());
        assertEquals(d.mappedTotal(), c.mappedTotal(), 0.0);
        assertSame(d, d.coarsen(100));
        assertThrows(IllegalArgumentException.class, () -> d.coarsen(150));
        assertThrows(IllegalArgumentException.class, () -> d.coarsen(50));
    }
}
