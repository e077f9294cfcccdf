package org.geomend.spark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.geomend.io.CsvField;
import org.geomend.io.InputException;
import org.geomend.nbl.MeasurementCsv;

/**
 * {@code --bad-rows DIR}: the malformed rows of one input file, written by its task to {@code DIR/part-NNNNN.csv}
 * ({@code file,line,reason,row}: the row's fields joined by commas; for a Parquet input {@code line} is the
 * 1-based row of that Parquet file) and counted; without {@code --bad-rows} the
 * first malformed row stops the job (the one-line message names the file and line).
 */
final class BadRows implements MeasurementCsv.BadRowHandler, AutoCloseable {
    static final String HEADER = "file,line,reason,row";
    private final Path target;
    /**
     * Where a row of the file being read comes from, as (file, line), or null when it is that file's own: a split's
     * temporary copy ({@link Splits}) names the input file and its line; a Parquet input's CSV form ({@link
     * ParquetInput}) the Parquet file and its 1-based row.
     */
    java.util.function.BiFunction<Path, Long, Origin> where = (f, l) -> null;

    /** The file and line (for Parquet: the 1-based row) a row of a temporary CSV comes from. */
    record Origin(Path file, long line) {}

    private BufferedWriter out;
    long count;

    private BadRows(Path target) {
        this.target = target;
    }

    /** The handler of the task for input file number {@code part}, or null when bad rows stop the job. */
    static BadRows forPart(String dir, int part) {
        return dir == null ? null : new BadRows(Path.of(dir).resolve(String.format("part-%05d.csv", part)));
    }

    @Override
    public void bad(InputException error, List<String> fields) throws IOException {
        Object file = error.file();
        long line = error.line();
        Origin w = where.apply(error.file(), line);
        if (w != null) {
            file = w.file();
            line = w.line();
        }
        if (out == null) {
            Files.createDirectories(target.getParent());
            out = Files.newBufferedWriter(target, StandardCharsets.UTF_8);
            out.write(HEADER);
            out.write('\n');
        }
        out.write(CsvField.of(String.valueOf(file)) + "," + line + "," + CsvField.of(error.reason()) + ","
                + CsvField.of(String.join(",", fields)) + "\n");
        count++;
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
