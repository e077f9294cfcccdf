package org.geomend.traffic;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.geomend.io.CsvReader;
import org.geomend.io.InputException;
import org.geomend.io.Inventory;

/**
 * Per-base-station KPI values, read from a CSV with the header {@code id,value} (one time step, named
 * {@code value}) or {@code id,time,value} (one row per site and time step; columns found by name, extra columns
 * ignored). Times are free text, sorted numerically when every one is a number, else as strings (ISO 8601
 * timestamps sort in time order). A site without a row for some time has 0 traffic then.
 *
 * <p>Bad input, each an {@link InputException} naming the file and line: an id not in the inventory (unless {@code
 * skipUnknown}: counted with its traffic, reported), a value that is empty, not a number, NaN, infinite or
 * negative, a second row for the same (id, time), a file without rows. Ids of inventory rows that were merged into
 * another site (same position) count for that site.
 *
 * @param times        the time steps in sorted order
 * @param values       per inventory site: its value per time step (index as {@link #times}), or null without rows
 * @param inputTotal   sum of every known site's values
 * @param unknownRows  rows skipped for an unknown id ({@code skipUnknown})
 * @param unknownIds   distinct unknown ids skipped
 * @param unknownTotal their values' sum
 */
public record Kpi(
        Path file,
        String[] times,
        double[][] values,
        long rows,
        double inputTotal,
        long unknownRows,
        int unknownIds,
        double unknownTotal) {

    /** Inventory sites that have KPI rows, ascending. */
    public int[] sites() {
        int n = 0;
        for (double[] v : values) if (v != null) n++;
        int[] out = new int[n];
        for (int i = 0, k = 0; i < values.length; i++) if (values[i] != null) out[k++] = i;
        return out;
    }

    /** Sum over time steps of site {@code i}'s values (0 without rows). */
    public double siteTotal(int i) {
        double s = 0;
        if (values[i] != null) for (double v : values[i]) s += v;
        return s;
    }

    public static Kpi read(Path file, Inventory inv, boolean skipUnknown) throws IOException {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < inv.size(); i++)
            index.putIfAbsent(inv.sites().get(i).id(), i);
        return read(file, inv.size(), id -> index.get(inv.resolveId(id)), skipUnknown);
    }

    /**
     * As {@link #read(Path, Inventory, boolean)} for any list of {@code size} sites: {@code siteOf} gives the site
     * index of an id, or null when the id is unknown (e.g. a dataset's sites, {@code geomend eval --use-cases}).
     */
    public static Kpi read(
            Path file, int size, java.util.function.Function<String, Integer> siteOf, boolean skipUnknown)
            throws IOException {
        record Row(int site, String time, double value) {}
        List<Row> rows = new ArrayList<>();
        Set<String> seen = new HashSet<>(), unknown = new HashSet<>();
        long unknownRows = 0;
        double unknownTotal = 0;
        try (CsvReader r = CsvReader.open(file)) {
            CsvReader.Header h = r.header();
            if (h == null)
                throw new InputException(file, 0, "empty file (expected a header id,value or id,time,value)");
            int id = h.require("id", " (KPI header: id,value or id,time,value)");
            int val = h.require("value", " (KPI header: id,value or id,time,value)");
            int time = h.index("time");
            while (r.next()) {
                if (r.size() <= Math.max(Math.max(id, val), time))
                    throw r.error("expected " + h.width() + " fields, got " + r.size());
                String sid = r.get(id).strip();
                if (sid.isEmpty()) throw r.error("empty id");
                String t = time < 0 ? "value" : r.get(time).strip();
                if (time >= 0 && t.isEmpty()) throw r.error("empty time");
                double v = r.requiredNumber(val, "value");
                if (Double.isNaN(v)) throw r.error("value is NaN");
                if (v < 0) throw r.error("value is negative: " + r.get(val));
                if (!seen.add(sid + '\u0000' + t))
                    throw r.error("second row for id '" + sid + "'" + (time >= 0 ? " at time '" + t + "'" : ""));
                Integer site = siteOf.apply(sid);
                if (site == null) {
                    if (!skipUnknown)
                        throw r.error("id '" + sid
                                + "' is not in the inventory (--skip-unknown to count and skip such rows)");
                    unknownRows++;
                    unknown.add(sid);
                    unknownTotal += v;
                    continue;
                }
                rows.add(new Row(site, t, v));
            }
        }
        if (rows.isEmpty() && unknownRows == 0) throw new InputException(file, 0, "no KPI rows");
        if (rows.isEmpty())
            throw new InputException(
                    file,
                    0,
                    "no KPI row names a site of the inventory (" + unknownRows + " rows with unknown ids skipped)");
        TreeSet<String> ts =
                new TreeSet<>(timeOrder(rows.stream().map(Row::time).distinct().toList()));
        for (Row row : rows) ts.add(row.time());
        String[] times = ts.toArray(String[]::new);
        Map<String, Integer> tIndex = new HashMap<>();
        for (int i = 0; i < times.length; i++) tIndex.put(times[i], i);
        double[][] values = new double[size][];
        double total = 0;
        for (Row row : rows) {
            double[] v = values[row.site()];
            if (v == null) values[row.site()] = v = new double[times.length];
            v[tIndex.get(row.time())] += row.value(); // merged inventory rows add up
            total += row.value();
        }
        return new Kpi(file, times, values, rows.size(), total, unknownRows, unknown.size(), unknownTotal);
    }

    /** Numeric order when every time is a number, else string order. */
    static Comparator<String> timeOrder(List<String> times) {
        for (String t : times) {
            try {
                Double.parseDouble(t);
            } catch (NumberFormatException e) {
                return Comparator.naturalOrder();
            }
        }
        return Comparator.comparingDouble(Double::parseDouble).thenComparing(Comparator.naturalOrder());
    }

    @Override
    public String toString() {
        return "Kpi[" + file + ", times " + Arrays.toString(times) + ", " + rows + " rows]";
    }
}
