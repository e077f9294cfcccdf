package org.geomend.nbl;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.geomend.io.InputException;

/**
 * The long measurement CSV of SPEC section 6: {@code record,time,lat,lon,cell,rsrp,rssi,ta}, one row per
 * cell measured in a record (columns found by header name, any order, extra columns ignored). An empty
 * field is "not reported" (NaN). Rows of one record are adjacent. Values are not quoted. The same columns
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

        public boolean hasPosition() { return !Double.isNaN(lat) && !Double.isNaN(lon); }
    }

    @FunctionalInterface
    public interface RowConsumer {
        void accept(Row row) throws IOException;
    }

    /** A sink of measurement rows (CSV {@link Writer} or {@link MeasurementArrow.Writer}); NaN = not reported. */
    public interface RowWriter extends AutoCloseable {
        void row(String record, String time, double lat, double lon, String cell, double rsrp, double rssi, double ta) throws IOException;

        @Override void close() throws IOException;
    }

    /** A one-line error about {@code row} of {@code file} ("file:line: why" for CSV, "file: row N: why" for Arrow). */
    public static InputException error(Path file, Row row, String why) {
        return row.arrow ? MeasurementArrow.rowError(file, row.line, why) : new InputException(file, row.line, why);
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m).trim();
    }

    /**
     * Streams the rows of {@code file}: Arrow IPC when {@link MeasurementArrow#isArrow} says so (magic bytes
     * or a {@code .arrow} name), else the long CSV.
     *
     * @throws InputException on a missing column, a short row, a bad number or a position out of range
     */
    public static long read(Path file, RowConsumer out) throws IOException {
        if (MeasurementArrow.isArrow(file)) return MeasurementArrow.read(file, out);
        try (InputStream in = Files.newInputStream(file)) {
            return new CsvParser(file, in).run(out);
        }
    }

    /**
     * The CSV reader: bytes are split into lines and fields in place (fields trimmed of ASCII blanks, as
     * {@link String#trim()}); numbers of up to 15 significant digits without exponent are parsed
     * directly (mantissa / 10^k, exact operands, so the same correctly rounded double as
     * {@link Double#parseDouble}), anything else goes through {@code Double.parseDouble}; a record id equal
     * to the previous row's and cell ids seen recently reuse their String.
     */
    private static final class CsvParser {
        private static final double[] POW10 = new double[23];

        static {
            POW10[0] = 1;
            for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
        }

        private final Path file;
        private final InputStream in;
        private byte[] buf = new byte[1 << 20];
        private int pos, lim;
        private boolean eof;
        private int[] fs = new int[16], fe = new int[16];
        private final String[] cache = new String[4096];
        private final byte[][] cacheKey = new byte[4096][];
        private byte[] lastRecord = new byte[0], lastTime = new byte[0];
        private String lastRecordS, lastTimeS = "";

        CsvParser(Path file, InputStream in) {
            this.file = file;
            this.in = in;
        }

        /** Next line as [lineStart, lineEnd) in buf (without the newline), or false at the end. */
        private int ls, le;

        private boolean nextLine() throws IOException {
            while (true) {
                for (int i = pos; i < lim; i++) {
                    if (buf[i] == '\n') {
                        ls = pos;
                        le = i;
                        pos = i + 1;
                        return true;
                    }
                }
                if (eof) {
                    if (pos < lim) {
                        ls = pos;
                        le = lim;
                        pos = lim;
                        return true;
                    }
                    return false;
                }
                // compact and refill (grow for a line longer than the buffer)
                if (pos > 0) {
                    System.arraycopy(buf, pos, buf, 0, lim - pos);
                    lim -= pos;
                    pos = 0;
                } else if (lim == buf.length) buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                int n = in.read(buf, lim, buf.length - lim);
                if (n < 0) eof = true;
                else lim += n;
            }
        }

        /** Splits the current line at commas into trimmed fields; returns the field count. */
        private int split() {
            int n = 0, start = ls;
            for (int i = ls; ; i++) {
                if (i == le || buf[i] == ',') {
                    if (n == fs.length) {
                        fs = java.util.Arrays.copyOf(fs, n * 2);
                        fe = java.util.Arrays.copyOf(fe, n * 2);
                    }
                    int a = start, b = i;
                    while (a < b && (buf[a] & 0xFF) <= ' ') a++;
                    while (b > a && (buf[b - 1] & 0xFF) <= ' ') b--;
                    fs[n] = a;
                    fe[n] = b;
                    n++;
                    if (i == le) return n;
                    start = i + 1;
                }
            }
        }

        private String str(int f) { return new String(buf, fs[f], fe[f] - fs[f], StandardCharsets.UTF_8); }

        private boolean same(byte[] prev, int f) {
            int a = fs[f], len = fe[f] - a;
            return prev.length == len && java.util.Arrays.equals(prev, 0, len, buf, a, a + len);
        }

        private String record(int f) {
            if (lastRecordS == null || !same(lastRecord, f)) {
                lastRecord = java.util.Arrays.copyOfRange(buf, fs[f], fe[f]);
                lastRecordS = new String(lastRecord, StandardCharsets.UTF_8);
            }
            return lastRecordS;
        }

        private String time(int f) {
            if (!same(lastTime, f)) {
                lastTime = java.util.Arrays.copyOfRange(buf, fs[f], fe[f]);
                lastTimeS = new String(lastTime, StandardCharsets.UTF_8);
            }
            return lastTimeS;
        }

        private String cell(int f) {
            int a = fs[f], b = fe[f], h = 0;
            for (int i = a; i < b; i++) h = 31 * h + buf[i];
            int slot = (h ^ (h >>> 12)) & (cache.length - 1);
            byte[] k = cacheKey[slot];
            if (k != null && k.length == b - a && java.util.Arrays.equals(k, 0, k.length, buf, a, b)) return cache[slot];
            k = java.util.Arrays.copyOfRange(buf, a, b);
            cacheKey[slot] = k;
            return cache[slot] = new String(k, StandardCharsets.UTF_8);
        }

        private double num(int f, long line, String col) {
            int i = fs[f], e = fe[f];
            if (i == e) return Double.NaN;
            boolean neg = false;
            if (buf[i] == '-') { neg = true; i++; } else if (buf[i] == '+') i++;
            long mant = 0;
            int sig = 0, frac = 0;
            boolean dot = false, digit = false;
            for (; i < e; i++) {
                int c = buf[i];
                if (c >= '0' && c <= '9') {
                    digit = true;
                    if (mant != 0 || c != '0') sig++;
                    mant = mant * 10 + (c - '0');
                    if (dot) frac++;
                    if (sig > 15 || frac > 22) return slow(f, line, col);
                } else if (c == '.' && !dot) dot = true;
                else return slow(f, line, col);
            }
            if (!digit) return slow(f, line, col);
            double v = frac == 0 ? (double) mant : mant / POW10[frac];
            return neg ? -v : v;
        }

        private double slow(int f, long line, String col) { return MeasurementCsv.num(str(f), file, line, col); }

        long run(RowConsumer out) throws IOException {
            if (!nextLine()) throw new InputException(file, 1, "empty file, expected header " + HEADER);
            String head = new String(buf, ls, le - ls, StandardCharsets.UTF_8);
            if (head.startsWith("\uFEFF")) head = head.substring(1);
            String[] h = head.split(",", -1);
            int[] idx = new int[COLUMNS.length];
            for (int c = 0; c < COLUMNS.length; c++) {
                idx[c] = -1;
                for (int j = 0; j < h.length; j++) if (h[j].trim().equalsIgnoreCase(COLUMNS[c])) idx[c] = j;
                if (idx[c] < 0) throw new InputException(file, 1, "missing column '" + COLUMNS[c] + "' (expected header " + HEADER + ")");
            }
            int width = h.length;
            Row row = new Row();
            long line = 1, rows = 0;
            while (nextLine()) {
                line++;
                if (le == ls || (le == ls + 1 && buf[ls] == '\r')) continue;
                int n = split();
                if (n != width) throw new InputException(file, line, "expected " + width + " fields, found " + n);
                row.line = line;
                if (fe[idx[0]] == fs[idx[0]]) throw new InputException(file, line, "empty record id");
                row.record = record(idx[0]);
                row.time = time(idx[1]);
                row.lat = num(idx[2], line, "lat");
                row.lon = num(idx[3], line, "lon");
                if (row.lat < -90 || row.lat > 90 || row.lon < -180 || row.lon > 180)
                    throw new InputException(file, line, "position out of range: " + row.lat + "," + row.lon);
                if (fe[idx[4]] == fs[idx[4]]) throw new InputException(file, line, "empty cell id");
                row.cell = cell(idx[4]);
                row.rsrp = num(idx[5], line, "rsrp");
                row.rssi = num(idx[6], line, "rssi");
                row.ta = num(idx[7], line, "ta");
                if (row.ta < 0) throw new InputException(file, line, "negative ta " + row.ta);
                out.accept(row);
                rows++;
            }
            return rows;
        }
    }

    private static double num(String v, Path file, long line, String col) {
        if (v.isEmpty()) return Double.NaN;
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new InputException(file, line, "bad number in " + col + ": '" + v + "'");
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

        /** A measurement writer on the temporary file: Arrow IPC when the target's name ends in {@code .arrow}, else CSV. */
        public RowWriter measurementWriter() throws IOException {
            if (target.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".arrow")) {
                if (target.toAbsolutePath().getParent() != null) Files.createDirectories(target.toAbsolutePath().getParent());
                return new MeasurementArrow.Writer(tmp);
            }
            return new Writer(writer());
        }

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
