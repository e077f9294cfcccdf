package org.geomend.synth;

/**
 * The large-scale propagation scenarios of 3GPP TR 38.901 v17.0.0, Table 7.4.1-1 (path loss),
 * Table 7.4.2-1 (LOS probability) and Table 7.5-6 part 1 (shadow-fading standard deviation and
 * decorrelation distance). Distances are in metres, carrier frequency {@code fc} in GHz, heights in
 * metres; path loss is in dB.
 *
 * <ul>
 *   <li>{@link #UMA} urban macro (base station above rooftops, 38.901 default h_BS = 25 m);</li>
 *   <li>{@link #UMI} urban micro, street canyon (below rooftops, default h_BS = 10 m);</li>
 *   <li>{@link #RMA} rural macro (default h_BS = 35 m, average building height h = 5 m,
 *       street width W = 20 m).</li>
 * </ul>
 *
 * <p>Which formula is used: every link has a LOS or NLOS state (drawn per pixel from the LOS
 * probability, see {@link Association}); LOS uses the LOS formula and {@link #sigmaLos}, NLOS uses
 * 38.901's NLOS formula, which is itself {@code max(PL_LOS, PL'_NLOS)}, and {@link #sigmaNlos}. The
 * formulas are applied outside their validity range (beyond 5 km for UMa/UMi and 10 km for RMa) as
 * a plain extrapolation, and 2-D distances below 10 m are raised to 10 m (the lower validity bound).
 */
public enum PathLossModel {

    /** 38.901 UMa: sigma_SF 4 dB LOS / 6 dB NLOS; SF decorrelation 37 m LOS / 50 m NLOS. */
    UMA(4.0, 6.0, 37.0, 50.0),
    /** 38.901 UMi street canyon: sigma_SF 4 dB LOS / 7.82 dB NLOS; SF decorrelation 10 m LOS / 13 m NLOS. */
    UMI(4.0, 7.82, 10.0, 13.0),
    /** 38.901 RMa: sigma_SF 4 dB LOS (6 dB beyond the breakpoint) / 8 dB NLOS; SF decorrelation 37 m LOS / 120 m NLOS. */
    RMA(4.0, 8.0, 37.0, 120.0);

    /** Speed of light used by 38.901's breakpoint distances, m/s. */
    public static final double C = 3.0e8;
    /** RMa average building height h (m) and street width W (m): the 38.901 defaults. */
    public static final double RMA_BUILDING_H = 5.0, RMA_STREET_W = 20.0;

    public final double sigmaLos, sigmaNlos, dcorrLos, dcorrNlos;

    PathLossModel(double sigmaLos, double sigmaNlos, double dcorrLos, double dcorrNlos) {
        this.sigmaLos = sigmaLos;
        this.sigmaNlos = sigmaNlos;
        this.dcorrLos = dcorrLos;
        this.dcorrNlos = dcorrNlos;
    }

    /** LOS path loss (dB) at 2-D distance {@code d2d} for a base station at {@code hBs} and a UE at {@code hUt}. */
    public double los(double d2d, double hBs, double hUt, double fc) {
        d2d = Math.max(d2d, 10.0);
        double dh = hBs - hUt, d3d = Math.sqrt(d2d * d2d + dh * dh), lf = Math.log10(fc);
        switch (this) {
            case UMA -> {
                // h_E = 1 m (the 38.901 value for d2D <= 18 m, used everywhere here)
                double dbp = 4 * (hBs - 1) * (hUt - 1) * fc * 1e9 / C;
                if (d2d <= dbp) return 28.0 + 22 * Math.log10(d3d) + 20 * lf;
                return 28.0 + 40 * Math.log10(d3d) + 20 * lf - 9 * Math.log10(dbp * dbp + dh * dh);
            }
            case UMI -> {
                double dbp = 4 * (hBs - 1) * (hUt - 1) * fc * 1e9 / C;
                if (d2d <= dbp) return 32.4 + 21 * Math.log10(d3d) + 20 * lf;
                return 32.4 + 40 * Math.log10(d3d) + 20 * lf - 9.5 * Math.log10(dbp * dbp + dh * dh);
            }
            default -> {
                double dbp = 2 * Math.PI * hBs * hUt * fc * 1e9 / C;
                if (d2d <= dbp) return rmaPl1(d3d, fc);
                return rmaPl1(dbp, fc) + 40 * Math.log10(d3d / dbp);
            }
        }
    }

    /** 38.901 RMa PL1 with h = 5 m. */
    static double rmaPl1(double d3d, double fc) {
        double h = RMA_BUILDING_H, h172 = Math.pow(h, 1.72);
        return 20 * Math.log10(40 * Math.PI * d3d * fc / 3)
                + Math.min(0.03 * h172, 10) * Math.log10(d3d)
                - Math.min(0.044 * h172, 14.77)
                + 0.002 * Math.log10(h) * d3d;
    }

    /** NLOS path loss (dB): 38.901's {@code max(PL_LOS, PL'_NLOS)}. */
    public double nlos(double d2d, double hBs, double hUt, double fc) {
        double pl = los(d2d, hBs, hUt, fc);
        d2d = Math.max(d2d, 10.0);
        double dh = hBs - hUt, d3d = Math.sqrt(d2d * d2d + dh * dh), lf = Math.log10(fc);
        double p = switch (this) {
            case UMA -> 13.54 + 39.08 * Math.log10(d3d) + 20 * lf - 0.6 * (hUt - 1.5);
            case UMI -> 22.4 + 35.3 * Math.log10(d3d) + 21.3 * lf - 0.3 * (hUt - 1.5);
            case RMA -> {
                double h = RMA_BUILDING_H, w = RMA_STREET_W, lh = Math.log10(hBs);
                double l = Math.log10(11.75 * hUt);
                yield 161.04
                        - 7.1 * Math.log10(w)
                        + 7.5 * Math.log10(h)
                        - (24.37 - 3.7 * (h / hBs) * (h / hBs)) * lh
                        + (43.42 - 3.1 * lh) * (Math.log10(d3d) - 3)
                        + 20 * lf
                        - (3.2 * l * l - 4.97);
            }
        };
        return Math.max(pl, p);
    }

    /** 38.901 Table 7.4.2-1 LOS probability at 2-D distance {@code d2d} (outdoor UE at h_UT <= 13 m). */
    public double losProbability(double d2d) {
        return switch (this) {
            case UMA -> d2d <= 18 ? 1.0 : 18 / d2d + Math.exp(-d2d / 63) * (1 - 18 / d2d);
            case UMI -> d2d <= 18 ? 1.0 : 18 / d2d + Math.exp(-d2d / 36) * (1 - 18 / d2d);
            case RMA -> d2d <= 10 ? 1.0 : Math.exp(-(d2d - 10) / 1000);
        };
    }
}
