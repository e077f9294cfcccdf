package org.geomend.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.geomend.geo.Crs;
import org.geomend.kernels.GridSpec;

/**
 * One float32 GeoTIFF per base station, {@code <dir>/<stem>.tif} (stem: {@link FileNames#stem}),
 * encoded by {@link GeoTiffRaster}: classic little-endian TIFF, uncompressed strips of about 64 KiB, one band,
 * {@code SampleFormat} IEEE float, north-up (file row 0 = the window's north edge), georeferenced by
 * {@code ModelPixelScaleTag} {@code (r, r, 0)}, {@code ModelTiepointTag} {@code (0, 0, 0, x0, y0 + H r, 0)}
 * and the geo keys of {@link GeoKeys} (PixelIsArea). The caller's metadata goes into the
 * {@code GDAL_METADATA} tag (42112) as dataset items. Each file is written as {@code <file>.partial} and
 * renamed; {@code index.csv} ({@link MapIndex}) is written at {@link #commit()}.
 */
public final class GeoTiffMapSink implements MapSink {

    private final MapDirectory dir;
    private final Crs crs;
    private final GeoKeys keys;
    private final Map<String, String> metadata;

    public GeoTiffMapSink(Path outDir, Crs crs, boolean resume, Map<String, String> metadata) throws IOException {
        this.crs = Objects.requireNonNull(crs, "crs");
        this.keys = GeoKeys.of(crs);
        this.metadata = metadata == null ? Map.of() : new LinkedHashMap<>(metadata);
        this.dir = new MapDirectory(outDir, ".tif", resume);
    }

    /** The file the map of {@code id} goes to. */
    public Path file(String id) {
        return dir.file(id);
    }

    @Override
    public boolean exists(String id) {
        return dir.exists(id);
    }

    @Override
    public void write(String id, GridSpec grid, MemorySegment values, long offsetElements) throws IOException {
        int w = grid.width(), h = grid.height();
        // file row k = window row h-1-k (north first)
        byte[] file = GeoTiffRaster.encodeFloat32(
                grid,
                keys,
                metadata,
                (k, dst, off) -> MemorySegment.copy(
                        values,
                        ValueLayout.JAVA_FLOAT_UNALIGNED,
                        4 * (offsetElements + (long) (h - 1 - k) * w),
                        dst,
                        off,
                        w));
        dir.publish(id, grid, crs.name(), ByteBuffer.wrap(file));
    }

    @Override
    public void commit() throws IOException {
        dir.commit(Map.of());
    }

    @Override
    public long bytesWritten() {
        return dir.bytesWritten();
    }

    @Override
    public void close() throws IOException {
        dir.close();
    }
}
