package org.geomend.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.geomend.geo.Projections;
import org.geomend.kernels.GridSpec;

/**
 * The one GeoTIFF encoder and decoder of geomend: rasters of one or more float32 or int32 bands on a north-up
 * grid, written by hand. {@link GeoTiffMapSink} (one map per file) and {@link GeoTiffMapReader} use it, as do the
 * raster commands ({@code traffic}, {@code population}, {@code plan-edge}).
 *
 * <p><b>Writing</b> ({@link #writer}, {@link #writeFloat32}, {@link #writeInt32}): little-endian TIFF, classic, or
 * BigTIFF when the file may exceed 4 GiB (automatic); strips of {@code rowsPerStrip} rows, uncompressed or DEFLATE
 * (compression 8, zlib); one band: {@code PlanarConfiguration} 1, several: 2 (each band its own strips). The header,
 * the IFD and the tag values come first (strip offsets and byte counts patched at commit), then the strips in the
 * order the caller writes them: a streaming caller writes row strip s of every band before strip s+1, north to
 * south, so memory is one strip per band. Georeferencing: {@code ModelPixelScaleTag (r, r, 0)}, {@code
 * ModelTiepointTag (0, 0, 0, x0, y0 + H r, 0)}, the geo keys of {@link GeoKeys} (PixelIsArea; none but the raster
 * type when the CRS is null). {@code GDAL_METADATA} (42112) holds the dataset items (name to value) and each band's
 * description as {@code <Item name="DESCRIPTION" sample="b" role="description">}; {@code GDAL_NODATA} (42113) the
 * no-data value when given. Files are written to {@code <file>.partial} and renamed at {@link Writer#commit()}; a
 * writer closed without commit deletes its temporary file.
 *
 * <p><b>Reading</b> ({@link #open}, {@link #read}, {@link #readInt32}): classic or BigTIFF of either byte order, the
 * first IFD, strips or tiles, planar 1 or 2, uncompressed or DEFLATE (8 or 32946), no predictor, 32-bit float or
 * signed int samples, georeferenced by pixel scale + tiepoint or a non-rotating {@code ModelTransformationTag}
 * (PixelIsPoint shifted half a pixel). The CRS is {@code EPSG:<code>} of {@code ProjectedCSTypeGeoKey} when it is
 * an EPSG code, else the {@code GTCitationGeoKey} (geomend writes a proj string there), else null. Anything
 * malformed is an {@link InputException} naming the file. In memory, as everywhere in geomend, row 0 is the SOUTH
 * row ({@link GridSpec}); {@link Reader#readRows} and {@link Writer#writeStrip} work in file rows (row 0 = north).
 */
public final class GeoTiffRaster {

    static final int IMAGE_WIDTH = 256,
            IMAGE_LENGTH = 257,
            BITS_PER_SAMPLE = 258,
            COMPRESSION = 259,
            PHOTOMETRIC = 262,
            STRIP_OFFSETS = 273,
            SAMPLES_PER_PIXEL = 277,
            ROWS_PER_STRIP = 278,
            STRIP_BYTE_COUNTS = 279,
            PLANAR_CONFIG = 284,
            PREDICTOR = 317,
            EXTRA_SAMPLES = 338,
            TILE_WIDTH = 322,
            TILE_LENGTH = 323,
            TILE_OFFSETS = 324,
            TILE_BYTE_COUNTS = 325,
            SAMPLE_FORMAT = 339,
            MODEL_PIXEL_SCALE = 33550,
            MODEL_TIEPOINT = 33922,
            MODEL_TRANSFORMATION = 34264,
            GEO_KEY_DIRECTORY = 34735,
            GEO_DOUBLE_PARAMS = 34736,
            GEO_ASCII_PARAMS = 34737,
            GDAL_METADATA = 42112,
            GDAL_NODATA = 42113;
    static final short ASCII = 2, SHORT = 3, LONG = 4, DOUBLE = 12, LONG8 = 16;
    /** Default strip size: about 64 KiB of one band. */
    static final int STRIP_BYTES = 64 << 10;

    private GeoTiffRaster() {}

    /** Sample type of a raster's bands. */
    public enum SampleType {
        FLOAT32,
        INT32
    }

    /**
     * A float raster in memory: {@code bands[b]} holds {@code grid.pixels()} values, row-major, row 0 = south (as
     * {@link MapData}); {@code crs} null when the file has none; one description per band (may be empty strings).
     */
    public record Raster(GridSpec grid, String crs, String[] bandDescriptions, float[][] bands) {
        public Raster {
            Objects.requireNonNull(grid, "grid");
            checkBands(grid, bandDescriptions, bands.length);
            for (float[] b : bands)
                if (b.length != grid.pixels())
                    throw new IllegalArgumentException(
                            "band of " + b.length + " values for a " + grid.width() + "x" + grid.height() + " grid");
        }
    }

    /** An int32 raster in memory (layout as {@link Raster}); {@code noData} null when the file gives none. */
    public record IntRaster(GridSpec grid, String crs, String[] bandDescriptions, int[][] bands, Integer noData) {
        public IntRaster {
            Objects.requireNonNull(grid, "grid");
            checkBands(grid, bandDescriptions, bands.length);
            for (int[] b : bands)
                if (b.length != grid.pixels())
                    throw new IllegalArgumentException(
                            "band of " + b.length + " values for a " + grid.width() + "x" + grid.height() + " grid");
        }
    }

    private static void checkBands(GridSpec grid, String[] desc, int n) {
        if (n < 1) throw new IllegalArgumentException("a raster needs at least one band");
        if (desc != null && desc.length != n)
            throw new IllegalArgumentException(desc.length + " band descriptions for " + n + " bands");
        if (grid.pixels() > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("raster too large to hold in memory: use the streaming reader/writer");
    }

    /**
     * Output options: {@code deflate} compresses every strip or tile (zlib); {@code rowsPerStrip} 0 picks about 64
     * KiB per strip; {@code bigTiff} null decides by the largest size the file may reach (over 4 GiB: BigTIFF);
     * {@code tileWidth, tileLength} > 0 (multiples of 16) write tiles instead of strips ({@link Writer#writeTile}).
     */
    public record Options(boolean deflate, int rowsPerStrip, Boolean bigTiff, int tileWidth, int tileLength) {
        public static final Options DEFAULT = new Options(false, 0, null);

        public Options {
            if (rowsPerStrip < 0) throw new IllegalArgumentException("rowsPerStrip must be >= 0");
            if ((tileWidth > 0) != (tileLength > 0) || tileWidth < 0 || tileWidth % 16 != 0 || tileLength % 16 != 0)
                throw new IllegalArgumentException(
                        "GeoTIFF tiles must be positive multiples of 16: " + tileWidth + " x " + tileLength);
        }

        /** Strips. */
        public Options(boolean deflate, int rowsPerStrip, Boolean bigTiff) {
            this(deflate, rowsPerStrip, bigTiff, 0, 0);
        }

        /** Tiles of {@code tileWidth x tileLength} pixels. */
        public static Options tiled(boolean deflate, int tileWidth, int tileLength) {
            return new Options(deflate, 0, null, tileWidth, tileLength);
        }

        public boolean tiled() {
            return tileWidth > 0;
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes a float32 raster (row 0 = south in {@code bands}) atomically. {@code crs} may be null. */
    public static void writeFloat32(Path file, GridSpec grid, String crs, String[] bandDescriptions, float[][] bands)
            throws IOException {
        writeFloat32(file, grid, crs, bandDescriptions, bands, Map.of(), Options.DEFAULT);
    }

    /** As {@link #writeFloat32(Path, GridSpec, String, String[], float[][])}, with dataset metadata and options. */
    public static void writeFloat32(
            Path file,
            GridSpec grid,
            String crs,
            String[] bandDescriptions,
            float[][] bands,
            Map<String, String> metadata,
            Options options)
            throws IOException {
        new Raster(grid, crs, bandDescriptions, bands); // checks
        try (Writer w =
                writer(file, grid, crs, bandDescriptions, bands.length, SampleType.FLOAT32, null, metadata, options)) {
            float[] strip = new float[w.rowsPerStrip() * grid.width()];
            for (int s = 0; s < w.strips(); s++)
                for (int b = 0; b < bands.length; b++) {
                    int rows = w.rowsInStrip(s);
                    for (int k = 0; k < rows; k++) {
                        int south = grid.height() - 1 - (s * w.rowsPerStrip() + k);
                        System.arraycopy(bands[b], south * grid.width(), strip, k * grid.width(), grid.width());
                    }
                    w.writeStrip(b, s, strip, 0);
                }
            w.commit();
        }
    }

    /** Writes a one-band int32 raster (row 0 = south) with its no-data value, atomically. {@code crs} may be null. */
    public static void writeInt32(Path file, GridSpec grid, String crs, int[] band, int noData) throws IOException {
        writeInt32(file, grid, crs, null, new int[][] {band}, noData, Map.of(), Options.DEFAULT);
    }

    /** Writes an int32 raster of any number of bands, with dataset metadata and options. */
    public static void writeInt32(
            Path file,
            GridSpec grid,
            String crs,
            String[] bandDescriptions,
            int[][] bands,
            Integer noData,
            Map<String, String> metadata,
            Options options)
            throws IOException {
        new IntRaster(grid, crs, bandDescriptions, bands, noData);
        try (Writer w = writer(
                file,
                grid,
                crs,
                bandDescriptions,
                bands.length,
                SampleType.INT32,
                noData == null ? null : noData.toString(),
                metadata,
                options)) {
            int[] strip = new int[w.rowsPerStrip() * grid.width()];
            for (int s = 0; s < w.strips(); s++)
                for (int b = 0; b < bands.length; b++) {
                    int rows = w.rowsInStrip(s);
                    for (int k = 0; k < rows; k++) {
                        int south = grid.height() - 1 - (s * w.rowsPerStrip() + k);
                        System.arraycopy(bands[b], south * grid.width(), strip, k * grid.width(), grid.width());
                    }
                    w.writeStrip(b, s, strip, 0);
                }
            w.commit();
        }
    }

    /**
     * Opens a streaming writer of {@code bands} bands on {@code grid} to {@code file} (through {@code <file>.partial}).
     *
     * @param crs      EPSG code or proj string ({@link Projections#parse}), or null for no CRS
     * @param noData   the GDAL_NODATA value as text, or null
     * @param metadata dataset items for GDAL_METADATA (may be empty)
     */
    public static Writer writer(
            Path file,
            GridSpec grid,
            String crs,
            String[] bandDescriptions,
            int bands,
            SampleType type,
            String noData,
            Map<String, String> metadata,
            Options options)
            throws IOException {
        return writer(file, grid, crs, bandDescriptions, bands, type, noData, metadata, options, false);
    }

    /**
     * As {@link #writer(Path, GridSpec, String, String[], int, SampleType, String, Map, Options)}; with {@code
     * metadataAtCommit} the GDAL_METADATA document is written at {@link Writer#commit()}, after the data, so that
     * items known only at the end can be added with {@link Writer#putMetadata}.
     */
    public static Writer writer(
            Path file,
            GridSpec grid,
            String crs,
            String[] bandDescriptions,
            int bands,
            SampleType type,
            String noData,
            Map<String, String> metadata,
            Options options,
            boolean metadataAtCommit)
            throws IOException {
        checkBands(new GridSpec(0, 0, 1, 1, 1), bandDescriptions, bands);
        GeoKeys keys = crs == null ? null : GeoKeys.of(Projections.parse(crs));
        Path tmp = AtomicFiles.temporary(file);
        FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        try {
            return new Writer(
                    new FileOut(ch, tmp, file),
                    grid,
                    keys,
                    bandDescriptions,
                    bands,
                    type,
                    noData,
                    metadata,
                    options,
                    metadataAtCommit);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** A one-band float32 GeoTIFF in memory (what {@link GeoTiffMapSink} writes per map). */
    static byte[] encodeFloat32(GridSpec grid, GeoKeys keys, Map<String, String> metadata, RowSource rows)
            throws IOException {
        MemOut out = new MemOut();
        try (Writer w =
                new Writer(out, grid, keys, null, 1, SampleType.FLOAT32, null, metadata, Options.DEFAULT, false)) {
            float[] strip = new float[w.rowsPerStrip() * grid.width()];
            for (int s = 0; s < w.strips(); s++) {
                for (int k = 0; k < w.rowsInStrip(s); k++)
                    rows.fileRow(s * w.rowsPerStrip() + k, strip, k * grid.width());
                w.writeStrip(0, s, strip, 0);
            }
            w.commit();
        }
        return out.bytes();
    }

    /** Copies file row {@code row} (0 = north) into {@code dst} at {@code off}. */
    interface RowSource {
        void fileRow(int row, float[] dst, int off);
    }

    /** Where a writer's bytes go: appended in order, with positional patches of what was reserved. */
    private interface Out extends AutoCloseable {
        void append(ByteBuffer b) throws IOException;

        void put(long pos, ByteBuffer b) throws IOException;

        /** Makes the output complete under its final name. */
        void finish() throws IOException;

        /** Drops the output (not committed). */
        @Override
        void close() throws IOException;
    }

    private static final class FileOut implements Out {
        private final FileChannel ch;
        private final Path tmp, target;
        private boolean done;

        FileOut(FileChannel ch, Path tmp, Path target) {
            this.ch = ch;
            this.tmp = tmp;
            this.target = target;
        }

        @Override
        public void append(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) ch.write(b);
        }

        @Override
        public void put(long pos, ByteBuffer b) throws IOException {
            while (b.hasRemaining()) pos += ch.write(b, pos);
        }

        @Override
        public void finish() throws IOException {
            ch.force(true);
            ch.close();
            AtomicFiles.publish(tmp, target);
            done = true;
        }

        @Override
        public void close() throws IOException {
            if (done) return;
            done = true;
            ch.close();
            Files.deleteIfExists(tmp);
        }
    }

    private static final class MemOut implements Out {
        private byte[] buf = new byte[1 << 16];
        private int size;

        private void ensure(long n) {
            if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("map too large for an in-memory GeoTIFF");
            if (n > buf.length)
                buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(n, 2L * buf.length)));
        }

        @Override
        public void append(ByteBuffer b) {
            ensure((long) size + b.remaining());
            int n = b.remaining();
            b.get(buf, size, n);
            size += n;
        }

        @Override
        public void put(long pos, ByteBuffer b) {
            long end = pos + b.remaining();
            ensure(end);
            b.get(buf, (int) pos, b.remaining());
            size = (int) Math.max(size, end);
        }

        @Override
        public void finish() {}

        @Override
        public void close() {}

        byte[] bytes() {
            return Arrays.copyOf(buf, size);
        }
    }

    /** One IFD entry to write: tag, type, count, and its value bytes (little-endian). */
    private record Tag(int id, short type, long count, ByteBuffer payload) {}

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

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
        byte[] a = (s + "\0").getBytes(StandardCharsets.UTF_8);
        return new Tag(id, ASCII, a.length, ByteBuffer.wrap(a));
    }

    /** A placeholder array of {@code n} strip offsets or byte counts: LONG, or LONG8 in BigTIFF. */
    private static Tag offsets(int id, int n, boolean big) {
        return new Tag(id, big ? LONG8 : LONG, n, le((big ? 8 : 4) * n));
    }

    /** The GDAL_METADATA document: dataset items, then one DESCRIPTION item per described band; null when empty. */
    static String gdalMetadataXml(Map<String, String> metadata, String[] bandDescriptions) {
        StringBuilder sb = new StringBuilder("<GDALMetadata>\n");
        boolean any = false;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            sb.append("  <Item name=\"")
                    .append(xml(e.getKey()))
                    .append("\">")
                    .append(xml(e.getValue()))
                    .append("</Item>\n");
            any = true;
        }
        if (bandDescriptions != null)
            for (int b = 0; b < bandDescriptions.length; b++) {
                if (bandDescriptions[b] == null || bandDescriptions[b].isEmpty()) continue;
                sb.append("  <Item name=\"DESCRIPTION\" sample=\"")
                        .append(b)
                        .append("\" role=\"description\">")
                        .append(xml(bandDescriptions[b]))
                        .append("</Item>\n");
                any = true;
            }
        return any ? sb.append("</GDALMetadata>").toString() : null;
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String unxml(String s) {
        return s.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    /**
     * A streaming GeoTIFF writer: {@link #strips()} row strips of {@link #rowsPerStrip()} file rows (north first)
     * per band, or (tiled {@link Options}) {@link #tilesAcross()} x {@link #tilesDown()} tiles per band; every (band,
     * strip) or (band, tile) written once by {@link #writeStrip} or {@link #writeTile}, in any order (the file holds
     * them in the order written), then {@link #commit()}. Not thread-safe.
     */
    public static final class Writer implements AutoCloseable {
        private final Out out;
        private final GridSpec grid;
        private final int bands, rowsPerStrip, strips, chunkW, chunkH, across;
        private final boolean tiled;
        private final SampleType type;
        private final boolean deflate, big;
        private final long offsetsPos, countsPos, metadataEntry;
        private final Map<String, String> metadata;
        private final String[] descriptions;
        private final long[] offsets, counts;
        private long pos, dataBytes;
        private boolean committed, closed;
        private ByteBuffer raw;
        private Deflater deflater;
        private byte[] packed;

        private Writer(
                Out out,
                GridSpec grid,
                GeoKeys keys,
                String[] bandDescriptions,
                int bands,
                SampleType type,
                String noData,
                Map<String, String> metadata,
                Options options,
                boolean metadataAtCommit)
                throws IOException {
            this.out = out;
            this.metadata = metadata == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metadata);
            this.descriptions = bandDescriptions == null ? null : bandDescriptions.clone();
            this.grid = grid;
            this.bands = bands;
            this.type = type;
            this.deflate = options.deflate();
            int w = grid.width(), h = grid.height();
            long rowBytes = 4L * w;
            this.tiled = options.tiled();
            int rps = options.rowsPerStrip() > 0 ? options.rowsPerStrip() : (int) Math.max(1, STRIP_BYTES / rowBytes);
            this.rowsPerStrip = tiled ? options.tileLength() : Math.min(h, rps);
            this.chunkW = tiled ? options.tileWidth() : w;
            this.chunkH = rowsPerStrip;
            if ((long) chunkH * chunkW * 4 > Integer.MAX_VALUE / 2)
                throw new IllegalArgumentException("strip or tile too large: " + chunkH + " rows of " + chunkW);
            this.strips = (h + chunkH - 1) / chunkH;
            this.across = (w + chunkW - 1) / chunkW;
            long nChunks = (long) strips * across * bands;
            if (nChunks > Integer.MAX_VALUE / 8) throw new IllegalArgumentException("too many strips: " + nChunks);
            String gdal = gdalMetadataXml(this.metadata, bandDescriptions);
            long dataMax = 4L * chunkW * chunkH * nChunks;
            if (deflate) dataMax += dataMax / 100 + 64 * nChunks; // zlib's worst-case expansion, generously
            long tagBytes = (gdal == null ? 0 : gdal.length() * 4L) + 16 * nChunks + 4096;
            this.big = options.bigTiff() != null ? options.bigTiff() : dataMax + tagBytes > 0xFFFF_FFFFL - (1 << 20);

            List<Tag> tags = new ArrayList<>();
            tags.add(longs(IMAGE_WIDTH, w));
            tags.add(longs(IMAGE_LENGTH, h));
            int[] bits = new int[bands], fmt = new int[bands];
            Arrays.fill(bits, 32);
            Arrays.fill(fmt, type == SampleType.FLOAT32 ? 3 : 2);
            tags.add(shorts(BITS_PER_SAMPLE, bits));
            tags.add(shorts(COMPRESSION, deflate ? 8 : 1));
            tags.add(shorts(PHOTOMETRIC, 1));
            Tag offTag = offsets(tiled ? TILE_OFFSETS : STRIP_OFFSETS, (int) nChunks, big);
            tags.add(offTag);
            tags.add(shorts(SAMPLES_PER_PIXEL, bands));
            Tag cntTag = offsets(tiled ? TILE_BYTE_COUNTS : STRIP_BYTE_COUNTS, (int) nChunks, big);
            tags.add(cntTag);
            if (tiled) {
                tags.add(longs(TILE_WIDTH, chunkW));
                tags.add(longs(TILE_LENGTH, chunkH));
            } else {
                tags.add(longs(ROWS_PER_STRIP, rowsPerStrip));
            }
            tags.add(shorts(PLANAR_CONFIG, bands > 1 ? 2 : 1));
            if (bands > 1)
                tags.add(shorts(EXTRA_SAMPLES, new int[bands - 1])); // bands past the first: unspecified data
            tags.add(shorts(SAMPLE_FORMAT, fmt));
            double r = grid.resolution();
            tags.add(doubles(MODEL_PIXEL_SCALE, r, r, 0));
            tags.add(doubles(MODEL_TIEPOINT, 0, 0, 0, grid.x0(), grid.y0() + h * r, 0));
            addGeoKeys(tags, keys);
            Tag late = null;
            if (metadataAtCommit)
                tags.add(late = new Tag(GDAL_METADATA, ASCII, big ? 9 : 5, le(big ? 9 : 5))); // patched at commit
            else if (gdal != null) tags.add(ascii(GDAL_METADATA, gdal));
            if (noData != null) tags.add(ascii(GDAL_NODATA, noData));
            tags.sort((a, b) -> Integer.compare(a.id, b.id));

            int entry = big ? 20 : 12, inline = big ? 8 : 4;
            long header = big ? 16 : 8;
            long ifdSize = (big ? 8 : 2) + (long) entry * tags.size() + (big ? 8 : 4);
            long ext = header + ifdSize;
            ByteBuffer head = le((int) header);
            if (big)
                head.put((byte) 'I')
                        .put((byte) 'I')
                        .putShort((short) 43)
                        .putShort((short) 8)
                        .putShort((short) 0)
                        .putLong(header);
            else head.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt((int) header);
            out.append(head.flip());
            ByteBuffer ifd = le((int) ifdSize);
            if (big) ifd.putLong(tags.size());
            else ifd.putShort((short) tags.size());
            List<ByteBuffer> extras = new ArrayList<>();
            long oPos = -1, cPos = -1, mPos = -1;
            for (Tag t : tags) {
                if (t == late) mPos = header + ifd.position();
                ifd.putShort((short) t.id).putShort(t.type);
                if (big) ifd.putLong(t.count);
                else ifd.putInt((int) t.count);
                ByteBuffer p = t.payload.duplicate();
                long valuePos;
                if (p.remaining() <= inline) {
                    valuePos = header + ifd.position();
                    int at = ifd.position();
                    ifd.put(p);
                    ifd.position(at + inline);
                } else {
                    valuePos = ext;
                    if (big) ifd.putLong(ext);
                    else ifd.putInt((int) ext);
                    int padded = (p.remaining() + 7) & ~7;
                    ByteBuffer x = le(padded).put(p);
                    extras.add(x.clear());
                    ext += padded;
                }
                if (t == offTag) oPos = valuePos;
                if (t == cntTag) cPos = valuePos;
            }
            if (big) ifd.putLong(0);
            else ifd.putInt(0);
            out.append(ifd.flip());
            for (ByteBuffer x : extras) out.append(x);
            this.offsetsPos = oPos;
            this.metadataEntry = mPos;
            this.countsPos = cPos;
            this.pos = ext;
            this.offsets = new long[(int) nChunks];
            this.counts = new long[(int) nChunks];
            Arrays.fill(offsets, -1);
            this.raw = le(chunkW * chunkH * 4);
        }

        private static void addGeoKeys(List<Tag> tags, GeoKeys keys) {
            // geo keys: SHORT values inline, doubles into GeoDoubleParams, strings into GeoAsciiParams
            List<Integer> dir = new ArrayList<>(List.of(1, 1, 0, 0));
            List<Double> dbl = new ArrayList<>();
            StringBuilder asc = new StringBuilder();
            Map<Integer, Object> k = keys != null ? keys.keys : Map.of(GeoKeys.GT_RASTER_TYPE, 1);
            for (Map.Entry<Integer, Object> e : new java.util.TreeMap<>(k).entrySet()) {
                switch (e.getValue()) {
                    case Integer i -> dir.addAll(List.of(e.getKey(), 0, 1, i));
                    case Double d -> {
                        dir.addAll(List.of(e.getKey(), GEO_DOUBLE_PARAMS, 1, dbl.size()));
                        dbl.add(d);
                    }
                    case String s -> {
                        String t = s.replace('|', '/') + "|";
                        dir.addAll(List.of(e.getKey(), GEO_ASCII_PARAMS, t.length(), asc.length()));
                        asc.append(t);
                    }
                    default -> throw new IllegalStateException("geo key value " + e.getValue());
                }
            }
            dir.set(3, k.size());
            tags.add(shorts(
                    GEO_KEY_DIRECTORY, dir.stream().mapToInt(Integer::intValue).toArray()));
            if (!dbl.isEmpty())
                tags.add(doubles(
                        GEO_DOUBLE_PARAMS,
                        dbl.stream().mapToDouble(Double::doubleValue).toArray()));
            if (!asc.isEmpty()) tags.add(ascii(GEO_ASCII_PARAMS, asc.toString()));
        }

        public GridSpec grid() {
            return grid;
        }

        public int bands() {
            return bands;
        }

        /** File rows per strip, or per tile (its length) when tiled. */
        public int rowsPerStrip() {
            return rowsPerStrip;
        }

        /** Strips per band, or tile rows per band when tiled. */
        public int strips() {
            return strips;
        }

        /** Tiles per tile row (1 for strips). */
        public int tilesAcross() {
            return across;
        }

        public int tilesDown() {
            return strips;
        }

        public boolean tiled() {
            return tiled;
        }

        public int tileWidth() {
            return chunkW;
        }

        public int tileLength() {
            return chunkH;
        }

        /** File rows in strip {@code s} ({@link #rowsPerStrip()}, fewer in the last). */
        public int rowsInStrip(int s) {
            return Math.min(rowsPerStrip, grid.height() - s * rowsPerStrip);
        }

        /** True when writing BigTIFF. */
        public boolean bigTiff() {
            return big;
        }

        /** Bytes in the file so far. */
        public long bytesWritten() {
            return pos;
        }

        /** Writes strip {@code s} of band {@code band}: {@link #rowsInStrip} file rows (north first) from {@code v[off..]}. */
        public void writeStrip(int band, int s, float[] v, int off) throws IOException {
            if (tiled) throw new IllegalStateException("tiled writer: write tiles");
            writeTile(band, 0, s, v, off);
        }

        /**
         * Writes tile {@code (tx, ty)} of {@code band} (ty = 0 north): {@link #tileLength()} x {@link #tileWidth()}
         * values, rows north first, from {@code v[off..]} (edge tiles too: what lies past the image is padding). On a
         * strip writer, {@code tx} is 0 and {@code ty} the strip ({@link #rowsInStrip} rows).
         */
        public void writeTile(int band, int tx, int ty, float[] v, int off) throws IOException {
            if (type != SampleType.FLOAT32) throw new IllegalStateException("int32 raster: write int[] strips");
            ByteBuffer b = begin(band, tx, ty);
            b.asFloatBuffer().put(v, off, b.limit() / 4);
            finishStrip(band, tx, ty);
        }

        /** Int32 form of {@link #writeStrip(int, int, float[], int)}. */
        public void writeStrip(int band, int s, int[] v, int off) throws IOException {
            if (tiled) throw new IllegalStateException("tiled writer: write tiles");
            writeTile(band, 0, s, v, off);
        }

        /** Int32 form of {@link #writeTile(int, int, int, float[], int)}. */
        public void writeTile(int band, int tx, int ty, int[] v, int off) throws IOException {
            if (type != SampleType.INT32) throw new IllegalStateException("float32 raster: write float[] strips");
            ByteBuffer b = begin(band, tx, ty);
            b.asIntBuffer().put(v, off, b.limit() / 4);
            finishStrip(band, tx, ty);
        }

        private int index(int band, int tx, int ty) {
            return (band * strips + ty) * across + tx;
        }

        private ByteBuffer begin(int band, int tx, int ty) {
            if (committed || closed)
                throw new IllegalStateException("writer already " + (committed ? "committed" : "closed"));
            Objects.checkIndex(band, bands);
            Objects.checkIndex(tx, across);
            Objects.checkIndex(ty, strips);
            if (offsets[index(band, tx, ty)] >= 0)
                throw new IllegalStateException(
                        (tiled ? "tile " + tx + "," : "strip ") + ty + " of band " + band + " written twice");
            raw.clear().limit((tiled ? chunkH : rowsInStrip(ty)) * chunkW * 4);
            return raw;
        }

        private void finishStrip(int band, int tx, int ty) throws IOException {
            int i = index(band, tx, ty);
            int n = raw.limit();
            ByteBuffer data;
            if (deflate) {
                if (deflater == null) {
                    deflater = new Deflater(6);
                    packed = new byte[raw.capacity() + raw.capacity() / 100 + 64];
                }
                deflater.reset();
                deflater.setInput(raw.array(), 0, n);
                deflater.finish();
                int len = 0;
                while (!deflater.finished()) {
                    if (len == packed.length) packed = Arrays.copyOf(packed, packed.length * 2);
                    len += deflater.deflate(packed, len, packed.length - len);
                }
                data = ByteBuffer.wrap(packed, 0, len);
            } else {
                data = ByteBuffer.wrap(raw.array(), 0, n);
            }
            int len = data.remaining();
            out.append(data);
            if (!big && pos + len > 0xFFFF_FFFFL)
                throw new IOException("classic TIFF over 4 GiB: open the writer with bigTiff");
            offsets[i] = pos;
            counts[i] = len;
            pos += len;
            dataBytes += len;
        }

        /** Adds a dataset item to GDAL_METADATA (only on a writer opened with {@code metadataAtCommit}). */
        public void putMetadata(String key, String value) {
            if (metadataEntry < 0)
                throw new IllegalStateException("GDAL_METADATA already written: open the writer with metadataAtCommit");
            metadata.put(key, value);
        }

        /** Patches the strip offsets and byte counts (and writes late metadata) and renames the file to its final name. */
        public void commit() throws IOException {
            if (committed) return;
            if (metadataEntry >= 0) {
                String xml = gdalMetadataXml(metadata, descriptions);
                byte[] a = ((xml == null ? "<GDALMetadata>\n</GDALMetadata>" : xml) + "\0")
                        .getBytes(StandardCharsets.UTF_8);
                long at = pos;
                out.append(ByteBuffer.wrap(a));
                pos += a.length;
                if (!big && pos > 0xFFFF_FFFFL)
                    throw new IOException("classic TIFF over 4 GiB: open the writer with bigTiff");
                ByteBuffer e = le(big ? 16 : 8); // count, then offset, of the GDAL_METADATA entry
                if (big) e.putLong(a.length).putLong(at);
                else e.putInt(a.length).putInt((int) at);
                out.put(metadataEntry + 4, e.flip());
            }
            for (int i = 0; i < offsets.length; i++)
                if (offsets[i] < 0)
                    throw new IllegalStateException((tiled ? "tile " + (i % across) + "," : "strip ")
                            + (i / across % strips) + " of band " + (i / across / strips) + " not written");
            out.put(offsetsPos, encode(offsets));
            out.put(countsPos, encode(counts));
            out.finish();
            committed = true;
            if (deflater != null) deflater.end();
        }

        private ByteBuffer encode(long[] v) {
            ByteBuffer b = le((big ? 8 : 4) * v.length);
            for (long x : v)
                if (big) b.putLong(x);
                else b.putInt((int) x);
            return b.flip();
        }

        /** Without a commit: deletes the temporary file. */
        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            if (deflater != null && !committed) deflater.end();
            out.close();
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads a whole raster, float32 (int32 files are converted to float). */
    public static Raster read(Path file) throws IOException {
        try (Reader r = open(file)) {
            float[][] bands = new float[r.bands()][];
            int w = r.grid().width(), h = r.grid().height();
            for (int b = 0; b < bands.length; b++) {
                float[] north = new float[Math.toIntExact(r.grid().pixels())];
                r.readRows(b, 0, h, north, 0);
                bands[b] = flip(north, w, h);
            }
            return new Raster(r.grid(), r.crs(), r.bandDescriptions(), bands);
        }
    }

    /** Reads a whole int32 raster (a float32 file is refused). */
    public static IntRaster readInt32(Path file) throws IOException {
        try (Reader r = open(file)) {
            if (r.sampleType() != SampleType.INT32) throw new InputException(file, 0, "not an int32 GeoTIFF");
            int[][] bands = new int[r.bands()][];
            int w = r.grid().width(), h = r.grid().height();
            for (int b = 0; b < bands.length; b++) {
                int[] north = new int[Math.toIntExact(r.grid().pixels())];
                r.readRows(b, 0, h, north, 0);
                int[] south = new int[north.length];
                for (int k = 0; k < h; k++) System.arraycopy(north, k * w, south, (h - 1 - k) * w, w);
                bands[b] = south;
            }
            Integer nd = null;
            if (r.noData() != null) {
                try {
                    nd = (int) Double.parseDouble(r.noData());
                } catch (NumberFormatException e) {
                    throw new InputException(file, 0, "GDAL_NODATA is not a number: '" + r.noData() + "'");
                }
            }
            return new IntRaster(r.grid(), r.crs(), r.bandDescriptions(), bands, nd);
        }
    }

    private static float[] flip(float[] north, int w, int h) {
        float[] south = new float[north.length];
        for (int k = 0; k < h; k++) System.arraycopy(north, k * w, south, (h - 1 - k) * w, w);
        return south;
    }

    /** Opens a GeoTIFF for reading rows band by band (the header is checked here). */
    public static Reader open(Path file) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new InputException(file, 0, "no such file");
        }
        try {
            return new Reader(file, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The tags of the first IFD of {@code file}: numbers as double[] (rationals divided), ASCII as String. */
    static Map<Integer, Object> tags(Path file) throws IOException {
        try (Reader r = open(file)) {
            return r.tags;
        }
    }

    /** Geo keys: key id to Integer, Double or String. */
    static Map<Integer, Object> geoKeys(Map<Integer, Object> t) {
        Map<Integer, Object> out = new HashMap<>();
        if (!(t.get(GEO_KEY_DIRECTORY) instanceof double[] d) || d.length < 4) return out;
        double[] dbl = t.get(GEO_DOUBLE_PARAMS) instanceof double[] x ? x : new double[0];
        String asc = t.get(GEO_ASCII_PARAMS) instanceof String s ? s : "";
        for (int i = 0; i < (int) d[3] && 4 + 4 * i + 3 < d.length; i++) {
            int key = (int) d[4 + 4 * i],
                    loc = (int) d[5 + 4 * i],
                    count = (int) d[6 + 4 * i],
                    val = (int) d[7 + 4 * i];
            if (loc == 0) out.put(key, val);
            else if (loc == GEO_DOUBLE_PARAMS && val < dbl.length) out.put(key, dbl[val]);
            else if (loc == GEO_ASCII_PARAMS && val >= 0 && val + count <= asc.length()) {
                String s = asc.substring(val, val + count);
                out.put(key, s.endsWith("|") ? s.substring(0, s.length() - 1) : s);
            }
        }
        return out;
    }

    private static final Pattern ITEM =
            Pattern.compile("<Item\\s+name=\"([^\"]*)\"((?:\\s+\\w+=\"[^\"]*\")*)\\s*>(.*?)</Item>", Pattern.DOTALL);
    private static final Pattern SAMPLE = Pattern.compile("sample=\"(\\d+)\"");

    /**
     * Reads rows of a GeoTIFF band by band; chunks (strips or tiles) are decoded on demand, the last one kept.
     * Not thread-safe.
     */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel ch;
        private final ByteOrder order;
        private final boolean big;
        final Map<Integer, Object> tags;
        private final GridSpec grid;
        private final String crs, noData;
        private final String[] descriptions;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final int bands, compression, chunkW, chunkH, across, down;
        private final boolean planar, tiled;
        private final SampleType type;
        private final long[] offs, counts;
        /** Decoded chunks of the last row of chunks read (one band's strip, or a row of tiles). */
        private final Map<Integer, ByteBuffer> cache = new HashMap<>();

        private int cachedRow = -1;

        private Reader(Path file, FileChannel ch) throws IOException {
            this.file = file;
            this.ch = ch;
            long size = ch.size();
            ByteBuffer h = ByteBuffer.allocate(16);
            readFully(0, h);
            if (size < 8) throw bad("not a TIFF file");
            if (h.get(0) == 'I' && h.get(1) == 'I') order = ByteOrder.LITTLE_ENDIAN;
            else if (h.get(0) == 'M' && h.get(1) == 'M') order = ByteOrder.BIG_ENDIAN;
            else throw bad("not a TIFF file");
            h.order(order);
            int magic = h.getShort(2) & 0xffff;
            if (magic == 43) {
                if (size < 16 || h.getShort(4) != 8) throw bad("bad BigTIFF header");
                big = true;
            } else if (magic == 42) {
                big = false;
            } else throw bad("not a TIFF file");
            long ifd = big ? h.getLong(8) : h.getInt(4) & 0xffffffffL;
            tags = readTags(ifd, size);

            int w = (int) one(IMAGE_WIDTH, -1), hh = (int) one(IMAGE_LENGTH, -1);
            if (w <= 0 || hh <= 0) throw bad("GeoTIFF has no image size");
            bands = (int) one(SAMPLES_PER_PIXEL, 1);
            if (bands < 1) throw bad("SamplesPerPixel " + bands);
            double[] bits = nums(BITS_PER_SAMPLE, new double[] {1});
            double[] fmts = nums(SAMPLE_FORMAT, new double[] {1});
            for (double x : bits)
                if (x != 32) throw bad("only 32-bit samples are supported (BitsPerSample " + (int) x + ")");
            int fmt = (int) fmts[0];
            for (double x : fmts) if (x != fmt) throw bad("bands of different sample formats");
            if (fmt == 3) type = SampleType.FLOAT32;
            else if (fmt == 2) type = SampleType.INT32;
            else throw bad("not float32 or int32 samples (SampleFormat " + fmt + ")");
            compression = (int) one(COMPRESSION, 1);
            if (compression != 1 && compression != 8 && compression != 32946)
                throw bad("compression " + compression + " is not supported (none or DEFLATE)");
            if (one(PREDICTOR, 1) != 1) throw bad("predictor " + (int) one(PREDICTOR, 1) + " is not supported");
            planar = bands > 1 && one(PLANAR_CONFIG, 1) == 2;
            tiled = tags.containsKey(TILE_OFFSETS);
            if (tiled) {
                chunkW = (int) one(TILE_WIDTH, 0);
                chunkH = (int) one(TILE_LENGTH, 0);
                if (chunkW <= 0 || chunkH <= 0) throw bad("tiled GeoTIFF without tile size");
                offs = longs(TILE_OFFSETS, "TileOffsets");
                counts = longs(TILE_BYTE_COUNTS, "TileByteCounts");
            } else {
                chunkW = w;
                chunkH = (int) Math.min(hh, one(ROWS_PER_STRIP, hh));
                if (chunkH <= 0) throw bad("RowsPerStrip " + chunkH);
                offs = longs(STRIP_OFFSETS, "StripOffsets");
                counts = longs(STRIP_BYTE_COUNTS, "StripByteCounts");
            }
            across = (w + chunkW - 1) / chunkW;
            down = (hh + chunkH - 1) / chunkH;
            long expect = (long) across * down * (planar ? bands : 1);
            if (offs.length != expect || counts.length != expect)
                throw bad((tiled ? "tile" : "strip") + " layout does not match the image size");
            if ((long) chunkW * chunkH * (planar ? 1 : bands) * 4 > Integer.MAX_VALUE - 8)
                throw bad("strips or tiles too large");
            for (int i = 0; i < offs.length; i++)
                if (offs[i] < 0 || counts[i] < 0 || offs[i] + counts[i] > size)
                    throw bad((tiled ? "tile " : "strip ") + i + " lies outside the file");

            Map<Integer, Object> keys = geoKeys(tags);
            double r, left, top;
            if (tags.get(MODEL_PIXEL_SCALE) instanceof double[] sc
                    && tags.get(MODEL_TIEPOINT) instanceof double[] tp
                    && sc.length >= 2
                    && tp.length >= 6) {
                if (!(sc[0] > 0) || Math.abs(sc[0] - sc[1]) > 1e-9 * sc[0]) throw bad("pixels are not square");
                r = sc[0];
                left = tp[3] - tp[0] * r;
                top = tp[4] + tp[1] * r;
            } else if (tags.get(MODEL_TRANSFORMATION) instanceof double[] m
                    && m.length >= 16
                    && m[1] == 0
                    && m[4] == 0) {
                if (!(m[0] > 0) || Math.abs(m[0] + m[5]) > 1e-9 * m[0])
                    throw bad("not a north-up raster with square pixels");
                r = m[0];
                left = m[3];
                top = m[7];
            } else throw bad("no georeferencing (pixel scale + tiepoint)");
            if (keys.get(GeoKeys.GT_RASTER_TYPE) instanceof Integer rt && rt == 2) { // PixelIsPoint
                left -= r / 2;
                top += r / 2;
            }
            grid = new GridSpec(left, top - hh * r, r, w, hh);
            crs = keys.get(GeoKeys.PROJECTED_CS_TYPE) instanceof Integer e && e != GeoKeys.USER_DEFINED && e > 0
                    ? "EPSG:" + e
                    : keys.get(GeoKeys.GT_CITATION) instanceof String c && !c.isEmpty() ? c : null;
            noData = tags.get(GDAL_NODATA) instanceof String nd ? nd.strip() : null;
            descriptions = new String[bands];
            Arrays.fill(descriptions, "");
            if (tags.get(GDAL_METADATA) instanceof String xml) {
                Matcher m = ITEM.matcher(xml);
                while (m.find()) {
                    Matcher s = SAMPLE.matcher(m.group(2));
                    if (s.find()) {
                        int b = Integer.parseInt(s.group(1));
                        if (m.group(1).equals("DESCRIPTION") && b < bands) descriptions[b] = unxml(m.group(3));
                    } else {
                        metadata.put(unxml(m.group(1)), unxml(m.group(3)));
                    }
                }
            }
        }

        private InputException bad(String why) {
            return new InputException(file, 0, why);
        }

        private void readFully(long at, ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                int n = ch.read(b, at);
                if (n < 0) break;
                at += n;
            }
            b.flip();
        }

        private Map<Integer, Object> readTags(long ifd, long size) throws IOException {
            int entry = big ? 20 : 12, inline = big ? 8 : 4;
            if (ifd < 8 || ifd + (big ? 8 : 2) > size) throw bad("IFD offset outside the file");
            ByteBuffer c = ByteBuffer.allocate(8).order(order);
            readFully(ifd, c);
            long n = big ? c.getLong(0) : c.getShort(0) & 0xffff;
            if (n > 100_000 || ifd + (big ? 8 : 2) + n * entry > size) throw bad("truncated TIFF (IFD)");
            ByteBuffer e = ByteBuffer.allocate((int) (n * entry)).order(order);
            readFully(ifd + (big ? 8 : 2), e);
            Map<Integer, Object> out = new HashMap<>();
            for (int i = 0; i < n; i++) {
                int p = i * entry;
                int id = e.getShort(p) & 0xffff, type = e.getShort(p + 2) & 0xffff;
                long count = big ? e.getLong(p + 4) : e.getInt(p + 4) & 0xffffffffL;
                int sz = switch (type) {
                    case 1, 2, 6, 7 -> 1;
                    case 3, 8 -> 2;
                    case 4, 9, 11, 13 -> 4;
                    case 5, 10, 12, 16, 17, 18 -> 8;
                    default -> 0;
                };
                if (sz == 0) continue;
                long bytes = count * sz;
                if (count < 0 || bytes > Integer.MAX_VALUE - 8 || bytes > size) throw bad("tag " + id + " is too long");
                ByteBuffer v;
                int vp = p + (big ? 12 : 8);
                if (bytes <= inline) {
                    v = e.slice(vp, (int) bytes).order(order);
                } else {
                    long at = big ? e.getLong(vp) : e.getInt(vp) & 0xffffffffL;
                    if (at < 0 || at + bytes > size) throw bad("tag " + id + " points outside the file");
                    v = ByteBuffer.allocate((int) bytes).order(order);
                    readFully(at, v);
                }
                if (type == 2) {
                    byte[] s = new byte[(int) bytes];
                    v.get(0, s);
                    int len = s.length;
                    while (len > 0 && s[len - 1] == 0) len--;
                    out.put(id, new String(s, 0, len, StandardCharsets.UTF_8));
                    continue;
                }
                double[] d = new double[(int) count];
                for (int k = 0; k < count; k++) {
                    int q = k * sz;
                    d[k] = switch (type) {
                        case 1, 7 -> v.get(q) & 0xff;
                        case 6 -> v.get(q);
                        case 3 -> v.getShort(q) & 0xffff;
                        case 8 -> v.getShort(q);
                        case 4, 13 -> v.getInt(q) & 0xffffffffL;
                        case 9 -> v.getInt(q);
                        case 11 -> v.getFloat(q);
                        case 5 -> (v.getInt(q) & 0xffffffffL) / (double) (v.getInt(q + 4) & 0xffffffffL);
                        case 10 -> v.getInt(q) / (double) v.getInt(q + 4);
                        case 16, 17, 18 -> v.getLong(q);
                        default -> v.getDouble(q);
                    };
                }
                out.put(id, d);
            }
            return out;
        }

        private double one(int tag, double dflt) {
            return tags.get(tag) instanceof double[] v && v.length > 0 ? v[0] : dflt;
        }

        private double[] nums(int tag, double[] dflt) {
            return tags.get(tag) instanceof double[] v && v.length > 0 ? v : dflt;
        }

        private long[] longs(int tag, String name) {
            if (!(tags.get(tag) instanceof double[] v) || v.length == 0) throw bad("GeoTIFF has no " + name + " tag");
            long[] l = new long[v.length];
            for (int i = 0; i < v.length; i++) l[i] = (long) v[i];
            return l;
        }

        public Path file() {
            return file;
        }

        public GridSpec grid() {
            return grid;
        }

        /** {@code EPSG:<code>}, a proj string, or null (no CRS geo keys). */
        public String crs() {
            return crs;
        }

        public int bands() {
            return bands;
        }

        public SampleType sampleType() {
            return type;
        }

        /** One description per band ("" where none). */
        public String[] bandDescriptions() {
            return descriptions.clone();
        }

        /** The dataset items of GDAL_METADATA (name to value). */
        public Map<String, String> metadata() {
            return Map.copyOf(metadata);
        }

        /** The GDAL_NODATA text, or null. */
        public String noData() {
            return noData;
        }

        /** Strip or tile height: read this many rows at a time to decode each chunk once. */
        public int chunkRows() {
            return chunkH;
        }

        /** Decoded chunk {@code index} (planar 2: band-major index), samples in file order. */
        private ByteBuffer chunk(int index) throws IOException {
            int chunkRow = index / across;
            if (chunkRow != cachedRow) {
                cache.clear();
                cachedRow = chunkRow;
            }
            ByteBuffer hit = cache.get(index);
            if (hit != null) return hit;
            int spp = planar ? 1 : bands;
            int need = chunkW * chunkH * spp * 4;
            int rowsHere = tiled ? chunkH : Math.min(chunkH, grid.height() - (index % down) * chunkH);
            int min = tiled ? need : chunkW * rowsHere * spp * 4;
            ByteBuffer rawBytes = ByteBuffer.allocate((int) counts[index]);
            readFully(offs[index], rawBytes);
            if (rawBytes.remaining() < counts[index]) throw bad("chunk " + index + " is truncated");
            ByteBuffer out;
            if (compression == 1) {
                if (counts[index] < min) throw bad((tiled ? "tile " : "strip ") + index + " is short");
                out = rawBytes;
            } else {
                byte[] dst = new byte[need];
                Inflater inf = new Inflater();
                try {
                    inf.setInput(rawBytes.array(), 0, rawBytes.remaining());
                    int n = 0;
                    while (n < min && !inf.finished()) {
                        int k = inf.inflate(dst, n, dst.length - n);
                        if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                        n += k;
                    }
                    if (n < min)
                        throw bad((tiled ? "tile " : "strip ") + index + " decompresses to " + n + " bytes, fewer than "
                                + min);
                } catch (DataFormatException e) {
                    throw bad((tiled ? "tile " : "strip ") + index + ": bad DEFLATE data (" + e.getMessage() + ")");
                } finally {
                    inf.end();
                }
                out = ByteBuffer.wrap(dst);
            }
            ByteBuffer chunk = out.order(order);
            cache.put(index, chunk);
            return chunk;
        }

        /** Reads {@code rows} file rows (0 = north) of {@code band} from {@code row0} into {@code dst[off..]} as floats. */
        public void readRows(int band, int row0, int rows, float[] dst, int off) throws IOException {
            read(
                    band,
                    row0,
                    rows,
                    (chunk, at, i) ->
                            dst[off + i] = type == SampleType.FLOAT32 ? chunk.getFloat(at) : chunk.getInt(at));
        }

        /** Reads int32 file rows (a float32 file is refused). */
        public void readRows(int band, int row0, int rows, int[] dst, int off) throws IOException {
            if (type != SampleType.INT32) throw bad("not an int32 GeoTIFF");
            read(band, row0, rows, (chunk, at, i) -> dst[off + i] = chunk.getInt(at));
        }

        private interface Put {
            void put(ByteBuffer chunk, int byteAt, int i);
        }

        private void read(int band, int row0, int rows, Put put) throws IOException {
            Objects.checkIndex(band, bands);
            Objects.checkFromIndexSize(row0, rows, grid.height());
            int w = grid.width(), spp = planar ? 1 : bands, sample = planar ? 0 : band;
            int perBand = across * down;
            for (int k = 0; k < rows; k++) {
                int row = row0 + k, cy = row / chunkH, inRow = row % chunkH;
                for (int cx = 0; cx < across; cx++) {
                    int index = (planar ? band * perBand : 0) + cy * across + cx;
                    ByteBuffer c = chunk(index);
                    int x0 = cx * chunkW, n = Math.min(chunkW, w - x0);
                    int base = (inRow * chunkW) * spp;
                    for (int i = 0; i < n; i++) put.put(c, 4 * (base + i * spp + sample), k * w + x0 + i);
                }
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
