package org.geomend.voronoiboost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;

/** The scale-fitting target on maps whose s_tau is known in closed form. */
class ScaleTargetTest {

    static final double[] SQUARE_X = {-1000, 1000, 1000, -1000}, SQUARE_Y = {-1000, -1000, 1000, 1000};

    /** A map uniform over the pixels whose centre satisfies {@code inside}, on a 10 m grid 6 km a side centred on 0. */
    static float[] uniform(GridSpec g, java.util.function.BiPredicate<Double, Double> inside) {
        float[] m = new float[(int) g.pixels()];
        for (int r = 0; r < g.height(); r++)
            for (int c = 0; c < g.width(); c++) if (inside.test(g.centreX(c), g.centreY(r))) m[r * g.width() + c] = 1;
        return m;
    }

    static final GridSpec GRID = new GridSpec(-3000, -3000, 10, 600, 600);

    /** Uniform on the cell itself: the cell scaled by s holds s² of it, so s_tau = sqrt(tau). */
    @Test
    void uniformOnTheCell() {
        ScaledCell cell = ScaledCell.about(SQUARE_X, SQUARE_Y, 0, 0);
        float[] map = uniform(GRID, (x, y) -> Math.abs(x) < 1000 && Math.abs(y) < 1000);
        double[] taus = VoronoiBoostModel.TAUS;
        double[] s = ScaleTarget.scales(cell, GRID, map, taus);
        for (int k = 0; k < taus.length; k++) assertEquals(Math.sqrt(taus[k]), s[k], 0.01, "tau " + taus[k]);
    }

    /**
     * Uniform on a disc of radius 2 km: while the scaled square (half side 1000 s) lies inside the disc
     * (s <= sqrt(2)), it holds (2000 s)² / (pi 2000²) = s² / pi, so s_tau = sqrt(pi tau) for tau <= 2 / pi.
     */
    @Test
    void uniformOnADisc() {
        ScaledCell cell = ScaledCell.about(SQUARE_X, SQUARE_Y, 0, 0);
        float[] map = uniform(GRID, (x, y) -> x * x + y * y < 2000.0 * 2000.0);
        double[] taus = {0.1, 0.25, 0.5, 0.6};
        double[] s = ScaleTarget.scales(cell, GRID, map, taus);
        for (int k = 0; k < taus.length; k++) assertEquals(Math.sqrt(Math.PI * taus[k]), s[k], 0.015, "tau " + taus[k]);
    }

    /**
     * The origin matters. Below scale 1 a convex cell scaled about any interior point stays inside itself, so a map
     * uniform on the cell gives s_tau = sqrt(tau) whatever the origin; a map concentrated near an off-centre station
     * does not. Cell: the 2 km square; station at (500, 0); map uniform on [300, 700] x [-200, 200].
     * About the bounding-box centre the gauge is max(|x|, |y|) / 1000, so the mass held at s >= 0.3 is
     * (1000 s - 300) / 400: s_0.25 = 0.4, s_0.75 = 0.6, s_0.95 = 0.68. About the station the gauge is
     * max((x - 500) / 500, (500 - x) / 1500, |y| / 1000): for s in [0.2, 0.4] the mass is (200 + 500 s) / 400
     * (s_0.75 = 0.2, s_0.95 = 0.36), and at s = 0.1 it is (200 / 400) (200 / 400) = 0.25.
     */
    @Test
    void stationOrBoundingBoxCentre() {
        float[] map = uniform(GRID, (x, y) -> x > 300 && x < 700 && Math.abs(y) < 200);
        double[] taus = {0.25, 0.75, 0.95};
        double[] box = ScaleTarget.scales(
                ScaledCell.of(SQUARE_X, SQUARE_Y, 500, 0, ScaledCell.Origin.BBOX_CENTRE), GRID, map, taus);
        double[] station = ScaleTarget.scales(
                ScaledCell.of(SQUARE_X, SQUARE_Y, 500, 0, ScaledCell.Origin.STATION), GRID, map, taus);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.4, 0.6, 0.68}, box, 0.015);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.1, 0.2, 0.36}, station, 0.015);
        // and a map uniform on the cell does not tell them apart
        float[] flat = uniform(GRID, (x, y) -> Math.abs(x) < 1000 && Math.abs(y) < 1000);
        assertEquals(
                0.4,
                ScaleTarget.scales(
                        ScaledCell.of(SQUARE_X, SQUARE_Y, 500, 0, ScaledCell.Origin.STATION), GRID, flat, new double[] {
                            0.16
                        })[0],
                0.01);
    }

    @Test
    void gaugeIsTheSmallestHoldingScale() {
        ScaledCell cell = ScaledCell.about(SQUARE_X, SQUARE_Y, 0, 0);
        assertEquals(0, cell.gauge(0, 0), 0);
        assertEquals(0.5, cell.gauge(500, 200), 1e-12);
        assertEquals(2.5, cell.gauge(-300, -2500), 1e-12);
    }
}
