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
