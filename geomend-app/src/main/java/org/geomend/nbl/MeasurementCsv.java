package org.geomend.nbl;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.geomend.io.AtomicFiles;
import org.geomend.io.CsvReader;
import org.geomend.io.InputException;

/**
 * The long measurement CSV of SPEC section 6: {@code record,time,lat,lon,cell,rsrp,rssi,ta}, one row per
 * cell measured in a record (columns found by header name, any order, extra columns ignored). An empty
 * field is "not reported" (NaN). Rows of one record are adjacent. Fields may be quoted (RFC 4180). The same columns
 * in Arrow IPC are read by {@link MeasurementArrow} ({@link #read} picks the format).
 */
public final class MeasurementCsv {

    private MeasurementCsv() {}

    public static final String HEADER = "record,time,lat,lon,cell,rsrp,rssi,ta";
    static final String[] COLUMNS = HEADER.split(",");

    /** One parsed row; the same instance is reused for every row of a file. */
    public static final class Row {
        public String record, time, cell;
        public double lat, lon, rsrp, rssi, ta;
        /** CSV: the 1-based line; Arrow: the 1-based data row ({@link #arrow}). */
        public long line;

        public boolean arrow;

        public boolean hasPosition() {
            return !Double.isNaN(lat) && !Double.isNaN(lon);
        }
    }

    @FunctionalInterface
    public interface RowConsumer {
        void accept(Row row) throws IOException;
    }

    /** A sink of measurement rows (CSV {@link Writer} or {@link MeasurementArrow.Writer}); NaN = not reported. */
    public interface RowWriter extends AutoCloseable {
        void row(String record, String time, double lat, double lon, String cell, double rsrp, double rssi, double ta)
                throws IOException;

        @Override
        void close() throws IOException;
    }

    /** A one-line error about {@code row} of {@code file} ("file:line: why" for CSV, "file: row N: why" for Arrow). */
    public static InputException error(Path file, Row row, String why) {
        return row.arrow ? MeasurementArrow.rowError(file, row.line, why) : new InputException(file, row.line, why);
    }

    /**
     * Streams the rows of {@code file}: Arrow IPC when {@link MeasurementArrow#isArrow} says so (magic bytes
     * or a {@code .arrow} name), else the long CSV.
     *
     * @throws InputException on a missing column, a short row, a bad number or a position out of range (CSV)
     */
    public static long read(Path file, RowConsumer out) throws IOException {
        return read(file, out, null);
    }

    /** Receives a malformed CSV row (its error and its fields) instead of the read stopping there. */
    @FunctionalInterface
    public interface BadRowHandler {
        void bad(InputException error, List<String> fields) throws IOException;
    }

    /**
     * {@link #read(Path, RowConsumer)}, except that a malformed CSV row (short row, bad number, position out of
     * range, empty id, negative ta) goes to {@code bad} and is skipped when {@code bad} is not null. A missing
     * column, an empty file and errors of Arrow input still stop the read.
     */
    public static long read(Path file, RowConsumer out, BadRowHandler bad) throws IOException {
        if (MeasurementArrow.isArrow(file)) return MeasurementArrow.read(file, out);
        try (InputStream in = Files.newInputStream(file)) {
            return new CsvParser(file, in).run(out, bad);
        }
    }

    /**
     * The CSV rows, read by {@link CsvReader} (streamed, fields split in place, numbers parsed without a String
     * when they can be); a record id equal to the previous row's and cell ids seen recently reuse their String.
     */
    private static final class CsvParser {
        private final CsvReader csv;
        private final String[] cache = new String[4096];
        private final byte[][] cacheKey = new byte[4096][];
        private byte[] lastRecord = new byte[0], lastTime = new byte[0];
        private String lastRecordS, lastTimeS = "";

        CsvParser(Path file, InputStream in) {
            this.csv = new CsvReader(file, in, ',');
        }

        private String record(int f) {
            if (lastRecordS == null || !csv.sameBytes(f, lastRecord)) {
                lastRecord = csv.bytes(f);
                lastRecordS = new String(lastRecord, StandardCharsets.UTF_8);
            }
            return lastRecordS;
        }

        private String time(int f) {
            if (!csv.sameBytes(f, lastTime)) {
                lastTime = csv.bytes(f);
                lastTimeS = new String(lastTime, StandardCharsets.UTF_8);
            }
            return lastTimeS;
        }

        private String cell(int f) {
            int h = csv.hash(f);
            int slot = (h ^ (h >>> 12)) & (cache.length - 1);
            byte[] k = cacheKey[slot];
            if (k != null && csv.sameBytes(f, k)) return cache[slot];
            k = csv.bytes(f);
            cacheKey[slot] = k;
            return cache[slot] = new String(k, StandardCharsets.UTF_8);
        }

        long run(RowConsumer out, BadRowHandler bad) throws IOException {
            CsvReader.Header h = csv.header();
            if (h == null) throw new InputException(csv.file(), 1, "empty file, expected header " + HEADER);
            int[] idx = new int[COLUMNS.length];
            for (int c = 0; c < COLUMNS.length; c++)
                idx[c] = h.require(COLUMNS[c], " (expected header " + HEADER + ")");
            Row row = new Row();
            long rows = 0;
            while (csv.next()) {
                try {
                    h.checkWidth();
                    long line = csv.line();
                    row.line = line;
                    if (csv.isEmpty(idx[0])) throw csv.error("empty record id");
                    row.record = record(idx[0]);
                    row.time = time(idx[1]);
                    row.lat = csv.number(idx[2], "lat");
                    row.lon = csv.number(idx[3], "lon");
                    if (row.lat < -90 || row.lat > 90 || row.lon < -180 || row.lon > 180)
                        throw csv.error("position out of range: " + row.lat + "," + row.lon);
                    if (csv.isEmpty(idx[4])) throw csv.error("empty cell id");
                    row.cell = cell(idx[4]);
                    row.rsrp = csv.number(idx[5], "rsrp");
                    row.rssi = csv.number(idx[6], "rssi");
                    row.ta = csv.number(idx[7], "ta");
                    if (row.ta < 0) throw csv.error("negative ta " + row.ta);
                } catch (InputException e) {
                    if (bad == null) throw e;
                    bad.bad(e, csv.fields());
                    continue;
                }
                out.accept(row);
                rows++;
            }
            return rows;
        }
    }

    /** Writes rows in the long format; NaN fields are left empty. */
    public static final class Writer implements RowWriter {
        private final BufferedWriter out;
        private final StringBuilder sb = new StringBuilder(128);

        public Writer(java.io.Writer w) throws IOException {
            out = w instanceof BufferedWriter b ? b : new BufferedWriter(w, 1 << 16);
            out.write(HEADER);
            out.write('\n');
        }

        public void row(
                String record, String time, double lat, double lon, String cell, double rsrp, double rssi, double ta)
                throws IOException {
            sb.setLength(0);
            sb.append(record).append(',').append(time == null ? "" : time).append(',');
            fmt(sb, lat).append(',');
            fmt(sb, lon).append(',').append(cell).append(',');
            fmt(sb, rsrp).append(',');
            fmt(sb, rssi).append(',');
            fmt(sb, ta).append('\n');
            out.append(sb);
        }

        static StringBuilder fmt(StringBuilder sb, double v) {
            if (Double.isNaN(v)) return sb;
            if (v == Math.rint(v) && Math.abs(v) < 1e15) return sb.append((long) v);
            return sb.append(v);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /**
     * Writes to the target's {@link AtomicFiles#temporary temporary name}; {@link AtomicFile#commit()} publishes it
     * over the target, {@link #close()} without a commit removes it.
     */
    public static final class AtomicFile implements AutoCloseable {
        public final Path target, tmp;
        private boolean committed;

        public AtomicFile(Path target) {
            this.target = target;
            this.tmp = AtomicFiles.temporary(target);
        }

        /** A measurement writer on the temporary file: Arrow IPC when the target's name ends in {@code .arrow}, else CSV. */
        public RowWriter measurementWriter() throws IOException {
            if (target.getFileName()
                    .toString()
                    .toLowerCase(java.util.Locale.ROOT)
                    .endsWith(".arrow")) {
                if (target.toAbsolutePath().getParent() != null)
                    Files.createDirectories(target.toAbsolutePath().getParent());
                return new MeasurementArrow.Writer(tmp);
            }
            return new Writer(writer());
        }

        public BufferedWriter writer() throws IOException {
            if (target.toAbsolutePath().getParent() != null)
                Files.createDirectories(target.toAbsolutePath().getParent());
            return Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
        }

        public void commit() throws IOException {
            AtomicFiles.publish(tmp, target);
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (!committed) Files.deleteIfExists(tmp);
        }
    }
}
