package org.geomend.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Path loss, antenna, shadowing field and fast-fading association against hand-computed values. */
class SynthPhysicsTest {

    // expected values evaluated by hand (a calculator run of the 38.901 Table 7.4.1-1 formulas):
    // UMa h_BS 25 m, h_UT 1.5 m, fc 2 GHz: d'_BP = 4*24*0.5*2e9/3e8 = 320 m
    @Test
    void umaPathLoss() {
        PathLossModel m = PathLossModel.UMA;
        assertEquals(78.2774, m.los(100, 25, 1.5, 2.0), 1e-3); // PL1
        assertEquals(96.8848, m.los(500, 25, 1.5, 2.0), 1e-3); // PL2
        assertEquals(120.9493, m.los(2000, 25, 1.5, 2.0), 1e-3);
        assertEquals(98.1768, m.nlos(100, 25, 1.5, 2.0), 1e-3);
        assertEquals(125.0551, m.nlos(500, 25, 1.5, 2.0), 1e-3);
        assertEquals(148.5660, m.nlos(2000, 25, 1.5, 2.0), 1e-3);
    }

    // UMi street canyon, h_BS 10 m, fc 3.5 GHz: d'_BP = 4*9*0.5*3.5e9/3e8 = 210 m
    @Test
    void umiPathLoss() {
        PathLossModel m = PathLossModel.UMI;
        assertEquals(79.0896, m.los(50, 10, 1.5, 3.5), 1e-3);
        assertEquals(98.2443, m.los(300, 10, 1.5, 3.5), 1e-3);
        assertEquals(94.1807, m.nlos(50, 10, 1.5, 3.5), 1e-3);
        assertEquals(121.4372, m.nlos(300, 10, 1.5, 3.5), 1e-3);
        assertEquals(139.8892, m.nlos(1000, 10, 1.5, 3.5), 1e-3);
    }

    // RMa, h_BS 35 m, fc 0.8 GHz, h = 5 m, W = 20 m: d_BP = 2 pi 35 1.5 0.8e9/3e8 = 879.6 m
    @Test
    void rmaPathLoss() {
        PathLossModel m = PathLossModel.RMA;
        assertEquals(85.7924, m.los(500, 35, 1.5, 0.8), 1e-3);
        assertEquals(112.6392, m.los(3000, 35, 1.5, 0.8), 1e-3);
        assertEquals(129.6770, m.los(8000, 35, 1.5, 0.8), 1e-3);
        assertEquals(106.0031, m.nlos(500, 35, 1.5, 0.8), 1e-3);
        assertEquals(136.0292, m.nlos(3000, 35, 1.5, 0.8), 1e-3);
        assertEquals(152.4849, m.nlos(8000, 35, 1.5, 0.8), 1e-3);
    }

    @Test
    void losProbabilities() {
        assertEquals(1.0, PathLossModel.UMA.losProbability(10), 0);
        assertEquals(18 / 100.0 + Math.exp(-100 / 63.0) * (1 - 0.18), PathLossModel.UMA.losProbability(100), 1e-12);
        assertEquals(18 / 100.0 + Math.exp(-100 / 36.0) * (1 - 0.18), PathLossModel.UMI.losProbability(100), 1e-12);
        assertEquals(Math.exp(-0.99), PathLossModel.RMA.losProbability(1000), 1e-12);
    }

    @Test
    void antennaPattern() {
        Antenna a = Antenna.TR38901;
        assertEquals(0.0, a.relative(0, 0), 1e-12);
        assertEquals(8.0, a.gain(0, 7, 7), 1e-12); // boresight incl. tilt: G_max
        assertEquals(-3.0, a.relative(32.5, 0), 1e-12); // half the HPBW
        assertEquals(-3.0, a.relative(0, 32.5), 1e-12);
        assertEquals(-30.0, a.relative(180, 0), 1e-12); // back lobe: A_max
        assertEquals(-30.0, a.relative(90, 50), 1e-12); // A_H + A_V capped at A_max
        assertEquals(8.0 - 12 * Math.pow(60 / 65.0, 2), a.gain(300 - 0, 0, 0), 1e-9); // wraps to -60 deg
        assertEquals(-3.0, a.relative(Antenna.wrap180(-32.5 + 360), 0), 1e-9);
    }

    @Test
    void antennaPatternTr36814() {
        Antenna a = Antenna.TR36814;
        assertEquals(14.0, a.gain(0, 8, 8), 1e-12); // boresight incl. tilt
        assertEquals(-3.0, a.relative(35, 0), 1e-12); // half the 70 deg HPBW
        assertEquals(-3.0, a.relative(0, 5), 1e-12); // half the 10 deg vertical beam
        assertEquals(-20.0, a.relative(0, -30), 1e-12); // vertical side-lobe level
        assertEquals(-25.0, a.relative(180, 0), 1e-12); // front-to-back A_m
        assertEquals(-25.0, a.relative(60, 20), 1e-12); // A_H + A_V capped at A_m
        // a 9 deg downtilt seen from the horizon costs 12 (9/10)^2 = 9.72 dB here, 0.23 dB with the 38.901 element
        assertEquals(-9.72, a.relative(0, -9), 1e-9);
        assertEquals(-12 * Math.pow(9 / 65.0, 2), Antenna.TR38901.relative(0, -9), 1e-12);
    }

    /** Unit variance and the Gudmundson correlation rho(d) = exp(-d / d_corr) along the axes. */
    @Test
    void shadowFieldVarianceAndCorrelation() {
        int w = 400, h = 400;
        double dcorr = 300, r = 100, rho = ShadowField.rho(dcorr, r); // 0.7165
        float[] f = ShadowField.generate(w, h, rho, new SplittableRandom(7));
        double m = 0, v = 0;
        for (float x : f) m += x;
        m /= f.length;
        for (float x : f) v += (x - m) * (x - m);
        v /= f.length;
        assertEquals(0.0, m, 0.05);
        assertEquals(1.0, v, 0.06);
        double[] cx = new double[8], cy = new double[8];
        for (int lag = 1; lag < 8; lag++) {
            double sx = 0, sy = 0;
            int nx = 0, ny = 0;
            for (int row = 0; row < h; row++)
                for (int c = 0; c + lag < w; c++) {
                    sx += (f[row * w + c] - m) * (f[row * w + c + lag] - m);
                    nx++;
                }
            for (int row = 0; row + lag < h; row++)
                for (int c = 0; c < w; c++) {
                    sy += (f[row * w + c] - m) * (f[(row + lag) * w + c] - m);
                    ny++;
                }
            cx[lag] = sx / nx / v;
            cy[lag] = sy / ny / v;
        }
        for (int lag = 1; lag <= 3; lag++) {
            assertEquals(Math.pow(rho, lag), cx[lag], 0.04, "row lag " + lag);
            assertEquals(Math.pow(rho, lag), cy[lag], 0.04, "column lag " + lag);
        }
        // correlation length: where the correlation crosses 1/e, by log-linear interpolation
        int k = 1;
        while (cx[k + 1] > Math.exp(-1)) k++;
        double lk = Math.log(cx[k]), lk1 = Math.log(cx[k + 1]);
        double dlen = (k + (-1 - lk) / (lk1 - lk)) * r;
        assertEquals(dcorr, dlen, 0.15 * dcorr);
    }

    @Test
    void whiteFieldWhenDcorrBelowPixel() {
        float[] f = ShadowField.generate(300, 300, ShadowField.rho(13, 100), new SplittableRandom(3));
        double s = 0;
        for (int i = 0; i + 1 < f.length; i++) s += f[i] * f[i + 1];
        assertEquals(0.0, s / f.length, 0.02);
    }

    @Test
    void rayleighWinProbabilities() {
        double[] q = new double[8], sub = new double[256], out = new double[8];
        Association.winProbs(new double[] {3, 1}, 2, out, q, sub);
        assertEquals(0.75, out[0], 1e-12);
        assertEquals(0.25, out[1], 1e-12);
        double[] pw = {1, 1, 1, 1, 1, 1, 1, 1};
        Association.winProbs(pw, 8, out, q, sub);
        for (double o : out) assertEquals(0.125, o, 1e-12);
        // against Monte Carlo for unequal powers
        double[] p = {1, 0.5, 0.3, 2, 0.05, 1.2};
        Association.winProbs(p, 6, out, q, sub);
        SplittableRandom rnd = new SplittableRandom(1);
        int[] win = new int[6];
        int trials = 400_000;
        for (int t = 0; t < trials; t++) {
            int bi = 0;
            double bv = -1;
            for (int j = 0; j < 6; j++) {
                double v = -p[j] * Math.log(1 - rnd.nextDouble());
                if (v > bv) {
                    bv = v;
                    bi = j;
                }
            }
            win[bi]++;
        }
        double tot = 0;
        for (int j = 0; j < 6; j++) {
            assertEquals(win[j] / (double) trials, out[j], 0.004, "sector " + j);
            tot += out[j];
        }
        assertEquals(1.0, tot, 1e-12);
        assertTrue(out[3] > out[5] && out[5] > out[0]);
    }

    @Test
    void envClassificationThresholds() {
        // a 400 m grid (urban), a 1.5 km grid (suburban), a 5 km grid (rural), far apart
        double[] x = new double[27], y = new double[27];
        double[] sp = {400, 1500, 5000};
        for (int g = 0; g < 3; g++)
            for (int k = 0; k < 9; k++) {
                x[g * 9 + k] = g * 1e6 + (k % 3) * sp[g];
                y[g * 9 + k] = (k / 3) * sp[g];
            }
        Env[] e = Layouts.classify(x, y, 3, 800, 2500);
        for (int k = 0; k < 9; k++) {
            assertEquals(Env.URBAN, e[k]);
            assertEquals(Env.SUBURBAN, e[9 + k]);
            assertEquals(Env.RURAL, e[18 + k]);
        }
    }

    @Test
    void logitAssociationMatchesRayleighPlusLocationVariability() {
        // sigma 0: the logit is the exact Rayleigh rule for two sectors
        assertEquals(1.0, Association.logitExponent(0), 1e-12);
        double[] pw = {4, 1}, exact = new double[2], logit = new double[2];
        Association.winProbs(pw, 2, exact, new double[2], new double[4]);
        Association.logitProbs(pw, 2, 1.0, logit);
        assertEquals(exact[0], logit[0], 1e-12);
        // sigma 10 dB: Monte Carlo of Exp(1) fading plus Gaussian dB noise per link against the moment-matched logit
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        double g = Association.logitExponent(10);
        assertTrue(g < 0.5 && g > 0.45, "gamma " + g);
        for (double ratio : new double[] {2, 10, 30}) {
            int wins = 0, n = 200_000;
            for (int k = 0; k < n; k++) {
                double a = 10 * Math.log10(-ratio * Math.log(1 - r.nextDouble())) + 10 * gauss(r);
                double b = 10 * Math.log10(-Math.log(1 - r.nextDouble())) + 10 * gauss(r);
                if (a > b) wins++;
            }
            Association.logitProbs(new double[] {ratio, 1}, 2, g, logit);
            assertEquals((double) wins / n, logit[0], 0.03, "power ratio " + ratio);
        }
    }

    private static double gauss(java.util.SplittableRandom r) {
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
