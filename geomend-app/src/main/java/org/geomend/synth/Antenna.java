package org.geomend.synth;

/**
 * A 3GPP sector antenna pattern; {@link #TR38901} is TR 38.901 v17, Table 7.3-1 (single element pattern):
 * <pre>
 *   A_H(phi)   = -min(12 (phi / phi_3dB)^2, A_max)                 phi_3dB = 65 deg, A_max = 30 dB
 *   A_V(theta) = -min(12 ((theta - theta_tilt) / theta_3dB)^2, SLA_V)  theta_3dB = 65 deg, SLA_V = 30 dB
 *   A(phi, theta) = -min(-(A_H + A_V), A_max),  gain = G_E,max + A,  G_E,max = 8 dBi
 * </pre>
 * Here {@code theta - theta_tilt} is written as (angle below the horizon) - (downtilt), both in degrees.
 */
public record Antenna(double gainDbi, double hpbwH, double hpbwV, double slaV, double aMax) {

    /** The 38.901 Table 7.3-1 values. */
    public static final Antenna TR38901 = new Antenna(8.0, 65.0, 65.0, 30.0, 30.0);

    /**
     * The macro sector antenna of 3GPP TR 36.814 v9 Table A.2.1.1-2 (used by 36.942 / 36.814 system simulations):
     * phi_3dB = 70 deg, A_m = 25 dB, theta_3dB = 10 deg, SLA_V = 20 dB, 14 dBi. Its narrow vertical beam (an array of
     * elements, as deployed) makes the downtilt confine a cell, which the single element of {@link #TR38901} does not.
     */
    public static final Antenna TR36814 = new Antenna(14.0, 70.0, 10.0, 20.0, 25.0);

    /** Relative pattern (dB, <= 0) at horizontal offset {@code phiDeg} from boresight and vertical offset {@code dThetaDeg}. */
    public double relative(double phiDeg, double dThetaDeg) {
        double h = Math.min(12 * (phiDeg / hpbwH) * (phiDeg / hpbwH), aMax);
        double v = Math.min(12 * (dThetaDeg / hpbwV) * (dThetaDeg / hpbwV), slaV);
        return -Math.min(h + v, aMax);
    }

    /** Absolute gain (dBi) towards a point at azimuth offset {@code phiDeg} seen {@code depressionDeg} below the horizon, antenna tilted down by {@code tiltDeg}. */
    public double gain(double phiDeg, double depressionDeg, double tiltDeg) {
        return gainDbi + relative(wrap180(phiDeg), depressionDeg - tiltDeg);
    }

    /** Wraps an angle in degrees to [-180, 180). */
    public static double wrap180(double a) {
        a = (a + 180) % 360;
        if (a < 0) a += 360;
        return a - 180;
    }
}
