package org.geomend.spark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.geomend.io.CsvField;
import org.geomend.io.InputException;
import org.geomend.kernels.Backends;

/**
 * Parquet inputs (inventory, measurements, KPIs) with the columns of the CSV. A Parquet file, or a directory of part
 * files ({@code *.parquet}, in name order), becomes a temporary CSV of the same columns (header: the column names;
 * one line per row: numbers as Java writes them, which the CSV reader reads back to the same double; strings quoted
 * when needed; null and NaN empty, as an unreported CSV field), read by the input's one reader ({@code
 * InventoryReader}, {@code MeasurementCsv}, {@code Kpi}): no second validation. {@link Csv#translate} turns that
 * reader's errors about the temporary file back into the Parquet file and row ({@code file.parquet: row N: reason},
 * N 1-based within that file).
 */
final class ParquetInput {

    private ParquetInput() {}

    /** A Parquet input: a {@code .parquet} file or a directory holding {@code .parquet} files. */
    static boolean is(Path p) {
        if (Files.isDirectory(p)) return !parts(p).isEmpty();
        return p.getFileName() != null
                && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet");
    }

    /** The part files of a directory (not starting with '_' or '.'), sorted. */
    static List<Path> parts(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> {
                        String n = f.getFileName().toString();
                        return n.endsWith(".parquet") && !n.startsWith("_") && !n.startsWith(".");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new InputException(dir, 0, "cannot list: " + e.getMessage(), e);
        }
    }

    /** A reader of one input kind, on a CSV file: {@code input} itself, or the CSV form {@code parquet} (else null). */
    @FunctionalInterface
    interface Reader<T> {
        T read(Path csv, Csv parquet) throws IOException;
    }

    /**
     * {@code reader} on {@code input}: directly when it is not Parquet, else on its CSV form, its errors named by the
     * Parquet file and row.
     */
    static <T> T read(Path input, Reader<T> reader) throws IOException {
        if (!is(input)) return reader.read(input, null);
        try (Csv c = toCsv(input)) {
            try {
                return reader.read(c.csv, c);
            } catch (InputException e) {
                throw c.translate(e);
            }
        }
    }

    /** The CSV form of a Parquet input; {@link #close} deletes it. */
    static final class Csv implements AutoCloseable {
        final Path csv;
        private final List<Path> files = new ArrayList<>();
        private final List<Long> firstRow = new ArrayList<>();
        /** line of the CSV -> global data row (0-based) at that line; a new entry after each multi-line row */
        private final TreeMap<Long, Long> lines = new TreeMap<>(Map.of(2L, 0L));

        private Csv(Path csv) {
            this.csv = csv;
        }

        /** The Parquet file and 1-based row of CSV line {@code line} (line 1 is the header). */
        BadRows.Origin row(long line) {
            Map.Entry<Long, Long> e = lines.floorEntry(line);
            if (e == null) return new BadRows.Origin(files.get(0), 0L);
            long g = e.getValue() + (line - e.getKey());
            int j = files.size() - 1;
            while (j > 0 && firstRow.get(j) > g) j--;
            return new BadRows.Origin(files.get(j), g - firstRow.get(j) + 1);
        }

        /** The Parquet file and row of line {@code line} of {@code file}, or null when {@code file} is not the CSV form. */
        BadRows.Origin where(Path file, long line) {
            return csv.equals(file) ? row(line) : null;
        }

        /** An error of the CSV reader on the temporary file, named by the Parquet file and row instead. */
        InputException translate(InputException e) {
            if (e.file() == null || !e.file().equals(csv)) return e;
            if (e.line() <= 1) return new InputException(files.isEmpty() ? csv : files.get(0), 0, e.reason(), e);
            BadRows.Origin r = row(e.line());
            return new InputException(r.file(), 0, "row " + r.line() + ": " + e.reason(), e);
        }

        @Override
        public void close() throws IOException {
            Files.deleteIfExists(csv);
        }
    }

    /**
     * Writes {@code input} (a Parquet file or a directory of them) as a temporary CSV; the parts must have the same
     * columns. A file that is not Parquet, or a nested or repeated column, is an {@link InputException}.
     */
    static Csv toCsv(Path input) throws IOException {
        List<Path> files = Files.isDirectory(input) ? parts(input) : List.of(input);
        if (files.isEmpty()) throw new InputException(input, 0, "no .parquet files");
        Csv out = new Csv(Files.createTempFile(
                "geomend-" + input.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_") + "-", ".csv"));
        try (BufferedWriter w = Files.newBufferedWriter(out.csv, StandardCharsets.UTF_8)) {
            long row = 0, line = 2;
            List<String> header = null;
            StringBuilder sb = new StringBuilder();
            for (Path f : files) {
                out.files.add(f);
                out.firstRow.add(row);
                try (ParquetFileReader r = ParquetFileReader.open(
                        new LocalInputFile(f),
                        ParquetReadOptions.builder(new PlainParquetConfiguration())
                                .build())) {
                    MessageType schema = r.getFooter().getFileMetaData().getSchema();
                    List<String> names = new ArrayList<>();
                    for (Type t : schema.getFields()) {
                        if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED))
                            throw new InputException(f, 0, "column '" + t.getName() + "' is not a plain column");
                        names.add(t.getName());
                    }
                    if (header == null) {
                        header = names;
                        for (int c = 0; c < names.size(); c++) {
                            if (c > 0) sb.append(',');
                            CsvField.append(sb, names.get(c));
                        }
                        w.append(sb).append('\n');
                    } else if (!header.equals(names))
                        throw new InputException(
                                f, 0, "columns " + names + " differ from " + files.get(0) + "'s " + header);
                    PageReadStore pages;
                    while ((pages = r.readNextRowGroup()) != null) {
                        RecordReader<Group> rr = new ColumnIOFactory()
                                .getColumnIO(schema)
                                .getRecordReader(pages, new GroupRecordConverter(schema));
                        for (long i = 0; i < pages.getRowCount(); i++) {
                            Group g = rr.read();
                            sb.setLength(0);
                            for (int c = 0; c < names.size(); c++) {
                                if (c > 0) sb.append(',');
                                if (g.getFieldRepetitionCount(c) > 0)
                                    value(sb, g, c, schema.getType(c).asPrimitiveType());
                            }
                            w.append(sb).append('\n');
                            row++;
                            long physical =
                                    1 + sb.chars().filter(ch -> ch == '\n').count();
                            line += physical;
                            if (physical > 1) out.lines.put(line, row);
                        }
                    }
                } catch (InputException e) {
                    throw e;
                } catch (IOException | RuntimeException e) {
                    throw new InputException(f, 0, "not a readable Parquet file: " + Backends.oneLine(e), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    private static void value(StringBuilder sb, Group g, int c, PrimitiveType t) {
        switch (t.getPrimitiveTypeName()) {
            case DOUBLE -> number(sb, g.getDouble(c, 0));
            case FLOAT -> {
                float v = g.getFloat(c, 0);
                if (!Float.isNaN(v)) sb.append(Float.isInfinite(v) ? Double.toString(v) : Float.toString(v));
            }
            case INT32 -> sb.append(g.getInteger(c, 0));
            case INT64 -> sb.append(g.getLong(c, 0));
            case BOOLEAN -> sb.append(g.getBoolean(c, 0));
            case BINARY -> {
                if (t.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                        || t.getLogicalTypeAnnotation() == null) CsvField.append(sb, g.getString(c, 0));
                else CsvField.append(sb, g.getValueToString(c, 0));
            }
            default -> CsvField.append(sb, g.getValueToString(c, 0));
        }
    }

    private static void number(StringBuilder sb, double v) {
        if (!Double.isNaN(v)) sb.append(v);
    }
}
