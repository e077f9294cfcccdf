package org.geomend.nbl;

import java.util.Locale;
import org.geomend.kernels.nbl.NblOptions;

/**
 * The map-building choices of a coverage map (measured by {@code nbl eval --ablation}; the scoring choices
 * are {@link org.geomend.kernels.nbl.NblOptions}).
 *
 * @param zoom slippy-map zoom of the map's tiles, 16..21
 * @param priorWeight pseudo-samples of {@code sigmaPrior} in each (cell, tile) sigma (0: the sample sigma;
 *     a single sample then has sigma 0, i.e. the floor)
 * @param sigmaPrior the sigma (dB) those pseudo-samples carry
 * @param sdFloor the deviation floor (dB): no stored sigma is smaller
 * @param levels multi-resolution: how many coarser zooms ({@code zoom - 1 .. zoom - levels}) the statistics
 *     back off to; 0: a single-zoom map
 * @param shrink multi-resolution: the parent's weight in pseudo-samples. A (cell, tile) entry with n samples
 *     gets mean {@code (n mu + k mu_parent) / (n + k)} and the parent's spread as k pseudo-samples (Chan's
 *     merge), the parent itself shrunk towards its own parent, recursively; a type a tile never saw (RSSI,
 *     say) takes its parent's statistics
 */
public record MapOptions(int zoom, double priorWeight, double sigmaPrior, double sdFloor, int levels, double shrink)
        implements java.io.Serializable {

    public MapOptions {
        if (zoom < Tiles.MIN_ZOOM || zoom > Tiles.MAX_ZOOM)
            throw new IllegalArgumentException(
                    "zoom must be " + Tiles.MIN_ZOOM + ".." + Tiles.MAX_ZOOM + ", got " + zoom);
        if (!(priorWeight >= 0 && priorWeight <= 1000))
            throw new IllegalArgumentException("sigma prior weight must be in [0, 1000], got " + priorWeight);
        if (!(sigmaPrior > 0 && sigmaPrior <= 100))
            throw new IllegalArgumentException("sigma prior must be in (0, 100] dB, got " + sigmaPrior);
        if (!(sdFloor > 0 && sdFloor <= 100))
            throw new IllegalArgumentException("deviation floor must be in (0, 100] dB, got " + sdFloor);
        if (levels < 0 || zoom - levels < 10)
            throw new IllegalArgumentException(
                    "multi-resolution levels must be 0.." + (zoom - 10) + " at zoom " + zoom + ", got " + levels);
        if (levels > 0 && !(shrink > 0 && shrink <= 1000))
            throw new IllegalArgumentException("back-off weight must be in (0, 1000] samples, got " + shrink);
    }

    /** The map side of the defaults before issue 16: 2 pseudo-samples of 6 dB, floor 1 dB, one zoom. */
    public static MapOptions legacy(int zoom) {
        return new MapOptions(zoom, Moments.PRIOR_WEIGHT, Moments.SIGMA_PRIOR, Moments.SIGMA_MIN, 0, 0);
    }

    /** The map side of the plain recipe of issue 16: the sample sigma floored at 1 dB, one zoom. */
    public static MapOptions plain(int zoom) {
        return new MapOptions(zoom, 0, Moments.SIGMA_PRIOR, 1, 0, 0);
    }

    /** The default zoom of {@code nbl build} (chosen by the grouped ablation of issue 16). */
    public static final int DEFAULT_ZOOM = 21;

    /**
     * The map side of the defaults, chosen by the grouped ablation of issue 16 (round 2, with the Laplace
     * tail of {@link NblOptions#DEFAULT}): the sample sigma floored at 2 dB (no prior), one zoom ({@link
     * #DEFAULT_ZOOM} unless another is asked for).
     */
    public static MapOptions defaults(int zoom) {
        return plain(zoom).withFloor(2);
    }

    public MapOptions withZoom(int z) {
        return new MapOptions(z, priorWeight, sigmaPrior, sdFloor, levels, shrink);
    }

    public MapOptions withPrior(double weight) {
        return new MapOptions(zoom, weight, sigmaPrior, sdFloor, levels, shrink);
    }

    public MapOptions withFloor(double floor) {
        return new MapOptions(zoom, priorWeight, sigmaPrior, floor, levels, shrink);
    }

    public MapOptions withLevels(int l, double k) {
        return new MapOptions(zoom, priorWeight, sigmaPrior, sdFloor, l, k);
    }

    /** Sigma stored for n values with sum of squared deviations m2. */
    double sigma(double n, double m2) {
        return Moments.sigma(n, m2, priorWeight, sigmaPrior, sdFloor);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "zoom=%d prior=%sx%sdB floor=%sdB levels=%d shrink=%s",
                zoom,
                NblOptions.num(priorWeight),
                NblOptions.num(sigmaPrior),
                NblOptions.num(sdFloor),
                levels,
                NblOptions.num(shrink));
    }
}
