package org.geomend.nbl;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The long measurement CSV of SPEC section 6: {@code record,time,lat,lon,cell,rsrp,rssi,ta}, one row per
 * cell measured in a record (columns found by header name, any order, extra columns ignored). An empty
 * field is "not reported" (NaN). Rows of one record are adjacent. Values are not quoted.
 */
public final class MeasurementCsv {

    private MeasurementCsv() {}

    public static final String HEADER = "record,time,lat,lon,cell,rsrp,rssi,ta";
    static final String[] COLUMNS = HEADER.split(",");

    /** One parsed row; the same instance is reused for every row of a file. */
    public static final class Row {
        public String record, time, cell;
        public double lat, lon, rsrp, rssi, ta;
        public long line;

        public boolean hasPosition() { return !Double.isNaN(lat) && !Double.isNaN(lon); }
    }

    @FunctionalInterface
    public interface RowConsumer {
        void accept(Row row) throws IOException;
    }

    /**
     * Streams the rows of {@code file}.
     *
     * @throws NblInputException on a missing column, a short row, a bad number or a position out of range
     */
    public static long read(Path file, RowConsumer out) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String head = in.readLine();
            if (head == null) throw NblInputException.at(file, 1, "empty file, expected header " + HEADER);
            if (head.startsWith("\uFEFF")) head = head.substring(1);
            String[] h = head.split(",", -1);
            int[] idx = new int[COLUMNS.length];
            for (int c = 0; c < COLUMNS.length; c++) {
                idx[c] = -1;
                for (int j = 0; j < h.length; j++) if (h[j].trim().equalsIgnoreCase(COLUMNS[c])) idx[c] = j;
                if (idx[c] < 0) throw NblInputException.at(file, 1, "missing column '" + COLUMNS[c] + "' (expected header " + HEADER + ")");
            }
            int width = h.length;
            String[] f = new String[width];
            Row row = new Row();
            long line = 1, rows = 0;
            for (String s; (s = in.readLine()) != null; ) {
                line++;
                if (s.isEmpty()) continue;
                int n = split(s, f);
                if (n != width) throw NblInputException.at(file, line, "expected " + width + " fields, found " + n);
                row.line = line;
                row.record = f[idx[0]];
                if (row.record.isEmpty()) throw NblInputException.at(file, line, "empty record id");
                row.time = f[idx[1]];
                row.lat = num(f[idx[2]], file, line, "lat");
                row.lon = num(f[idx[3]], file, line, "lon");
                if (row.lat < -90 || row.lat > 90 || row.lon < -180 || row.lon > 180)
                    throw NblInputException.at(file, line, "position out of range: " + row.lat + "," + row.lon);
                row.cell = f[idx[4]];
                if (row.cell.isEmpty()) throw NblInputException.at(file, line, "empty cell id");
                row.rsrp = num(f[idx[5]], file, line, "rsrp");
                row.rssi = num(f[idx[6]], file, line, "rssi");
                row.ta = num(f[idx[7]], file, line, "ta");
                if (row.ta < 0) throw NblInputException.at(file, line, "negative ta " + row.ta);
                out.accept(row);
                rows++;
            }
            return rows;
        }
    }

    private static int split(String s, String[] f) {
        int n = 0, start = 0, len = s.length();
        for (int i = 0; i <= len; i++) {
            if (i == len || s.charAt(i) == ',') {
                if (n < f.length) f[n] = s.substring(start, i).trim();
                n++;
                start = i + 1;
            }
        }
        return n;
    }

    private static double num(String v, Path file, long line, String col) {
        if (v.isEmpty()) return Double.NaN;
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw NblInputException.at(file, line, "bad number in " + col + ": '" + v + "'");
        }
    }

    /** Writes rows in the long format; NaN fields are left empty. */
    public static final class Writer implements AutoCloseable {
        private final BufferedWriter out;
        private final StringBuilder sb = new StringBuilder(128);

        public Writer(java.io.Writer w) throws IOException {
            out = w instanceof BufferedWriter b ? b : new BufferedWriter(w, 1 << 16);
            out.write(HEADER);
            out.write('\n');
        }

        public void row(String record, String time, double lat, double lon, String cell, double rsrp, double rssi, double ta) throws IOException {
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

        @Override public void close() throws IOException { out.close(); }
    }

    /** Writes to {@code target + ".tmp"}; {@link AtomicFile#commit()} renames it over the target. */
    public static final class AtomicFile implements AutoCloseable {
        public final Path target, tmp;
        private boolean committed;

        public AtomicFile(Path target) {
            this.target = target;
            this.tmp = target.resolveSibling(target.getFileName() + ".tmp");
        }

        public Writer measurementWriter() throws IOException { return new Writer(writer()); }

        public BufferedWriter writer() throws IOException {
            if (target.toAbsolutePath().getParent() != null) Files.createDirectories(target.toAbsolutePath().getParent());
            return Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
        }

        public void commit() throws IOException {
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            committed = true;
        }

        @Override public void close() throws IOException { if (!committed) Files.deleteIfExists(tmp); }
    }

}
