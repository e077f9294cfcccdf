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
 * @param smooth spatial smoothing: the radius in tiles (1: 3x3, 2: 5x5; 0: none) of the neighbourhood of a
 *     (cell, tile) entry, the same cell's entries on the tiles around it (itself excluded), pooled by
 *     sample counts (mean weighted by counts, the within-tile sums of squares added)
 * @param smoothK spatial smoothing: the neighbourhood's weight in pseudo-samples, merged into the entry as
 *     the multi-resolution back-off merges a parent (so a tile with few samples moves towards its
 *     neighbourhood, one with many hardly); a type the tile never saw takes the neighbourhood's
 * @param pooled the sigma prior of an entry is its cell's deviation pooled over the cell's tiles
 *     ({@code sqrt(sum m2 / sum (n - 1))} per type, before smoothing; {@code sigmaPrior} where the cell has
 *     no degree of freedom), with {@code priorWeight} pseudo-samples
 */
public record MapOptions(
        int zoom,
        double priorWeight,
        double sigmaPrior,
        double sdFloor,
        int levels,
        double shrink,
        int smooth,
        double smoothK,
        boolean pooled)
        implements java.io.Serializable {

    public MapOptions(int zoom, double priorWeight, double sigmaPrior, double sdFloor, int levels, double shrink) {
        this(zoom, priorWeight, sigmaPrior, sdFloor, levels, shrink, 0, 0, false);
    }

    public MapOptions {
        if (smooth < 0 || smooth > 3)
            throw new IllegalArgumentException("smoothing radius must be 0..3 tiles, got " + smooth);
        if (smooth > 0 && !(smoothK > 0 && smoothK <= 1000))
            throw new IllegalArgumentException("smoothing weight must be in (0, 1000] samples, got " + smoothK);
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
        return new MapOptions(z, priorWeight, sigmaPrior, sdFloor, levels, shrink, smooth, smoothK, pooled);
    }

    public MapOptions withPrior(double weight) {
        return new MapOptions(zoom, weight, sigmaPrior, sdFloor, levels, shrink, smooth, smoothK, pooled);
    }

    public MapOptions withFloor(double floor) {
        return new MapOptions(zoom, priorWeight, sigmaPrior, floor, levels, shrink, smooth, smoothK, pooled);
    }

    public MapOptions withLevels(int l, double k) {
        return new MapOptions(zoom, priorWeight, sigmaPrior, sdFloor, l, k, smooth, smoothK, pooled);
    }

    /** Spatial smoothing over the (2 r + 1)^2 tiles around each entry with k pseudo-samples ({@link #smooth}). */
    public MapOptions withSmooth(int r, double k) {
        return new MapOptions(zoom, priorWeight, sigmaPrior, sdFloor, levels, shrink, r, k, pooled);
    }

    /** The per-cell pooled deviation as the sigma prior, with {@code weight} pseudo-samples ({@link #pooled}). */
    public MapOptions withPooled(double weight) {
        return new MapOptions(zoom, weight, sigmaPrior, sdFloor, levels, shrink, smooth, smoothK, weight > 0);
    }

    /** Sigma stored for n values with sum of squared deviations m2 and the prior sigma0 (dB). */
    double sigma(double n, double m2, double sigma0) {
        return Moments.sigma(n, m2, priorWeight, sigma0, sdFloor);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "zoom=%d prior=%sx%s floor=%sdB levels=%d shrink=%s%s",
                zoom,
                NblOptions.num(priorWeight),
                pooled ? "pooled" : NblOptions.num(sigmaPrior) + "dB",
                NblOptions.num(sdFloor),
                levels,
                NblOptions.num(shrink),
                smooth > 0
                        ? " smooth=" + (2 * smooth + 1) + "x" + (2 * smooth + 1) + "^" + NblOptions.num(smoothK)
                        : "");
    }
}
