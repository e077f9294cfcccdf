package org.geomend.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.geomend.geo.Crs;
import org.geomend.kernels.GridSpec;

/**
 * One NPY v1.0 file per base station, {@code <dir>/<stem>.npy} (stem: {@link FileNames#stem}), a
 * little-endian float32 C-order array {@code [height][width]} with row 0 = south, exactly as
 * {@code numpy.save} writes it; plus {@code <dir>/index.csv} ({@link MapIndex}) and, when metadata was
 * given, {@code <dir>/metadata.json} (a flat JSON object of it), both written at {@link #commit()}.
 * Each array is written as {@code <file>.partial} and renamed; see {@link MapDirectory} for the journal that
 * {@code resume} reads.
 */
public final class NpyMapSink implements MapSink {

    static final ValueLayout.OfFloat F32LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MapDirectory dir;
    private final Crs crs;
    private final Map<String, String> metadata;

    public NpyMapSink(Path outDir, Crs crs, boolean resume, Map<String, String> metadata) throws IOException {
        this.crs = Objects.requireNonNull(crs, "crs");
        this.metadata = metadata == null ? Map.of() : new LinkedHashMap<>(metadata);
        this.dir = new MapDirectory(outDir, ".npy", resume);
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
        byte[] header = header(grid.height(), grid.width());
        long n = grid.pixels();
        byte[] body = new byte[Math.toIntExact(header.length + 4 * n)];
        System.arraycopy(header, 0, body, 0, header.length);
        MemorySegment.copy(
                values,
                ValueLayout.JAVA_FLOAT_UNALIGNED,
                offsetElements * 4,
                MemorySegment.ofArray(body),
                F32LE,
                header.length,
                n);
        dir.publish(id, grid, crs.name(), ByteBuffer.wrap(body));
    }

    /**
     * The NPY v1.0 header numpy 1.23+ writes for a C-order {@code <f4} array of shape {@code (rows, cols)}:
     * magic, version 1.0, little-endian header length, the dict, 21 minus the digits of the first axis
     * spaces of growth room, space padding and a newline so that the data starts at a multiple of 64.
     */
    public static byte[] header(int rows, int cols) {
        return header(new long[] {rows, cols});
    }

    /** The same header for a C-order {@code <f4} array of any {@code shape} (numpy's padding rule, first axis). */
    public static byte[] header(long[] shape) {
        StringBuilder sh = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sh.append(i > 0 ? ", " : "").append(shape[i]);
        String shapeText = sh.append(shape.length == 1 ? ",)" : ")").toString();
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': ")
                .append(shapeText)
                .append(", }");
        dict.append(" ".repeat(Math.max(0, 21 - Long.toString(shape[0]).length())));
        int hlen = dict.length() + 1;
        int pad = 64 - ((6 + 2 + 2 + hlen) % 64); // numpy pads a full 64 when already aligned
        dict.append(" ".repeat(pad)).append('\n');
        byte[] d = dict.toString().getBytes(StandardCharsets.US_ASCII);
        if (d.length > 65535) throw new IllegalArgumentException("NPY header too long");
        byte[] out = new byte[10 + d.length];
        out[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, out, 1, 5);
        out[6] = 1;
        out[7] = 0;
        out[8] = (byte) (d.length & 0xff);
        out[9] = (byte) (d.length >>> 8);
        System.arraycopy(d, 0, out, 10, d.length);
        return out;
    }

    @Override
    public void commit() throws IOException {
        Map<String, byte[]> extra = new LinkedHashMap<>();
        if (!metadata.isEmpty())
            extra.put("metadata.json", (Json.inline(metadata) + "\n").getBytes(StandardCharsets.UTF_8));
        dir.commit(extra);
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
