package org.geomend.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;

/** The calibration hook's KS2 and spread diagnostics on a square lattice, where every Voronoi cell is a 1 km square. */
class CalibrationTest {

    static final double X0 = 600_000, Y0 = 6_800_000, STEP = 1_000;

    static List<SynthSite> lattice() {
        List<SynthSite> s = new ArrayList<>();
        for (int k = 0; k < 49; k++)
            s.add(new SynthSite(
                    k,
                    "s" + k,
                    X0 + (k % 7) * STEP,
                    Y0 + (k / 7) * STEP,
                    Env.URBAN,
                    "c",
                    k == 24,
                    PathLossModel.UMA,
                    25,
                    6,
                    15,
                    0,
                    50,
                    new double[] {0}));
        return s;
    }

    /** Uniform mass on the pixels whose centres lie within {@code half} metres (both axes) of site 24. */
    static float[] square(GridSpec g, double half) {
        double cx = X0 + 3 * STEP, cy = Y0 + 3 * STEP;
        float[] m = new float[Math.toIntExact(g.pixels())];
        int n = 0;
        for (int r = 0; r < g.height(); r++)
            for (int c = 0; c < g.width(); c++)
                if (Math.abs(g.centreX(c) - cx) < half && Math.abs(g.centreY(r) - cy) < half) {
                    m[r * g.width() + c] = 1;
                    n++;
                }
        for (int i = 0; i < m.length; i++) m[i] /= n;
        return m;
    }

    @Test
    void truthEqualToTheCellAndTwiceItsSize() throws Exception {
        List<SynthSite> sites = lattice();
        GridSpec g = GridSpec.window(X0 + 3 * STEP, Y0 + 3 * STEP, 60, 100);
        try (Calibration cal = new Calibration(sites, 1)) {
            cal.write("s24", g, MemorySegment.ofArray(square(g, 500)), 0);
            Calibration.Report r = cal.report();
            assertEquals(1, r.count().get("urban"));
            assertEquals(0.0, r.voronoi().get("urban"), 1e-6); // the truth is the Voronoi map
            assertEquals(1.0, r.massInCell().get("urban"), 1e-6);
            assertEquals(0.0, r.centroidOffset().get("urban"), 1e-6);
            double[] s = r.scales().get("urban");
            for (int t = 0; t < Calibration.TAUS.length; t++) // uniform square about its centre: s_tau = sqrt(tau)
            assertEquals(Math.sqrt(Calibration.TAUS[t]), s[t], 0.1, "tau " + Calibration.TAUS[t]);
        }
        try (Calibration cal = new Calibration(sites, 1)) {
            cal.write("s24", g, MemorySegment.ofArray(square(g, 1000)), 0);
            Calibration.Report r = cal.report();
            assertEquals(0.25, r.massInCell().get("all"), 1e-6);
            assertTrue(r.voronoi().get("all") > 0.3);
            double[] s = r.scales().get("all");
            for (int t = 0; t < Calibration.TAUS.length; t++) // a square twice the cell's side: s_tau = 2 sqrt(tau)
            assertEquals(2 * Math.sqrt(Calibration.TAUS[t]), s[t], 0.15, "tau " + Calibration.TAUS[t]);
            assertTrue(r.toString().contains("published VoronoiBoost"), r.toString());
        }
    }
}
