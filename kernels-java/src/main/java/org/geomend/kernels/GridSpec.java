package org.geomend.kernels;

/**
 * A raster in a projected CRS: lower-left corner {@code (x0, y0)} in metres, square pixels of side
 * {@code resolution} metres, {@code width} columns and {@code height} rows. Row 0 is the south edge
 * (SPEC section 1); pixel (row j, col c) covers {@code [x0 + c r, x0 + (c+1) r) x [y0 + j r, y0 + (j+1) r)}.
 */
public record GridSpec(double x0, double y0, double resolution, int width, int height) {

    public GridSpec {
        if (!(resolution > 0) || width <= 0 || height <= 0)
            throw new IllegalArgumentException("bad grid: r=" + resolution + " " + width + "x" + height);
    }

    /**
     * The SPEC's BS window: {@code x0 = floor((x - W r / 2) / r) r}, likewise {@code y0}, so every window
     * lies on the global lattice of multiples of {@code r}.
     */
    public static GridSpec window(double x, double y, int size, double resolution) {
        return new GridSpec(
                latticeIndex(x - size * resolution / 2, resolution) * resolution,
                latticeIndex(y - size * resolution / 2, resolution) * resolution,
                resolution,
                size,
                size);
    }

    /** Index of the lattice cell holding coordinate {@code v}: {@code floor(v / r)}. */
    public static long latticeIndex(double v, double resolution) {
        return (long) Math.floor(v / resolution);
    }

    public long pixels() {
        return (long) width * height;
    }

    public double centreX(int col) {
        return x0 + (col + 0.5) * resolution;
    }

    public double centreY(int row) {
        return y0 + (row + 0.5) * resolution;
    }

    /** Column of this grid's pixel 0 on the global lattice of multiples of the resolution. */
    public long latticeCol() {
        return Math.round(x0 / resolution);
    }

    public long latticeRow() {
        return Math.round(y0 / resolution);
    }

    /** Column offset of {@code inner}'s first pixel inside this grid (same resolution, lattice-aligned). */
    public int colOffsetOf(GridSpec inner) {
        return Math.toIntExact(inner.latticeCol() - latticeCol());
    }

    public int rowOffsetOf(GridSpec inner) {
        return Math.toIntExact(inner.latticeRow() - latticeRow());
    }

    /** True when {@code inner} lies entirely within this grid, on the same lattice. */
    public boolean contains(GridSpec inner) {
        if (inner.resolution != resolution) return false;
        long c = inner.latticeCol() - latticeCol(), r = inner.latticeRow() - latticeRow();
        return c >= 0 && r >= 0 && c + inner.width <= width && r + inner.height <= height;
    }
}
