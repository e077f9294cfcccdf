package org.geomend.kernels;

/**
 * For every pixel centre of {@code grid}, the indices of its {@code kk} nearest sites, nearest first,
 * ties to the lower inventory index, -1 where the inventory has fewer than {@code kk} sites. Layout:
 * {@code idx[(row * width + col) * kk + n]} (INT32), row 0 south.
 *
 * <p>The neighbour sets of a pixel do not depend on which site's map is drawn, so one raster over a
 * tile serves every map whose window lies inside it: with {@code kk = k + 1} the sPDI neighbour set
 * "the k nearest other than i" is the raster's list with i skipped.
 */
public record KnnRaster(GridSpec grid, int kk, GridBuffer idx) implements AutoCloseable {

    public KnnRaster {
        if (kk < 1 || kk > 9) throw new IllegalArgumentException("kk must be in [1, 9]: " + kk);
        if (idx.type() != GridBuffer.Type.INT32 || idx.elements() < grid.pixels() * kk)
            throw new IllegalArgumentException("knn buffer too small or not INT32");
    }

    public int get(int row, int col, int n) {
        return idx.getInt(((long) row * grid.width() + col) * kk + n);
    }

    @Override
    public void close() {
        idx.close();
    }
}
