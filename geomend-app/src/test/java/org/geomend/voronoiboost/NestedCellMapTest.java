package org.geomend.voronoiboost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.junit.jupiter.api.Test;

/** The map over nested scaled cells: normalisation, nesting, annulus masses, window and mask clipping. */
class NestedCellMapTest {

    // an irregular convex cell around (700150, 6600080)
    static final double[] X = {699_400, 700_900, 701_300, 700_500, 699_200};
    static final double[] Y = {6_599_300, 6_599_500, 6_600_400, 6_601_000, 6_600_300};
    static final double SX = 700_150, SY = 6_600_080;
    static final double[] TAUS = {0.25, 0.5, 0.75, 0.85, 0.95}, SCALES = {0.6, 0.9, 1.4, 1.9, 3.1};

    @Test
    void sumsToOneAndAnnuliHoldTheirShare() {
        GridSpec w = GridSpec.window(SX, SY, 120, 100);
        ScaledCell cell = ScaledCell.of(X, Y, SX, SY, ScaledCell.Origin.STATION);
        try (BufferAllocator a = Memory.child("NestedCellMapTest");
                GridBuffer buf = GridBuffer.allocate(a, GridBuffer.Type.FLOAT32, 3 + w.pixels())) {
            buf.fill(7f); // the map must overwrite everything it owns, and nothing before its offset
            double mass = NestedCellMap.draw(cell, SCALES, TAUS, w, null, buf, 3);
            assertEquals(0.95, mass, 1e-12);
            assertEquals(7f, buf.getFloat(2));
            double sum = 0;
            double[] annulus = new double[TAUS.length + 1];
            for (int r = 0; r < w.height(); r++)
                for (int c = 0; c < w.width(); c++) {
                    float v = buf.getFloat(3 + (long) r * w.width() + c);
                    assertTrue(v >= 0);
                    sum += v;
                    annulus[NestedCellMap.annulus(cell.gauge(w.centreX(c), w.centreY(r)), SCALES)] += v;
                }
            assertEquals(1, sum, 1e-5);
            for (int k = 0; k < TAUS.length; k++)
                assertEquals((TAUS[k] - (k == 0 ? 0 : TAUS[k - 1])) / 0.95, annulus[k], 1e-5, "annulus " + k);
            assertEquals(0, annulus[TAUS.length], 0, "nothing outside the largest cell");
            // uniform within an annulus; nested: every pixel of cell k also lies in every larger cell
            float inner = Float.NaN;
            for (int r = 0; r < w.height(); r++)
                for (int c = 0; c < w.width(); c++) {
                    double g = cell.gauge(w.centreX(c), w.centreY(r));
                    if (NestedCellMap.annulus(g, SCALES) == 0) {
                        float v = buf.getFloat(3 + (long) r * w.width() + c);
                        if (Float.isNaN(inner)) inner = v;
                        assertEquals(inner, v, 0);
                        for (double s : SCALES) assertTrue(g <= s);
                    }
                }
        }
    }

    @Test
    void windowAndMaskClipTheAnnuli() {
        // a window that cuts the cells: the map still sums to 1 over what is left, and the mask keeps its zeros
        GridSpec w = new GridSpec(700_000, 6_599_900, 50, 40, 30);
        ScaledCell cell = ScaledCell.of(X, Y, SX, SY, ScaledCell.Origin.STATION);
        try (BufferAllocator a = Memory.child("NestedCellMapTest");
                GridBuffer buf = GridBuffer.allocate(a, GridBuffer.Type.FLOAT32, w.pixels());
                GridBuffer mask = GridBuffer.allocate(a, GridBuffer.Type.UINT8, w.pixels())) {
            for (long p = 0; p < w.pixels(); p++) mask.setByte(p, (byte) ((p % w.width()) < 20 ? 1 : 0));
            assertTrue(NestedCellMap.draw(cell, SCALES, TAUS, w, mask, buf, 0) > 0);
            double sum = 0;
            for (long p = 0; p < w.pixels(); p++) {
                if (mask.getByte(p) == 0) assertEquals(0f, buf.getFloat(p));
                sum += buf.getFloat(p);
            }
            assertEquals(1, sum, 1e-5);
        }
    }

    @Test
    void noPixelCentreMeansNoMass() {
        GridSpec far = new GridSpec(0, 0, 100, 10, 10);
        ScaledCell cell = ScaledCell.of(X, Y, SX, SY, ScaledCell.Origin.STATION);
        try (BufferAllocator a = Memory.child("NestedCellMapTest");
                GridBuffer buf = GridBuffer.allocate(a, GridBuffer.Type.FLOAT32, far.pixels())) {
            assertEquals(0, NestedCellMap.draw(cell, SCALES, TAUS, far, null, buf, 0));
        }
    }

    @Test
    void refusesNonMonotoneScales() {
        GridSpec w = GridSpec.window(SX, SY, 20, 100);
        ScaledCell cell = ScaledCell.of(X, Y, SX, SY, ScaledCell.Origin.STATION);
        try (BufferAllocator a = Memory.child("NestedCellMapTest");
                GridBuffer buf = GridBuffer.allocate(a, GridBuffer.Type.FLOAT32, w.pixels())) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> NestedCellMap.draw(cell, new double[] {1, 0.9}, new double[] {0.5, 0.95}, w, null, buf, 0));
        }
    }
}
