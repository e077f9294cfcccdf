package org.geomend.nbl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.geomend.io.InputException;
import org.geomend.kernels.Backends;
import org.geomend.kernels.Memory;

/**
 * The measurement format of SPEC section 6 in Arrow IPC (file format, or stream format): the columns of
 * the long CSV by name ({@code record,time,lat,lon,cell,rsrp,rssi,ta}, any order, extra columns ignored).
 * {@code record}, {@code time}, {@code cell}: Utf8 (integer columns are accepted and read as their
 * decimal text); {@code lat,lon,rsrp,rssi,ta}: Float64 (Float32 and integers accepted); null = not
 * reported. The same checks as the CSV apply; errors name the file and the 1-based data row.
 * {@link Writer} writes the file format, batches of {@value #BATCH} rows.
 */
public final class MeasurementArrow {

    private MeasurementArrow() {}

    static final int BATCH = 1 << 16;
    private static final byte[] FILE_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

    /** The schema {@link Writer} writes. */
    public static Schema schema() {
        FieldType str = FieldType.nullable(new ArrowType.Utf8()),
                f8 = FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
        FieldType strReq = FieldType.notNullable(new ArrowType.Utf8());
        return new Schema(List.of(
                new Field("record", strReq, null),
                new Field("time", str, null),
                new Field("lat", f8, null),
                new Field("lon", f8, null),
                new Field("cell", strReq, null),
                new Field("rsrp", f8, null),
                new Field("rssi", f8, null),
                new Field("ta", f8, null)));
    }

    /** True when the file starts with the Arrow file magic or an IPC stream continuation marker, or is named *.arrow. */
    public static boolean isArrow(Path file) throws IOException {
        if (file.getFileName() != null
                && file.getFileName()
                        .toString()
                        .toLowerCase(java.util.Locale.ROOT)
                        .endsWith(".arrow")) return true;
        if (!Files.isRegularFile(file)) return false;
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 8);
        }
        if (n >= 6 && Arrays.equals(Arrays.copyOf(head, 6), FILE_MAGIC)) return true;
        return n >= 4
                && head[0] == (byte) 0xFF
                && head[1] == (byte) 0xFF
                && head[2] == (byte) 0xFF
                && head[3] == (byte) 0xFF;
    }

    private static boolean fileMagic(Path file) throws IOException {
        byte[] head = new byte[6];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, 6) == 6 && Arrays.equals(head, FILE_MAGIC);
        }
    }

    /** Streams the rows of an Arrow measurement file (same contract as {@link MeasurementCsv#read}). */
    public static long read(Path file, MeasurementCsv.RowConsumer out) throws IOException {
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString());
        boolean isFile = fileMagic(file);
        try (BufferAllocator alloc = Memory.child("nbl-measurements-reader");
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                ArrowReader reader = isFile
                        ? new ArrowFileReader(ch, alloc)
                        : new ArrowStreamReader(Channels.newInputStream(ch), alloc)) {
            VectorSchemaRoot root;
            try {
                root = reader.getVectorSchemaRoot();
            } catch (IOException | RuntimeException e) {
                throw new InputException(file, 0, "not a readable Arrow IPC file (" + Backends.oneLine(e) + ")");
            }
            FieldVector[] col = new FieldVector[MeasurementCsv.COLUMNS.length];
            for (int c = 0; c < col.length; c++) {
                for (FieldVector v : root.getFieldVectors())
                    if (v.getName().trim().equalsIgnoreCase(MeasurementCsv.COLUMNS[c])) col[c] = v;
                if (col[c] == null)
                    throw new InputException(
                            file,
                            0,
                            "missing column '" + MeasurementCsv.COLUMNS[c] + "' (expected " + MeasurementCsv.HEADER
                                    + ")");
                boolean text = c == 0 || c == 1 || c == 4;
                boolean ok = text
                        ? col[c] instanceof VarCharVector || col[c] instanceof BaseIntVector
                        : col[c] instanceof Float8Vector
                                || col[c] instanceof Float4Vector
                                || col[c] instanceof BaseIntVector;
                if (!ok)
                    throw new InputException(
                            file,
                            0,
                            "column '" + MeasurementCsv.COLUMNS[c] + "' has type "
                                    + col[c].getField().getType() + " (expected " + (text ? "Utf8" : "Float64") + ")");
            }
            MeasurementCsv.Row row = new MeasurementCsv.Row();
            row.arrow = true;
            long rows = 0;
            while (true) {
                boolean more;
                try {
                    more = reader.loadNextBatch();
                } catch (IOException | RuntimeException e) {
                    throw new InputException(
                            file, 0, "row " + (rows + 1) + ": unreadable Arrow batch (" + Backends.oneLine(e) + ")");
                }
                if (!more) break;
                int n = root.getRowCount();
                for (int i = 0; i < n; i++) {
                    long line = rows + 1;
                    row.line = line;
                    row.record = text(col[0], i);
                    if (row.record == null || row.record.isEmpty()) throw rowError(file, line, "empty record id");
                    row.time = text(col[1], i);
                    if (row.time == null) row.time = "";
                    row.lat = num(col[2], i, file, line, "lat");
                    row.lon = num(col[3], i, file, line, "lon");
                    if (row.lat < -90 || row.lat > 90 || row.lon < -180 || row.lon > 180)
                        throw rowError(file, line, "position out of range: " + row.lat + "," + row.lon);
                    row.cell = text(col[4], i);
                    if (row.cell == null || row.cell.isEmpty()) throw rowError(file, line, "empty cell id");
                    row.rsrp = num(col[5], i, file, line, "rsrp");
                    row.rssi = num(col[6], i, file, line, "rssi");
                    row.ta = num(col[7], i, file, line, "ta");
                    if (row.ta < 0) throw rowError(file, line, "negative ta " + row.ta);
                    out.accept(row);
                    rows++;
                }
            }
            return rows;
        }
    }

    static InputException rowError(Path file, long row, String why) {
        return new InputException(file, 0, "row " + row + ": " + why);
    }

    private static String text(FieldVector v, int i) {
        if (v.isNull(i)) return null;
        if (v instanceof VarCharVector s) return new String(s.get(i), StandardCharsets.UTF_8).trim();
        return Long.toString(((BaseIntVector) v).getValueAsLong(i));
    }

    private static double num(FieldVector v, int i, Path file, long line, String col) {
        if (v.isNull(i)) return Double.NaN;
        double d = switch (v) {
            case Float8Vector f -> f.get(i);
            case Float4Vector f -> f.get(i);
            default -> ((BaseIntVector) v).getValueAsLong(i);
        };
        if (Double.isNaN(d)) return Double.NaN; // a NaN value reads as not reported, like null
        if (!Double.isFinite(d)) throw rowError(file, line, "bad number in " + col + ": " + d);
        return d;
    }

    /** Writes measurement rows as an Arrow IPC file ({@link #schema()}); NaN numbers are written as null. */
    public static final class Writer implements MeasurementCsv.RowWriter {
        private final BufferAllocator alloc = Memory.child("nbl-measurements-writer");
        private final FileChannel ch;
        private final VectorSchemaRoot root;
        private final ArrowFileWriter w;
        private final VarCharVector record, time, cell;
        private final Float8Vector lat, lon, rsrp, rssi, ta;
        private int n;

        public Writer(Path file) throws IOException {
            ch = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            root = VectorSchemaRoot.create(schema(), alloc);
            record = (VarCharVector) root.getVector("record");
            time = (VarCharVector) root.getVector("time");
            lat = (Float8Vector) root.getVector("lat");
            lon = (Float8Vector) root.getVector("lon");
            cell = (VarCharVector) root.getVector("cell");
            rsrp = (Float8Vector) root.getVector("rsrp");
            rssi = (Float8Vector) root.getVector("rssi");
            ta = (Float8Vector) root.getVector("ta");
            root.allocateNew();
            w = new ArrowFileWriter(root, null, ch);
            w.start();
        }

        @Override
        public void row(String rec, String t, double la, double lo, String c, double p, double q, double pd)
                throws IOException {
            record.setSafe(n, rec.getBytes(StandardCharsets.UTF_8));
            if (t == null || t.isEmpty()) time.setNull(n);
            else time.setSafe(n, t.getBytes(StandardCharsets.UTF_8));
            set(lat, la);
            set(lon, lo);
            cell.setSafe(n, c.getBytes(StandardCharsets.UTF_8));
            set(rsrp, p);
            set(rssi, q);
            set(ta, pd);
            if (++n == BATCH) flush();
        }

        private void set(Float8Vector v, double x) {
            if (Double.isNaN(x)) v.setNull(n);
            else v.setSafe(n, x);
        }

        private void flush() throws IOException {
            if (n == 0) return;
            root.setRowCount(n);
            w.writeBatch();
            root.allocateNew();
            n = 0;
        }

        @Override
        public void close() throws IOException {
            try {
                flush();
                w.end();
            } finally {
                w.close();
                root.close();
                ch.close();
                alloc.close();
            }
        }
    }
}
