package org.geomend.spark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.geomend.io.InputException;
import org.geomend.nbl.MeasurementArrow;

/**
 * One large measurement CSV read by several tasks: byte ranges of about {@code --split-size} bytes, each starting at a
 * line that begins a new record (rows of one record stay in one task, as {@code nbl build} and {@code nbl locate}
 * group them), so the tasks see exactly the rows one task would, in order. A first Spark stage counts the lines of
 * every range, so each task knows the file's line number of its first row: error messages, {@code --bad-rows} and
 * {@code nbl-build}'s row order use the file's own line numbers, exactly as without splits. A task reads its range as
 * the file's header plus those bytes ({@link #open}). Assumes no line break inside a quoted field and LF or CR LF
 * line ends (measurement CSVs); Arrow IPC and Parquet inputs, and files up to the split size, are one task each.
 */
final class Splits {

    private Splits() {}

    /**
     * A part of an input file: the whole file ({@code start < 0}), or bytes {@code [start, end)} (whole lines, the
     * first at line {@code firstLine} of the file) read after the file's header.
     */
    record Split(int index, int file, String path, long start, long end, long firstLine)
            implements java.io.Serializable {
        boolean whole() {
            return start < 0;
        }
    }

    /** The splits of {@code files} (indices in the input order; one per file when {@code splitSize <= 0}). */
    static List<Split> plan(JavaSparkContext jsc, List<String> files, long splitSize, String column)
            throws IOException {
        record Range(int file, String path, long start, long end) implements java.io.Serializable {}
        List<Object> parts = new ArrayList<>(); // Split (whole file) or Range
        List<Range> ranges = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            Path p = Path.of(files.get(f));
            long size = Files.size(p);
            if (splitSize <= 0 || size <= splitSize || MeasurementArrow.isArrow(p) || ParquetInput.is(p)) {
                parts.add(new Split(0, f, files.get(f), -1, -1, 0));
                continue;
            }
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                long h = lineEnd(ch, 0);
                int col = column(p, ch, h, column);
                long prev = h;
                for (long o = h + splitSize; prev < size; o += splitSize) {
                    long b = o >= size ? size : boundary(ch, o, col, size);
                    if (b <= prev) continue;
                    Range r = new Range(f, files.get(f), prev, b);
                    parts.add(r);
                    ranges.add(r);
                    prev = b;
                }
            }
        }
        List<Long> lines = ranges.isEmpty()
                ? List.of()
                : jsc.parallelize(ranges, ranges.size())
                        .map(r -> countLines(Path.of(r.path()), r.start(), r.end()))
                        .collect();
        List<Split> out = new ArrayList<>();
        long next = 2;
        int ri = 0, lastFile = -1;
        for (Object o : parts) {
            if (o instanceof Split s) out.add(new Split(out.size(), s.file(), s.path(), -1, -1, 0));
            else {
                Range r = (Range) o;
                if (r.file() != lastFile) next = 2;
                lastFile = r.file();
                out.add(new Split(out.size(), r.file(), r.path(), r.start(), r.end(), next));
                next += lines.get(ri++);
            }
        }
        return out;
    }

    /** Offset just past the line break of the line holding byte {@code from} (the file's size when none). */
    static long lineEnd(FileChannel ch, long from) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        long pos = from;
        while (true) {
            b.clear();
            int n = ch.read(b, pos);
            if (n <= 0) return ch.size();
            for (int i = 0; i < n; i++) if (b.get(i) == '\n') return pos + i + 1;
            pos += n;
        }
    }

    private static int column(Path p, FileChannel ch, long headerEnd, String column) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(headerEnd, 1 << 20));
        ch.read(b, 0);
        String header = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
        if (header.startsWith("\uFEFF")) header = header.substring(1);
        int c = Arrays.asList(header.split(",", -1)).stream()
                .map(String::strip)
                .toList()
                .indexOf(column);
        if (c < 0) throw new InputException(p, 1, "no column '" + column + "' (expected header of measurements)");
        return c;
    }

    /** The start of the first line at or after {@code o} whose record differs from the previous line's. */
    static long boundary(FileChannel ch, long o, int col, long size) throws IOException {
        // the line holding byte o - 1 is the previous one; start at the next line
        long lineStart = lineEnd(ch, o - 1);
        long prevStart = lineStartBefore(ch, lineStart - 1);
        String prev = field(ch, prevStart, col);
        while (lineStart < size) {
            if (!field(ch, lineStart, col).equals(prev)) return lineStart;
            lineStart = lineEnd(ch, lineStart);
        }
        return size;
    }

    /** The start of the line holding byte {@code at} (the line break ending it at {@code at} itself). */
    private static long lineStartBefore(FileChannel ch, long at) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 12);
        long end = at; // exclusive: bytes before the line break at `at`
        while (end > 0) {
            long from = Math.max(0, end - b.capacity());
            b.clear();
            b.limit((int) (end - from));
            ch.read(b, from);
            for (int i = (int) (end - from) - 1; i >= 0; i--) if (b.get(i) == '\n') return from + i + 1;
            end = from;
        }
        return 0;
    }

    /** Field {@code col} of the line starting at {@code start} (split at commas, as written by the measurement writers). */
    private static String field(FileChannel ch, long start, int col) throws IOException {
        long end = lineEnd(ch, start);
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(end - start, 1 << 20));
        ch.read(b, start);
        String line = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        String[] f = line.split(",", -1);
        return col < f.length ? f[col].strip() : "";
    }

    static long countLines(Path p, long start, long end) throws IOException {
        long n = 0;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            for (long pos = start; pos < end; ) {
                b.clear();
                b.limit((int) Math.min(b.capacity(), end - pos));
                int r = ch.read(b, pos);
                if (r <= 0) break;
                byte[] a = b.array();
                for (int i = 0; i < r; i++) if (a[i] == '\n') n++;
                pos += r;
            }
        }
        return n;
    }

    /**
     * The split as a file the measurement reader reads: the input itself when whole, else a temporary file holding
     * the header line and the split's bytes; {@link Opened#close} deletes it.
     */
    static Opened open(Split s) throws IOException {
        Path p = Path.of(s.path());
        if (s.whole()) return new Opened(p, null, s);
        Path tmp = Files.createTempFile("geomend-split-", ".csv");
        try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            long h = lineEnd(in, 0);
            for (long w = 0; w < h; ) w += in.transferTo(w, h - w, out);
            for (long w = 0; w < s.end() - s.start(); ) w += in.transferTo(s.start() + w, s.end() - s.start() - w, out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new Opened(tmp, p, s);
    }

    /** A split ready to read: {@code csv} (the input, or a temporary copy of its part). */
    record Opened(Path csv, Path original, Split split) implements AutoCloseable {
        /** The input file and line of line {@code line} of {@link #csv}, or null when {@code file} is not it. */
        BadRows.Origin where(Path file, long line) {
            if (original == null || !csv.equals(file)) return null;
            return new BadRows.Origin(original, line(line));
        }

        /** The input file's line of line {@code line} of {@link #csv}. */
        long line(long line) {
            return original == null || line <= 1 ? line : line - 2 + split.firstLine();
        }

        /** An error of the reader on {@link #csv}, named by the input file and its own line. */
        InputException translate(InputException e) {
            BadRows.Origin w = where(e.file(), e.line());
            return w == null ? e : new InputException(w.file(), w.line(), e.reason(), e);
        }

        @Override
        public void close() throws IOException {
            if (original != null) Files.deleteIfExists(csv);
        }
    }
}
