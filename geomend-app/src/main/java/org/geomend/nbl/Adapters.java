package org.geomend.nbl;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.geomend.io.CsvReader;
import org.geomend.io.InputException;

/**
 * Turns the three real measurement sets of {@code shared/data/measurements} into the long format.
 * Bad rows (unparseable numbers, missing or out-of-range positions, wrong field counts) are counted per
 * reason and reported, never silently dropped; the first few are quoted with file and line.
 * <ul>
 * <li>{@code walksignal}: one record per row, serving cell {@code mcc-mnc-cellid}, RSRP from
 * {@code signal}, PD = timing advance x 78.12 m (LTE: 16 Ts = 0.52 us round trip).</li>
 * <li>{@code cork}: one record per row, serving cell {@code operator-RAWCELLID} (else CellID), RSRP and
 * RSSI; the neighbour level NRxRSRP carries no cell id and is not used. Reads the zip directly.</li>
 * <li>{@code uav}: one record per row with at least one cell: the pcell first (serving), then every
 * detected cell, id {@code pci-N} (cells are only known by PCI); a detected value identical to the
 * pcell's is not repeated. A PCI seen several times in a row (other carriers) gives several values
 * of that cell. Columns are found by header per file (the files have 9 to 14 detected slots).</li>
 * </ul>
 */
public final class Adapters {

    private Adapters() {}

    public static final double TA_METRES = 78.12;

    public static final class Report {
        public long rowsIn, recordsOut, rowsOut, emptyRows;
        public final java.util.TreeMap<String, Long> bad = new java.util.TreeMap<>();
        public final List<String> examples = new ArrayList<>();

        void bad(String reason, String where) {
            bad.merge(reason, 1L, Long::sum);
            if (examples.size() < 5) examples.add(where + ": " + reason);
        }

        public long badRows() {
            return bad.values().stream().mapToLong(Long::longValue).sum();
        }

        public void print(PrintStream out, String from) {
            out.printf(
                    Locale.ROOT,
                    "nbl import --from %s: %d input rows -> %d records, %d measurement rows; %d rows without any cell; %d bad rows%s%n",
                    from,
                    rowsIn,
                    recordsOut,
                    rowsOut,
                    emptyRows,
                    badRows(),
                    bad.isEmpty() ? "" : " " + bad);
            for (String e : examples) out.println("  bad row " + e);
        }
    }

    public static Report run(String from, List<Path> inputs, MeasurementCsv.RowWriter out) throws IOException {
        Report rep = new Report();
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) files.add(p);
            else throw new InputException(p, 0, "no such file or directory");
        }
        switch (from) {
            case "walksignal" -> {
                for (Path f : files)
                    if (f.getFileName().toString().endsWith(".csv")
                            && !f.getFileName().toString().startsWith("oci_ref"))
                        try (CsvReader r = CsvReader.open(f)) {
                            walksignal(stem(f), f.toString(), r, out, rep);
                        }
            }
            case "cork" -> {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".zip")) {
                        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(f))) {
                            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                                String n = e.getName();
                                if (e.isDirectory()
                                        || !n.endsWith(".csv")
                                        || n.contains("__MACOSX")
                                        || n.contains("/._")) continue;
                                // not closed: closing it would close the zip; it ends with the entry
                                CsvReader r = new CsvReader(Path.of(f + "!" + n), z, ',');
                                cork(
                                        n.replaceAll("^.*dataset/", "")
                                                .replace(".csv", "")
                                                .replace('/', '_'),
                                        f + "!" + n,
                                        r,
                                        out,
                                        rep);
                            }
                        }
                    } else if (name.endsWith(".csv"))
                        try (CsvReader r = CsvReader.open(f)) {
                            cork(stem(f), f.toString(), r, out, rep);
                        }
                }
            }
            case "uav" -> {
                for (Path f : files)
                    if (f.getFileName().toString().endsWith(".csv"))
                        try (CsvReader r = CsvReader.open(f).keepBlankLines()) {
                            uav(stem(f), f.toString(), r, out, rep);
                        }
            }
            default -> throw new IllegalArgumentException("unknown --from '" + from + "' (walksignal, cork, uav)");
        }
        return rep;
    }

    static String stem(Path f) {
        String n = f.getFileName().toString();
        int i = n.lastIndexOf('.');
        return i > 0 ? n.substring(0, i) : n;
    }

    static int col(CsvReader.Header h, String name) {
        return h.index(name);
    }

    /** NaN for empty, "-", "n/a"; throws NumberFormatException for anything else unparseable. */
    static double num(String s) {
        s = s.trim();
        if (s.isEmpty() || s.equals("-") || s.equalsIgnoreCase("n/a") || s.equalsIgnoreCase("nan")) return Double.NaN;
        double d = Double.parseDouble(s);
        if (!Double.isFinite(d)) throw new NumberFormatException(s);
        return d;
    }

    static boolean badPos(double lat, double lon) {
        return Double.isNaN(lat)
                || Double.isNaN(lon)
                || Math.abs(lat) > 90
                || Math.abs(lon) > 180
                || (lat == 0 && lon == 0);
    }

    static void walksignal(String session, String where, CsvReader r, MeasurementCsv.RowWriter out, Report rep)
            throws IOException {
        CsvReader.Header h = r.header();
        if (h == null) return;
        int mcc = col(h, "mcc"),
                mnc = col(h, "mnc"),
                cid = col(h, "cellid"),
                lat = col(h, "lat"),
                lon = col(h, "lon"),
                sig = col(h, "signal"),
                t = col(h, "measured_at"),
                ta = col(h, "ta");
        if (cid < 0 || lat < 0 || lon < 0 || sig < 0)
            throw new InputException(Path.of(where), 1, "not a walksignal file (need cellid,lat,lon,signal)");
        while (r.next()) {
            long line = r.line();
            rep.rowsIn++;
            if (r.size() != h.width()) {
                rep.bad("field count", where + ":" + line);
                continue;
            }
            try {
                double la = num(r.get(lat)), lo = num(r.get(lon)), rsrp = num(r.get(sig));
                double tav = ta >= 0 ? num(r.get(ta)) : Double.NaN;
                if (badPos(la, lo)) {
                    rep.bad("bad position", where + ":" + line);
                    continue;
                }
                String cell = r.get(cid);
                if (cell.isEmpty()) {
                    rep.bad("no cell id", where + ":" + line);
                    continue;
                }
                if (!Double.isNaN(rsrp) && (rsrp < -160 || rsrp > -20)) {
                    rep.bad("rsrp out of range", where + ":" + line);
                    continue;
                }
                if (!Double.isNaN(tav) && (tav < 0 || tav > 1282)) {
                    rep.bad("ta out of range", where + ":" + line);
                    continue;
                }
                out.row(
                        session + ":" + line,
                        t >= 0 ? r.get(t) : "",
                        la,
                        lo,
                        r.get(mcc) + "-" + r.get(mnc) + "-" + cell,
                        rsrp,
                        Double.NaN,
                        Double.isNaN(tav) ? Double.NaN : tav * TA_METRES);
                rep.recordsOut++;
                rep.rowsOut++;
            } catch (NumberFormatException e) {
                rep.bad("bad number", where + ":" + line);
            }
        }
    }

    static void cork(String session, String where, CsvReader r, MeasurementCsv.RowWriter out, Report rep)
            throws IOException {
        CsvReader.Header h = r.header();
        if (h == null) return;
        int ts = col(h, "Timestamp"),
                lat = col(h, "Latitude"),
                lon = col(h, "Longitude"),
                op = col(h, "Operatorname"),
                cid = col(h, "CellID"),
                raw = col(h, "RAWCELLID"),
                rsrp = col(h, "RSRP"),
                rssi = col(h, "RSSI");
        if (lat < 0 || lon < 0 || cid < 0 || rsrp < 0)
            throw new InputException(Path.of(where), 1, "not a Cork 5G production file");
        while (r.next()) {
            long line = r.line();
            rep.rowsIn++;
            if (r.size() != h.width()) {
                rep.bad("field count", where + ":" + line);
                continue;
            }
            try {
                double la = num(r.get(lat)),
                        lo = num(r.get(lon)),
                        p = num(r.get(rsrp)),
                        q = rssi >= 0 ? num(r.get(rssi)) : Double.NaN;
                if (badPos(la, lo)) {
                    rep.bad("bad position", where + ":" + line);
                    continue;
                }
                String cell = raw >= 0 ? r.get(raw) : "";
                if (cell.isEmpty() || cell.equals("-")) cell = r.get(cid);
                if (cell.isEmpty() || cell.equals("-")) {
                    rep.bad("no cell id", where + ":" + line);
                    continue;
                }
                if (Double.isNaN(p) && Double.isNaN(q)) {
                    rep.bad("no rsrp or rssi", where + ":" + line);
                    continue;
                }
                if (!Double.isNaN(p) && (p < -160 || p > -20)) {
                    rep.bad("rsrp out of range", where + ":" + line);
                    continue;
                }
                if (!Double.isNaN(q) && (q < -140 || q > 0)) {
                    rep.bad("rssi out of range", where + ":" + line);
                    continue;
                }
                out.row(
                        session + ":" + line,
                        ts >= 0 ? r.get(ts) : "",
                        la,
                        lo,
                        (op >= 0 ? r.get(op) : "") + "-" + cell,
                        p,
                        q,
                        Double.NaN);
                rep.recordsOut++;
                rep.rowsOut++;
            } catch (NumberFormatException e) {
                rep.bad("bad number", where + ":" + line);
            }
        }
    }

    static void uav(String session, String where, CsvReader r, MeasurementCsv.RowWriter out, Report rep)
            throws IOException {
        CsvReader.Header h = r.header();
        if (h == null) return;
        int time = col(h, "Time"), lat = col(h, "Latitude"), lon = col(h, "Longitude");
        List<int[]> det = new ArrayList<>(); // pci, rsrp, rssi columns of detected slot n
        for (int n = 1; ; n++) {
            int p = col(h, "Physical cell identity (LTE detected) - " + n);
            if (p < 0) break;
            det.add(new int[] {
                p, col(h, "RSRP (LTE detected) - " + n), col(h, "E-UTRAN carrier RSSI (LTE detected) - " + n)
            });
        }
        int pp = col(h, "Physical cell identity (LTE pcell)"),
                pr = col(h, "RSRP (LTE pcell)"),
                pq = col(h, "E-UTRAN carrier RSSI (LTE pcell)");
        if (lat < 0 || lon < 0 || pp < 0 || det.isEmpty())
            throw new InputException(Path.of(where), 1, "not a UAV LTE measurement file");
        List<String> cells = new ArrayList<>();
        List<double[]> vals = new ArrayList<>();
        Set<String> dedup = new HashSet<>();
        while (r.next()) {
            long line = r.line();
            rep.rowsIn++;
            if (r.size() == 1 && r.isEmpty(0)) {
                rep.bad("empty line", where + ":" + line);
                continue;
            }
            if (r.size() != h.width()) {
                rep.bad("field count", where + ":" + line);
                continue;
            }
            try {
                cells.clear();
                vals.clear();
                dedup.clear();
                String pci = r.get(pp);
                if (!pci.isEmpty()) {
                    int id = Integer.parseInt(pci);
                    double p = num(r.get(pr)), q = num(r.get(pq));
                    cells.add("pci-" + id);
                    vals.add(new double[] {p, q});
                    dedup.add(id + "/" + p + "/" + q);
                }
                for (int[] d : det) {
                    String v = r.get(d[0]);
                    if (v.isEmpty()) continue;
                    int id = Integer.parseInt(v);
                    double p = d[1] >= 0 ? num(r.get(d[1])) : Double.NaN, q = d[2] >= 0 ? num(r.get(d[2])) : Double.NaN;
                    if (!dedup.add(id + "/" + p + "/" + q)) continue;
                    cells.add("pci-" + id);
                    vals.add(new double[] {p, q});
                }
                if (cells.isEmpty()) {
                    rep.emptyRows++;
                    continue;
                }
                double la = num(r.get(lat)), lo = num(r.get(lon));
                if (badPos(la, lo)) {
                    rep.bad("bad position", where + ":" + line);
                    continue;
                }
                boolean ok = true;
                for (double[] v : vals) {
                    if (!Double.isNaN(v[0]) && (v[0] < -160 || v[0] > -20)) ok = false;
                    if (!Double.isNaN(v[1]) && (v[1] < -140 || v[1] > 0)) ok = false;
                }
                if (!ok) {
                    rep.bad("rsrp/rssi out of range", where + ":" + line);
                    continue;
                }
                String rec = session + ":" + line;
                for (int i = 0; i < cells.size(); i++) {
                    out.row(
                            rec,
                            time >= 0 ? r.get(time) : "",
                            la,
                            lo,
                            cells.get(i),
                            vals.get(i)[0],
                            vals.get(i)[1],
                            Double.NaN);
                    rep.rowsOut++;
                }
                rep.recordsOut++;
            } catch (NumberFormatException e) {
                rep.bad("bad number", where + ":" + line);
            }
        }
    }
}
