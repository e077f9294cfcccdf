package org.geomend.synth;

import java.util.SplittableRandom;

/**
 * Spatially correlated unit-variance Gaussian fields on a raster, for log-normal shadowing with the
 * exponential correlation of Gudmundson (1991), {@code R(d) = exp(-d / d_corr)}.
 *
 * <p>Method (FFT-free, O(pixels)): white N(0,1) noise is filtered by a first-order autoregressive
 * recursion along each row, {@code x[c] = rho x[c-1] + sqrt(1 - rho^2) w[c]} with
 * {@code rho = exp(-r / d_corr)} ({@code r} the pixel side) and a stationary start {@code x[0] = w[0]},
 * then by the same recursion down each column. The result is stationary with unit variance and
 * covariance {@code rho^|dc| rho^|dr| = exp(-(|dx| + |dy|) / d_corr)}: exactly Gudmundson's model along
 * the raster axes, and a separable (L1-distance) approximation of it off the axes (a known, documented
 * simplification; it decorrelates slightly faster along diagonals). With {@code d_corr} below the pixel
 * side (e.g. 38.901 UMi, 13 m at r = 100 m) the field is practically white at pixel scale, as it should be.
 */
public final class ShadowField {

    private ShadowField() {}

    /** The AR(1) coefficient for decorrelation distance {@code dcorr} on pixels of side {@code r}. */
    public static double rho(double dcorr, double r) {
        return dcorr <= 0 ? 0.0 : Math.exp(-r / dcorr);
    }

    /** A {@code width x height} unit-variance field, row-major, row 0 south. */
    public static float[] generate(int width, int height, double rho, SplittableRandom rnd) {
        float[] f = new float[width * height];
        double s = Math.sqrt(1 - rho * rho);
        for (int r = 0; r < height; r++) {
            int o = r * width;
            double x = rnd.nextGaussian();
            f[o] = (float) x;
            for (int c = 1; c < width; c++) {
                x = rho * x + s * rnd.nextGaussian();
                f[o + c] = (float) x;
            }
        }
        for (int r = 1; r < height; r++) {
            int o = r * width, p = o - width;
            for (int c = 0; c < width; c++) f[o + c] = (float) (rho * f[p + c] + s * f[o + c]);
        }
        return f;
    }
}
