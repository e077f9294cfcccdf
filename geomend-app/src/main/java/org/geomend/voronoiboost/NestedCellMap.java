package org.geomend.voronoiboost;

import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;

/**
 * Draws a VoronoiBoost map (SPEC section 2) on a window: with kept masses tau_1 < ... < tau_m and scales
 * s_1 < ... < s_m, annulus k (pixel centres inside the cell scaled by s_k but not inside the one scaled by
 * s_{k-1}; annulus 1 is the whole cell scaled by s_1) holds mass tau_k - tau_{k-1} (tau_0 = 0), spread uniformly
 * over its pixels; then the map is renormalised to 1. So the mass 1 - tau_m beyond the largest cell is not put
 * outside it: renormalisation spreads it over the annuli in proportion to their masses (the SPEC's rule; the
 * published code leaves it undefined). Only the part of each annulus inside the window (and the region mask, when
 * given) counts; an annulus without any pixel centre there loses its mass to the renormalisation.
 *
 * <p>Java only (CUDA would gain little: one gauge evaluation of about 6 edges per pixel of the largest cell's
 * bounding box).
 */
public final class NestedCellMap {

    private NestedCellMap() {}

    /**
     * Draws into {@code dst} at element offset {@code offset} ({@code window.pixels()} float32 values, row-major
     * from the south-west pixel), normalised to sum 1.
     *
     * @param scales strictly ascending scales, one per kept tau
     * @param taus   strictly ascending masses in (0, 1]
     * @param mask   UINT8 region mask on {@code window} (1 inside), or null
     * @return the mass placed before normalisation (0: no annulus holds a pixel centre; the map is then all 0)
     */
    public static double draw(
            ScaledCell cell,
            double[] scales,
            double[] taus,
            GridSpec window,
            GridBuffer mask,
            GridBuffer dst,
            long offset) {
        int m = scales.length;
        if (m == 0 || taus.length != m)
            throw new IllegalArgumentException(
                    "need one scale per tau, at least one: " + m + " scales, " + taus.length + " taus");
        for (int k = 0; k < m; k++) {
            if (!(scales[k] > 0) || (k > 0 && !(scales[k] > scales[k - 1])))
                throw new IllegalArgumentException(
                        "scales must be positive and strictly ascending: " + java.util.Arrays.toString(scales));
            if (!(taus[k] > 0 && taus[k] <= 1) || (k > 0 && !(taus[k] > taus[k - 1])))
                throw new IllegalArgumentException(
                        "taus must be in (0, 1] and strictly ascending: " + java.util.Arrays.toString(taus));
        }
        int w = window.width(), h = window.height();
        double r = window.resolution();
        dst.segment().asSlice(offset * 4, window.pixels() * 4).fill((byte) 0);
        // pixels whose centre may lie inside the largest cell
        double[] bb = cell.bounds(scales[m - 1]);
        int c0 = Math.max(0, (int) Math.floor((bb[0] - window.x0()) / r - 0.5)),
                c1 = Math.min(w - 1, (int) Math.ceil((bb[2] - window.x0()) / r - 0.5));
        int r0 = Math.max(0, (int) Math.floor((bb[1] - window.y0()) / r - 0.5)),
                r1 = Math.min(h - 1, (int) Math.ceil((bb[3] - window.y0()) / r - 0.5));
        if (c0 > c1 || r0 > r1) return 0;
        long[] count = new long[m];
        for (int row = r0; row <= r1; row++) {
            double y = window.centreY(row);
            for (int c = c0; c <= c1; c++) {
                long p = (long) row * w + c;
                if (mask != null && mask.getByte(p) == 0) continue;
                int k = annulus(cell.gauge(window.centreX(c), y), scales);
                if (k < m) count[k]++;
            }
        }
        double[] value = new double[m];
        double mass = 0;
        for (int k = 0; k < m; k++) {
            if (count[k] == 0) continue;
            double share = taus[k] - (k == 0 ? 0 : taus[k - 1]);
            mass += share;
            value[k] = share / count[k];
        }
        if (!(mass > 0)) return 0;
        for (int k = 0; k < m; k++) value[k] /= mass;
        for (int row = r0; row <= r1; row++) {
            double y = window.centreY(row);
            for (int c = c0; c <= c1; c++) {
                long p = (long) row * w + c;
                if (mask != null && mask.getByte(p) == 0) continue;
                int k = annulus(cell.gauge(window.centreX(c), y), scales);
                if (k < m) dst.setFloat(offset + p, (float) value[k]);
            }
        }
        return mass;
    }

    /** The first k with g <= scales[k], or scales.length when none. */
    static int annulus(double g, double[] scales) {
        for (int k = 0; k < scales.length; k++) if (g <= scales[k]) return k;
        return scales.length;
    }
}
