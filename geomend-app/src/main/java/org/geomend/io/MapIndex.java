package org.geomend.io;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.geomend.kernels.GridSpec;

/**
 * The {@code index.csv} of a per-base-station map directory: header {@code id,x0,y0,resolution,crs},
 * one row per map in the order written, text fields written by {@link CsvField} (quoted where they hold a
 * delimiter, quote, line break or edge blank: a proj string with commas, an odd id). Numbers are plain decimals. Read
 * with {@link CsvReader}.
 */
public final class MapIndex {

    public static final String FILE = "index.csv";
    static final String HEADER = "id,x0,y0,resolution,crs";

    /** One row: where the map of {@code id} lies and in which CRS (its width and height are in the file). */
    public record Entry(String id, double x0, double y0, double resolution, String crs) {
        static Entry of(String id, GridSpec g, String crs) {
            return new Entry(id, g.x0(), g.y0(), g.resolution(), crs);
        }

        String csvLine() {
            return CsvField.of(id) + "," + num(x0) + "," + num(y0) + "," + num(resolution) + "," + CsvField.of(crs);
        }
    }

    private MapIndex() {}

    /** Reads an index (or its journal {@code index.csv.partial}); rows by id, in file order, the last row of an id wins. */
    public static LinkedHashMap<String, Entry> read(Path file) throws IOException {
        LinkedHashMap<String, Entry> out = new LinkedHashMap<>();
        try (CsvReader r = new CsvReader(file, Files.newInputStream(file), ',')) {
            CsvReader.Header h = r.header();
            if (h == null || !String.join(",", h.names()).equals(HEADER))
                throw new InputException(file, 0, "line 1: expected header '" + HEADER + "'");
            while (r.next()) {
                if (r.size() != 5)
                    throw new InputException(file, 0, "line " + r.line() + ": expected 5 fields, got " + r.size());
                try {
                    out.put(
                            r.get(0),
                            new Entry(
                                    r.get(0),
                                    Double.parseDouble(r.get(1)),
                                    Double.parseDouble(r.get(2)),
                                    Double.parseDouble(r.get(3)),
                                    r.get(4)));
                } catch (NumberFormatException e) {
                    throw new InputException(file, 0, "line " + r.line() + ": bad number (" + e.getMessage() + ")");
                }
            }
        } catch (InputException e) {
            throw new InputException(file, 0, "line " + e.line() + ": " + e.reason());
        }
        return out;
    }

    static String num(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        String s = BigDecimal.valueOf(v).toPlainString();
        return s;
    }
}
