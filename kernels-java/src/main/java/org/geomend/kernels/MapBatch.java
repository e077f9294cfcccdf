package org.geomend.kernels;

/**
 * A batch of geolocation maps drawn from one {@link KnnRaster}: map {@code m} belongs to site
 * {@code site[m]}, covers the {@code width x height} window whose first pixel sits at
 * ({@code row0[m]}, {@code col0[m]}) of the raster, and uses attenuation {@code beta[m]} (ignored by
 * Voronoi). {@code maps} holds {@code count * height * width} float32 values, map after map, each row-major
 * from the south-west pixel.
 */
public record MapBatch(
        int count, int width, int height, int[] site, int[] col0, int[] row0, double[] beta, GridBuffer maps) {

    public MapBatch {
        if (site.length < count || col0.length < count || row0.length < count || beta.length < count)
            throw new IllegalArgumentException("batch arrays shorter than count");
        if (maps.type() != GridBuffer.Type.FLOAT32 || maps.elements() < (long) count * width * height)
            throw new IllegalArgumentException("map buffer too small or not FLOAT32");
    }

    public long mapPixels() {
        return (long) width * height;
    }

    public long offset(int m) {
        return m * mapPixels();
    }

    /** Checks that every window lies inside {@code raster}. */
    public void checkInside(GridSpec raster) {
        for (int m = 0; m < count; m++)
            if (col0[m] < 0 || row0[m] < 0 || col0[m] + width > raster.width() || row0[m] + height > raster.height())
                throw new IllegalArgumentException("window of map " + m + " (site " + site[m] + ") leaves the raster");
    }
}
