package org.geomend.io;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.geomend.kernels.GridSpec;

/**
 * The {@code index.csv} of a per-base-station map directory: header {@code id,x0,y0,resolution,crs},
 * one row per map in the order written, fields quoted RFC-4180 style when they hold a comma, quote or
 * line break (a proj string with commas, an odd id). Numbers are plain decimals.
 */
public final class MapIndex {

    public static final String FILE = "index.csv";
    static final String HEADER = "id,x0,y0,resolution,crs";

    /** One row: where the map of {@code id} lies and in which CRS (its width and height are in the file). */
    public record Entry(String id, double x0, double y0, double resolution, String crs) {
        static Entry of(String id, GridSpec g, String crs) { return new Entry(id, g.x0(), g.y0(), g.resolution(), crs); }

        String csvLine() {
            return field(id) + "," + num(x0) + "," + num(y0) + "," + num(resolution) + "," + field(crs);
        }
    }

    private MapIndex() {}

    /** Reads an index (or its journal {@code index.csv.partial}); rows by id, in file order, the last row of an id wins. */
    public static LinkedHashMap<String, Entry> read(Path file) throws IOException {
        LinkedHashMap<String, Entry> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.getFirst().strip().equals(HEADER))
            throw new InputException(file, 0, "line 1: expected header '" + HEADER + "'");
        StringBuilder pending = new StringBuilder();
        int startLine = 2;
        for (int i = 1; i < lines.size(); i++) {
            if (pending.isEmpty()) startLine = i + 1;
            else pending.append('\n');
            pending.append(lines.get(i));
            List<String> f = parse(pending);
            if (f == null) continue;                       // open quote: the record goes on
            pending.setLength(0);
            if (f.size() == 1 && f.getFirst().isEmpty()) continue;
            if (f.size() != 5) throw new InputException(file, 0, "line " + startLine + ": expected 5 fields, got " + f.size());
            try {
                out.put(f.get(0), new Entry(f.get(0), Double.parseDouble(f.get(1)), Double.parseDouble(f.get(2)),
                        Double.parseDouble(f.get(3)), f.get(4)));
            } catch (NumberFormatException e) {
                throw new InputException(file, 0, "line " + startLine + ": bad number (" + e.getMessage() + ")");
            }
        }
        if (!pending.isEmpty()) throw new InputException(file, 0, "line " + startLine + ": unterminated quote");
        return out;
    }

    static String num(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        String s = BigDecimal.valueOf(v).toPlainString();
        return s;
    }

    static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Splits one CSV record; null when a quoted field is still open at the end. */
    static List<String> parse(CharSequence line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') { cur.append('"'); i++; }
                    else quoted = false;
                } else cur.append(c);
            } else if (c == '"') quoted = true;
            else if (c == ',') { out.add(cur.toString()); cur.setLength(0); }
            else if (c != '\r') cur.append(c);
        }
        if (quoted) return null;
        out.add(cur.toString());
        return out;
    }
}
