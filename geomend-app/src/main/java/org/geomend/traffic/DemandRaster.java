package org.geomend.traffic;

import java.lang.foreign.MemorySegment;
import org.geomend.kernels.GridSpec;

/**
 * An in-memory demand raster D(l, t) = sum_i value_i(t) P(l|i) on one lattice grid, float64, {@code T} bands of
 * {@code width x height} values (row 0 south, row-major, as {@link GridSpec}), filled map by map through {@link
 * Spread} (the code {@code geomend traffic} spreads with). Each map is weighted by {@code value_i(t) / sum_l P(l|i)},
 * so the raster keeps the total of the sites it was given a map for. Memory: {@code 8 T width height} bytes.
 */
public final class DemandRaster {

    private final GridSpec grid;
    private final double[][] bands;
    private float[] row = new float[0];
    private double mappedTotal;
    private int mapped, unmapped;

    public DemandRaster(GridSpec grid, int times) {
        long n = (long) grid.width() * grid.height();
        if (n > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("demand raster too large: " + grid.width() + " x " + grid.height());
        this.grid = grid;
        this.bands = new double[times][(int) n];
    }

    public GridSpec grid() {
        return grid;
    }

    public int times() {
        return bands.length;
    }

    /** Band {@code t} (the raster's own array: row 0 south). */
    public double[] band(int t) {
        return bands[t];
    }

    /**
     * Adds the map of a site on {@code window} (lattice-aligned, of this grid's resolution, inside it) with the
     * site's values per time step; false (nothing added, counted as unmapped) when the map has no mass.
     */
    public boolean add(GridSpec window, MemorySegment values, long offset, double[] value) {
        if (value.length != bands.length)
            throw new IllegalArgumentException(value.length + " values for " + bands.length + " time steps");
        if (window.resolution() != grid.resolution())
            throw new IllegalArgumentException(
                    "map of resolution " + window.resolution() + " on a grid of " + grid.resolution());
        long col = window.latticeCol() - grid.latticeCol(), row0 = window.latticeRow() - grid.latticeRow();
        if (col < 0 || row0 < 0 || col + window.width() > grid.width() || row0 + window.height() > grid.height())
            throw new IllegalArgumentException("window outside the demand raster");
        double sum = Spread.mass(values, offset, (long) window.width() * window.height());
        if (!Spread.spreadable(sum)) {
            unmapped++;
            return false;
        }
        if (row.length < window.width()) row = new float[window.width()];
        Spread.add(
                values,
                offset,
                window.width(),
                window.height(),
                0,
                window.width(),
                Spread.weights(value, sum),
                bands,
                grid.width(),
                (int) row0,
                1,
                (int) col,
                row);
        for (double v : value) mappedTotal += v;
        mapped++;
        return true;
    }

    /**
     * This raster summed onto the coarser lattice of {@code resolution} metres (an integer multiple of this one's):
     * the coarse grid's edges lie on multiples of {@code resolution} and cover this grid; every band keeps its total,
     * and the mapped / unmapped counts are carried over.
     */
    public DemandRaster coarsen(double resolution) {
        double r = grid.resolution();
        if (!isMultiple(resolution, r))
            throw new IllegalArgumentException(
                    "resolution " + resolution + " m is not an integer multiple of the raster's " + r + " m");
        long f = Math.round(resolution / r);
        if (f == 1) return this;
        long c0 = Math.floorDiv(grid.latticeCol(), f), r0 = Math.floorDiv(grid.latticeRow(), f);
        long c1 = Math.floorDiv(grid.latticeCol() + grid.width() - 1, f),
                r1 = Math.floorDiv(grid.latticeRow() + grid.height() - 1, f);
        GridSpec coarse =
                new GridSpec(c0 * resolution, r0 * resolution, resolution, (int) (c1 - c0 + 1), (int) (r1 - r0 + 1));
        DemandRaster out = new DemandRaster(coarse, bands.length);
        int w = grid.width(), cw = coarse.width();
        int[] colOf = new int[w];
        for (int c = 0; c < w; c++) colOf[c] = (int) (Math.floorDiv(grid.latticeCol() + c, f) - c0);
        for (int j = 0; j < grid.height(); j++) {
            int base = (int) (Math.floorDiv(grid.latticeRow() + j, f) - r0) * cw;
            for (int t = 0; t < bands.length; t++) {
                double[] src = bands[t], dst = out.bands[t];
                for (int c = 0; c < w; c++) dst[base + colOf[c]] += src[j * w + c];
            }
        }
        out.mappedTotal = mappedTotal;
        out.mapped = mapped;
        out.unmapped = unmapped;
        return out;
    }

    /** True when {@code coarse} is a positive integer multiple (1 included) of {@code fine}, both in metres. */
    public static boolean isMultiple(double coarse, double fine) {
        long f = Math.round(coarse / fine);
        return coarse > 0 && f >= 1 && Math.abs(f * fine - coarse) <= 1e-9 * coarse;
    }

    /** Sum over time steps, rounded to float32 (the daily demand, e.g. for edge-site planning). */
    public float[] daily() {
        float[] out = new float[bands[0].length];
        for (int p = 0; p < out.length; p++) {
            double s = 0;
            for (double[] b : bands) s += b[p];
            out[p] = (float) s;
        }
        return out;
    }

    /** The float64 total of band {@code t}. */
    public double total(int t) {
        double s = 0;
        for (double v : bands[t]) s += v;
        return s;
    }

    /** KPI total (all time steps) of the maps added. */
    public double mappedTotal() {
        return mappedTotal;
    }

    public int mappedSites() {
        return mapped;
    }

    /** Maps handed over without mass. */
    public int unmappedSites() {
        return unmapped;
    }
}
