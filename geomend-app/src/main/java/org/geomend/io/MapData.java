package org.geomend.io;

import java.util.Objects;
import org.geomend.kernels.GridSpec;

/**
 * One geolocation map read back from a file: the base station's {@code id}, its window {@code grid},
 * the CRS name written with it ({@code null} when the file does not say, e.g. an NPY array without its
 * {@code index.csv}), and {@code values}: {@code grid.height() * grid.width()} float32 values,
 * row-major, row 0 = south (the SPEC's in-memory order).
 */
public record MapData(String id, GridSpec grid, String crs, float[] values) {

    public MapData {
        Objects.requireNonNull(grid, "grid");
        Objects.requireNonNull(values, "values");
        if (values.length != grid.pixels())
            throw new IllegalArgumentException("map " + id + ": " + values.length + " values for a " + grid.width()
                    + "x" + grid.height() + " grid");
    }

    /** Sum of the values in float64. */
    public double mass() {
        double s = 0;
        for (float v : values) s += v;
        return s;
    }
}
