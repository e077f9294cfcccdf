package org.geomend.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.geomend.geo.Crs;
import org.geomend.kernels.GridSpec;

/**
 * One float32 GeoTIFF per base station, {@code <dir>/<stem>.tif} (stem: {@link FileNames#stem}),
 * written by hand: classic little-endian TIFF, uncompressed strips of about 64 KiB, one band,
 * {@code SampleFormat} IEEE float, north-up (file row 0 = the window's north edge), georeferenced by
 * {@code ModelPixelScaleTag} {@code (r, r, 0)}, {@code ModelTiepointTag} {@code (0, 0, 0, x0, y0 + H r, 0)}
 * and the geo keys of {@link GeoKeys} (PixelIsArea). The caller's metadata goes into the
 * {@code GDAL_METADATA} tag (42112) as dataset items. Each file is written as {@code <file>.tmp} and
 * renamed; {@code index.csv} ({@link MapIndex}) is written at {@link #commit()}.
 */
public final class GeoTiffMapSink implements MapSink {

    static final int IMAGE_WIDTH = 256, IMAGE_LENGTH = 257, BITS_PER_SAMPLE = 258, COMPRESSION = 259,
            PHOTOMETRIC = 262, STRIP_OFFSETS = 273, SAMPLES_PER_PIXEL = 277, ROWS_PER_STRIP = 278,
            STRIP_BYTE_COUNTS = 279, PLANAR_CONFIG = 284, SAMPLE_FORMAT = 339, MODEL_PIXEL_SCALE = 33550,
            MODEL_TIEPOINT = 33922, GEO_KEY_DIRECTORY = 34735, GEO_DOUBLE_PARAMS = 34736, GEO_ASCII_PARAMS = 34737,
            GDAL_METADATA = 42112;
    static final short ASCII = 2, SHORT = 3, LONG = 4, DOUBLE = 12;
    static final int STRIP_BYTES = 64 << 10;
    private static final ValueLayout.OfFloat F32LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MapDirectory dir;
    private final Crs crs;
    private final GeoKeys keys;
    private final String gdalMetadata;

    public GeoTiffMapSink(Path outDir, Crs crs, boolean resume, Map<String, String> metadata) throws IOException {
        this.crs = Objects.requireNonNull(crs, "crs");
        this.keys = GeoKeys.of(crs);
        this.gdalMetadata = gdalMetadataXml(metadata == null ? Map.of() : new LinkedHashMap<>(metadata));
        this.dir = new MapDirectory(outDir, ".tif", resume);
    }

    /** The file the map of {@code id} goes to. */
    public Path file(String id) { return dir.file(id); }

    @Override public boolean exists(String id) { return dir.exists(id); }

    @Override public void write(String id, GridSpec grid, MemorySegment values, long offsetElements) throws IOException {
        dir.publish(id, grid, crs.name(), ByteBuffer.wrap(encode(grid, values, offsetElements, keys, gdalMetadata)));
    }

    @Override public void commit() throws IOException { dir.commit(Map.of()); }

    @Override public long bytesWritten() { return dir.bytesWritten(); }

    @Override public void close() throws IOException { dir.close(); }

    static String gdalMetadataXml(Map<String, String> metadata) {
        if (metadata.isEmpty()) return null;
        StringBuilder sb = new StringBuilder("<GDALMetadata>\n");
        for (Map.Entry<String, String> e : metadata.entrySet())
            sb.append("  <Item name=\"").append(xml(e.getKey())).append("\">").append(xml(e.getValue())).append("</Item>\n");
        return sb.append("</GDALMetadata>").toString();
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private record Tag(int id, short type, int count, ByteBuffer payload) {}

    private static ByteBuffer le(int bytes) { return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN); }

    private static Tag shorts(int id, int... v) {
        ByteBuffer b = le(2 * v.length);
        for (int x : v) b.putShort((short) x);
        return new Tag(id, SHORT, v.length, b.flip());
    }

    private static Tag longs(int id, long... v) {
        ByteBuffer b = le(4 * v.length);
        for (long x : v) b.putInt((int) x);
        return new Tag(id, LONG, v.length, b.flip());
    }

    private static Tag doubles(int id, double... v) {
        ByteBuffer b = le(8 * v.length);
        for (double x : v) b.putDouble(x);
        return new Tag(id, DOUBLE, v.length, b.flip());
    }

    private static Tag ascii(int id, String s) {
        byte[] a = (s + "\0").getBytes(StandardCharsets.ISO_8859_1);
        return new Tag(id, ASCII, a.length, ByteBuffer.wrap(a));
    }

    /** The whole file: header, IFD, out-of-line tag values, then the strips (north row first). */
    static byte[] encode(GridSpec g, MemorySegment values, long offsetElements, GeoKeys keys, String gdalMetadata) {
        int w = g.width(), h = g.height();
        long rowBytes = 4L * w;
        int rowsPerStrip = (int) Math.max(1, Math.min(h, STRIP_BYTES / rowBytes));
        int strips = (h + rowsPerStrip - 1) / rowsPerStrip;
        long[] counts = new long[strips];
        for (int s = 0; s < strips; s++) counts[s] = Math.min(rowsPerStrip, h - (long) s * rowsPerStrip) * rowBytes;

        // geo keys: SHORT values inline, doubles into GeoDoubleParams, strings into GeoAsciiParams
        List<Integer> dirShorts = new ArrayList<>(List.of(1, 1, 0, keys.keys.size()));
        List<Double> dbl = new ArrayList<>();
        StringBuilder asc = new StringBuilder();
        for (Map.Entry<Integer, Object> e : keys.keys.entrySet()) {
            switch (e.getValue()) {
                case Integer i -> dirShorts.addAll(List.of(e.getKey(), 0, 1, i));
                case Double d -> { dirShorts.addAll(List.of(e.getKey(), GEO_DOUBLE_PARAMS, 1, dbl.size())); dbl.add(d); }
                case String s -> {
                    String t = s.replace('|', '/') + "|";
                    dirShorts.addAll(List.of(e.getKey(), GEO_ASCII_PARAMS, t.length(), asc.length()));
                    asc.append(t);
                }
                default -> throw new IllegalStateException("geo key value " + e.getValue());
            }
        }
        List<Tag> tags = new ArrayList<>();
        tags.add(longs(IMAGE_WIDTH, w));
        tags.add(longs(IMAGE_LENGTH, h));
        tags.add(shorts(BITS_PER_SAMPLE, 32));
        tags.add(shorts(COMPRESSION, 1));
        tags.add(shorts(PHOTOMETRIC, 1));
        Tag offsets = longs(STRIP_OFFSETS, new long[strips]);
        tags.add(offsets);
        tags.add(shorts(SAMPLES_PER_PIXEL, 1));
        tags.add(longs(ROWS_PER_STRIP, rowsPerStrip));
        tags.add(longs(STRIP_BYTE_COUNTS, counts));
        tags.add(shorts(PLANAR_CONFIG, 1));
        tags.add(shorts(SAMPLE_FORMAT, 3));
        double r = g.resolution();
        tags.add(doubles(MODEL_PIXEL_SCALE, r, r, 0));
        tags.add(doubles(MODEL_TIEPOINT, 0, 0, 0, g.x0(), g.y0() + h * r, 0));
        tags.add(shorts(GEO_KEY_DIRECTORY, dirShorts.stream().mapToInt(Integer::intValue).toArray()));
        if (!dbl.isEmpty()) tags.add(doubles(GEO_DOUBLE_PARAMS, dbl.stream().mapToDouble(Double::doubleValue).toArray()));
        if (!asc.isEmpty()) tags.add(ascii(GEO_ASCII_PARAMS, asc.toString()));
        if (gdalMetadata != null) tags.add(ascii(GDAL_METADATA, gdalMetadata));

        long ifdSize = 2 + 12L * tags.size() + 4;
        long extra = 0;
        for (Tag t : tags) if (t.payload.remaining() > 4) extra += (t.payload.remaining() + 3) & ~3;
        long dataStart = 8 + ifdSize + extra;
        long total = dataStart + 4L * g.pixels();
        if (total > 0xFFFF_FFFFL) throw new IllegalArgumentException("map too large for a classic TIFF");
        ByteBuffer off = offsets.payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int s = 0; s < strips; s++) off.putInt(4 * s, (int) (dataStart + (long) s * rowsPerStrip * rowBytes));

        byte[] file = new byte[(int) total];
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        b.putShort((short) tags.size());
        long ext = 8 + ifdSize;
        for (Tag t : tags) {
            b.putShort((short) t.id).putShort(t.type).putInt(t.count);
            ByteBuffer p = t.payload.duplicate();
            if (p.remaining() <= 4) {
                int at = b.position();
                b.put(p);
                b.position(at + 4);
            } else {
                b.putInt((int) ext);
                b.put((int) ext, p, 0, p.remaining());
                ext += (p.remaining() + 3) & ~3;
            }
        }
        b.putInt(0);                                   // no next IFD
        MemorySegment dst = MemorySegment.ofArray(file);
        for (int k = 0; k < h; k++) {                  // file row k = window row h-1-k (north first)
            long src = 4 * (offsetElements + (long) (h - 1 - k) * w);
            MemorySegment.copy(values, ValueLayout.JAVA_FLOAT_UNALIGNED, src, dst, F32LE, dataStart + k * rowBytes, w);
        }
        return file;
    }
}
