package org.geomend.kernels;

import java.util.Arrays;

/**
 * Projected positions (metres) of the base stations of one inventory, in inventory order. The index of
 * a site in these arrays is the one every kernel uses (ties in distance go to the lower index).
 */
public record SitePositions(double[] x, double[] y) {

    public SitePositions {
        if (x.length != y.length) throw new IllegalArgumentException("x and y differ in length");
        for (int i = 0; i < x.length; i++)
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i]))
                throw new IllegalArgumentException("site " + i + " has a non-finite position");
    }

    public int size() {
        return x.length;
    }

    /** Distance from a point to site {@code j} plus 1 m (SPEC section 1: no distance is 0). */
    public double distancePlus1(double px, double py, int j) {
        double dx = px - x[j], dy = py - y[j];
        return Math.sqrt(dx * dx + dy * dy) + 1.0;
    }

    public double[] bounds() {
        double[] b = {Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (int i = 0; i < x.length; i++) {
            b[0] = Math.min(b[0], x[i]);
            b[1] = Math.min(b[1], y[i]);
            b[2] = Math.max(b[2], x[i]);
            b[3] = Math.max(b[3], y[i]);
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SitePositions s && Arrays.equals(x, s.x) && Arrays.equals(y, s.y);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(x) + Arrays.hashCode(y);
    }

    @Override
    public String toString() {
        return "SitePositions[" + x.length + " sites]";
    }
}
