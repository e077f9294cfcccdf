package org.geomend.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.geomend.kernels.GridSpec;

/**
 * Reads a 2-D NPY array (v1, v2 or v3; {@code <f4}, {@code >f4}, {@code <f8} or {@code >f8}; C or Fortran
 * order) as a map, row 0 = south. Its grid, CRS and id come from the {@code index.csv} in the same
 * directory (the row whose id has this file's stem, {@link FileNames#stem}); without one the map gets
 * the grid {@code (0, 0, 1, width, height)}, a null CRS and the file stem as id.
 */
public final class NpyMapReader {

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyMapReader() {}

    public static MapData read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        if (b.length < 10 || (b[0] & 0xff) != 0x93 || !new String(b, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY"))
            throw new InputException(file, 0, "not an NPY file");
        int major = b[6];
        int hlen, start;
        if (major == 1) {
            hlen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
            start = 10;
        } else if (major == 2 || major == 3) {
            hlen = (b[8] & 0xff) | (b[9] & 0xff) << 8 | (b[10] & 0xff) << 16 | (b[11] & 0xff) << 24;
            start = 12;
        } else throw new InputException(file, 0, "unsupported NPY version " + major);
        if (hlen < 0 || start + hlen > b.length) throw new InputException(file, 0, "truncated NPY header");
        String h = new String(b, start, hlen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher md = DESCR.matcher(h), mf = FORTRAN.matcher(h), ms = SHAPE.matcher(h);
        if (!md.find() || !mf.find() || !ms.find()) throw new InputException(file, 0, "bad NPY header: " + h.strip());
        String descr = md.group(1);
        boolean fortran = mf.group(1).equals("True");
        String[] dims = ms.group(1).split(",");
        int rows, cols;
        try {
            if (dims.length < 2 || dims.length > 3 || (dims.length == 3 && !dims[2].isBlank()))
                throw new InputException(file, 0, "expected a 2-D array, shape (" + ms.group(1) + ")");
            rows = Integer.parseInt(dims[0].strip());
            cols = Integer.parseInt(dims[1].strip());
        } catch (NumberFormatException e) {
            throw new InputException(file, 0, "bad NPY shape (" + ms.group(1) + ")");
        }
        int size = switch (descr.substring(1)) {
            case "f4" -> 4;
            case "f8" -> 8;
            default -> 0;
        };
        ByteOrder order = switch (descr.charAt(0)) {
            case '<' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '=' -> ByteOrder.nativeOrder();
            default -> null;
        };
        if (size == 0 || order == null)
            throw new InputException(file, 0, "unsupported dtype '" + descr + "' (want float32)");
        long n = (long) rows * cols;
        int data = start + hlen;
        if (rows <= 0 || cols <= 0 || data + n * size > b.length)
            throw new InputException(file, 0, "truncated NPY data");
        MemorySegment seg = MemorySegment.ofArray(b);
        float[] v = new float[Math.toIntExact(n)];
        ValueLayout.OfFloat f4 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order);
        ValueLayout.OfDouble f8 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order);
        for (int i = 0; i < n; i++) {
            long at = data + (long) i * size;
            float x = size == 4 ? seg.get(f4, at) : (float) seg.get(f8, at);
            int dst = fortran ? (i % rows) * cols + i / rows : i;
            v[dst] = x;
        }
        String stem = file.getFileName().toString().replaceFirst("\\.npy$", "");
        Path index = file.toAbsolutePath().getParent().resolve(MapIndex.FILE);
        if (Files.isRegularFile(index))
            for (MapIndex.Entry e : MapIndex.read(index).values())
                if (FileNames.stem(e.id()).equals(stem))
                    return new MapData(e.id(), new GridSpec(e.x0(), e.y0(), e.resolution(), cols, rows), e.crs(), v);
        return new MapData(stem, new GridSpec(0, 0, 1, cols, rows), null, v);
    }
}
