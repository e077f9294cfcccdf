package org.geomend.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.geomend.geo.Crs;
import org.geomend.geo.CrsTransform;
import org.geomend.geo.Projections;

/**
 * Reads a site inventory (SPEC section 5), its format detected from the first line:
 *
 * <ul>
 *   <li><b>generic</b> ({@value #GENERIC}): a CSV (comma, semicolon or tab, chosen by the header) with a
 *       header holding {@code id} and either {@code x,y} (projected; CRS = {@code --crs}, default
 *       EPSG:2154) or {@code lat,lon} (WGS84; projected to {@code --crs}, default
 *       {@link Projections#defaultFor Lambert azimuthal equal-area on the sites' centroid}); {@code x,y}
 *       wins when a file has both. Optional {@code env} ({@code urban|suburban|rural}, any case; empty =
 *       unknown; anything else is a bad row) and {@code operator} (what {@code --operator} filters on).
 *       Ids must be unique.</li>
 *   <li><b>ARCEP</b> ({@value #ARCEP}): "sites mobiles" export, header {@code Operateur;x;y;2G;3G;4G},
 *       x/y in Lambert-93 (with {@code --crs}, reprojected to it). {@code --operator} filters on the
 *       operator code (e.g. 20801). The id is the site-id column when there is one ({@code id},
 *       {@code code_site}, {@code num_site}, {@code site_id}, {@code id_site}), else the 1-based number of the
 *       data row in the file (stable whatever the filter).</li>
 *   <li><b>OpenCelliD</b> ({@value #OPENCELLID}): {@code cell_towers.csv} with its header
 *       ({@code radio,mcc,net,area,cell,unit,lon,lat,...}) or without (14 columns, the first a radio
 *       token GSM/UMTS/LTE/NR/CDMA). Operator = {@code mcc-net} (numbers without leading zeros, e.g.
 *       {@code 208-1}; {@code --operator} accepts {@code 208-1}, {@code 208-01} or {@code 20801}). Cells
 *       at the same position are one site whose id is {@code mcc-net-area-cell} of its first cell;
 *       lon/lat are projected as in the generic format.</li>
 * </ul>
 *
 * <p>Read with {@link CsvReader}. With a semicolon or tab delimiter a decimal comma is accepted ({@code 2,35}). Double-quoted fields
 * are unquoted (RFC 4180). Blank lines are ignored. A bad row (wrong column count, a number that does not parse
 * or is not finite, lat/lon out of range, empty id, bad env, duplicate id, a point that cannot be
 * projected) fails the read with an {@link InputException} naming file and line, unless
 * {@link InventoryOptions#skipBadRows()}: then it is counted in {@link Inventory#skippedRows()} and
 * summarised in one report line. Rows of other operators are not checked beyond their column count.
 *
 * <p>Rows whose projected positions are exactly equal are merged into the first one (its id, env,
 * operator and line), counted in {@link Inventory#mergedDuplicates()} and reported; for OpenCelliD this
 * is how cells become sites. An empty file, a header without the needed columns, or no site left is
 * an {@link InputException} on line 1. An unreadable file is one with line 0.
 */
public final class InventoryReader {

    public static final String GENERIC = "generic", ARCEP = "arcep", OPENCELLID = "opencellid";

    private static final Set<String> RADIOS = Set.of("GSM", "UMTS", "LTE", "NR", "CDMA");
    private static final List<String> ARCEP_ID_COLUMNS = List.of("id", "code_site", "num_site", "site_id", "id_site");
    private static final List<String> OCID_COLUMNS = List.of(
            "radio",
            "mcc",
            "net",
            "area",
            "cell",
            "unit",
            "lon",
            "lat",
            "range",
            "samples",
            "changeable",
            "created",
            "updated",
            "averagesignal");

    private static final String[] CELL_KEY = {"mcc", "net", "area", "cell"};

    private InventoryReader() {}

    /**
     * Reads {@code file} as described in the class comment.
     *
     * @throws InputException           bad input (message: {@code file:line: reason})
     * @throws IllegalArgumentException a bad {@link InventoryOptions#crs()}
     */
    public static Inventory read(Path file, InventoryOptions opts) {
        Crs override = opts.crs() == null ? null : Projections.parse(opts.crs());
        try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            char d = delimiter(firstLine(in));
            CsvReader csv = new CsvReader(file, in, d);
            if (d != ',') csv.decimalComma();
            return new Run(file, opts, override).read(csv);
        } catch (NoSuchFileException e) {
            throw new InputException(file, 0, "no such file");
        } catch (IOException e) {
            throw new InputException(file, 0, "cannot read: " + e.getMessage(), e);
        }
    }

    /** The first line (up to 64 KiB of it, as Latin-1: only its delimiters count), the stream reset to its start. */
    private static String firstLine(BufferedInputStream in) throws IOException {
        int max = 1 << 16;
        in.mark(max);
        byte[] b = new byte[max];
        int n = 0;
        for (int c; n < max && (c = in.read()) >= 0 && c != '\n'; ) b[n++] = (byte) c;
        in.reset();
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** The delimiter of a header line: semicolon or tab when they outnumber commas, else comma. */
    static char delimiter(String header) {
        int comma = 0, semi = 0, tab = 0;
        for (int i = 0; i < header.length(); i++) {
            switch (header.charAt(i)) {
                case ',' -> comma++;
                case ';' -> semi++;
                case '\t' -> tab++;
                default -> {}
            }
        }
        if (semi > comma && semi >= tab) return ';';
        if (tab > comma && tab > semi) return '\t';
        return ',';
    }

    /** Where a format keeps its fields; -1 = absent. {@code a,b} are x,y or lon,lat. */
    private record Layout(
            String format,
            char delim,
            int ncols,
            boolean headerLine,
            int idCol,
            int aCol,
            int bCol,
            boolean lonLat,
            int envCol,
            int opCol,
            int mccCol,
            int netCol,
            int areaCol,
            int cellCol) {
        String aName() {
            return lonLat ? "lon" : "x";
        }

        String bName() {
            return lonLat ? "lat" : "y";
        }
        /** Ids come from the file (and must be unique) rather than from row numbers or cells. */
        boolean fileIds() {
            return idCol >= 0;
        }
    }

    /** One parsed row before projection and merging. */
    private record Row(String id, double a, double b, String env, String operator, long line) {}

    /** A bad row's reason, thrown inside row parsing (no stack trace: it is control flow). */
    private static final class Bad extends Exception {
        Bad(String reason) {
            super(reason, null, false, false);
        }
    }

    private record Pos(double x, double y) {}

    /** The state of one read. */
    private static final class Run {
        final Path file;
        final InventoryOptions opts;
        final Crs override;
        Layout lay;
        String opFilter;
        final List<Row> rows = new ArrayList<>();
        final Map<String, Long> idLines = new HashMap<>();
        final Set<String> operatorsSeen = new TreeSet<>();
        int skipped, filteredOut;
        long firstBadLine = Long.MAX_VALUE;
        String firstBadReason;
        long dataRows;

        Run(Path file, InventoryOptions opts, Crs override) {
            this.file = file;
            this.opts = opts;
            this.override = override;
        }

        Inventory read(CsvReader in) throws IOException {
            CsvReader.Header header = in.header();
            if (header == null) throw new InputException(file, 1, "empty file");
            lay = detect(in, header);
            if (opts.operator() != null) {
                if (lay.opCol < 0 && lay.mccCol < 0)
                    throw new InputException(file, 1, "--operator given but the file has no operator column");
                opFilter = normOperator(opts.operator().strip());
            }
            if (!lay.headerLine) row(in);
            while (in.next()) row(in);
            return finish();
        }

        // ---- header -------------------------------------------------------------------------------

        Layout detect(CsvReader in, CsvReader.Header header) {
            char d = in.delimiter();
            List<String> raw = header.names();
            Map<String, Integer> col = new LinkedHashMap<>();
            for (int i = 0; i < raw.size(); i++)
                col.putIfAbsent(raw.get(i).strip().toLowerCase(Locale.ROOT), i);

            if (d == ','
                    && raw.size() == OCID_COLUMNS.size()
                    && RADIOS.contains(raw.get(0).strip().toUpperCase(Locale.ROOT)))
                return new Layout(OPENCELLID, ',', OCID_COLUMNS.size(), false, -1, 6, 7, true, -1, -1, 1, 2, 3, 4);
            if (col.keySet().containsAll(List.of("radio", "mcc", "net", "area", "cell", "lon", "lat")))
                return new Layout(
                        OPENCELLID,
                        d,
                        raw.size(),
                        true,
                        -1,
                        col.get("lon"),
                        col.get("lat"),
                        true,
                        -1,
                        -1,
                        col.get("mcc"),
                        col.get("net"),
                        col.get("area"),
                        col.get("cell"));
            if ((col.containsKey("operateur") || col.containsKey("opérateur"))
                    && col.containsKey("x")
                    && col.containsKey("y")) {
                int op = col.containsKey("operateur") ? col.get("operateur") : col.get("opérateur");
                int id = -1;
                for (String c : ARCEP_ID_COLUMNS)
                    if (col.containsKey(c)) {
                        id = col.get(c);
                        break;
                    }
                return new Layout(
                        ARCEP, d, raw.size(), true, id, col.get("x"), col.get("y"), false, -1, op, -1, -1, -1, -1);
            }
            String found = String.join(", ", col.keySet());
            if (!col.containsKey("id"))
                throw new InputException(
                        file,
                        1,
                        "no 'id' column in the header (a generic inventory needs id and"
                                + " x,y or lat,lon; an ARCEP one Operateur;x;y; found: " + found + ")");
            int env = col.getOrDefault("env", -1), op = col.getOrDefault("operator", -1);
            if (col.containsKey("x") && col.containsKey("y"))
                return new Layout(
                        GENERIC,
                        d,
                        raw.size(),
                        true,
                        col.get("id"),
                        col.get("x"),
                        col.get("y"),
                        false,
                        env,
                        op,
                        -1,
                        -1,
                        -1,
                        -1);
            if (col.containsKey("lat") && col.containsKey("lon"))
                return new Layout(
                        GENERIC,
                        d,
                        raw.size(),
                        true,
                        col.get("id"),
                        col.get("lon"),
                        col.get("lat"),
                        true,
                        env,
                        op,
                        -1,
                        -1,
                        -1,
                        -1);
            throw new InputException(file, 1, "the header has neither x,y nor lat,lon columns (found: " + found + ")");
        }

        // ---- rows ---------------------------------------------------------------------------------

        void row(CsvReader in) {
            long ln = in.line();
            dataRows++;
            int n = in.size();
            if (n != lay.ncols) {
                bad(ln, "expected " + lay.ncols + " columns, found " + n);
                return;
            }
            String op = null;
            if (lay.mccCol >= 0) op = normOperator(in.get(lay.mccCol) + "-" + in.get(lay.netCol));
            else if (lay.opCol >= 0) op = in.get(lay.opCol);
            if (opFilter != null) {
                if (op != null && operatorsSeen.size() < 50) operatorsSeen.add(op);
                if (!opFilter.equalsIgnoreCase(op)) {
                    filteredOut++;
                    return;
                }
            }
            try {
                double a = in.requiredNumber(lay.aCol, lay.aName()), b = in.requiredNumber(lay.bCol, lay.bName());
                if (lay.lonLat) {
                    if (!(Math.abs(a) <= 180))
                        throw new Bad("lon is out of range [-180, 180]: '" + in.get(lay.aCol) + "'");
                    if (!(Math.abs(b) <= 90))
                        throw new Bad("lat is out of range [-90, 90]: '" + in.get(lay.bCol) + "'");
                }
                String id;
                if (lay.idCol >= 0) id = in.get(lay.idCol);
                else if (lay.cellCol >= 0) id = cellId(in);
                else id = Long.toString(dataRows);
                if (id.isEmpty()) throw new Bad("empty id");
                String env = lay.envCol >= 0 ? env(in.get(lay.envCol)) : null;
                if (lay.fileIds()) {
                    Long prev = idLines.putIfAbsent(id, ln);
                    if (prev != null) throw new Bad("duplicate id '" + id + "' (first on line " + prev + ")");
                }
                rows.add(new Row(id, a, b, env, op, ln));
            } catch (Bad e) {
                bad(ln, e.getMessage());
            } catch (InputException e) {
                bad(ln, e.reason());
            }
        }

        String cellId(CsvReader in) throws Bad {
            StringBuilder sb = new StringBuilder();
            int[] cols = {lay.mccCol, lay.netCol, lay.areaCol, lay.cellCol};
            for (int j = 0; j < cols.length; j++) {
                String t = in.get(cols[j]);
                if (t.isEmpty()) throw new Bad("empty " + CELL_KEY[j] + " (part of the cell id)");
                if (!sb.isEmpty()) sb.append('-');
                sb.append(t);
            }
            return sb.toString();
        }

        static String env(String token) throws Bad {
            String t = token.strip().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "" -> null;
                case "urban", "suburban", "rural" -> t;
                default -> throw new Bad("env must be urban, suburban or rural: '" + token.strip() + "'");
            };
        }

        void bad(long ln, String reason) {
            if (!opts.skipBadRows()) throw new InputException(file, ln, reason);
            skipped++;
            if (ln < firstBadLine) {
                firstBadLine = ln;
                firstBadReason = reason;
            }
        }

        // ---- projection and merging ---------------------------------------------------------------

        Inventory finish() {
            int n = rows.size();
            double[] xs = new double[n], ys = new double[n];
            for (int i = 0; i < n; i++) {
                xs[i] = rows.get(i).a;
                ys[i] = rows.get(i).b;
            }
            Crs crs;
            CrsTransform t = null;
            String crsNote = null;
            if (lay.lonLat) {
                crs = override != null ? override : Projections.defaultFor(xs, ys, n);
                crsNote = override != null
                        ? "lon/lat projected to " + crs.name()
                        : "lon/lat projected to " + crs.name() + " (default: equal-area centred on the sites)";
                t = Projections.fromLonLat(crs);
            } else if (lay.format.equals(ARCEP)) {
                crs = Projections.LAMBERT_93;
                if (override != null && !Projections.same(override, crs)) {
                    t = Projections.between(crs, override);
                    crs = override;
                    crsNote = "Lambert-93 x,y reprojected to " + crs.name();
                }
            } else {
                crs = override != null ? override : Projections.LAMBERT_93;
            }
            if (t != null) t.forward(xs, ys, xs, ys, n);

            List<Site> sites = new ArrayList<>(n);
            Map<Pos, Integer> at = new HashMap<>(Math.max(16, n * 2));
            Map<String, Long> siteIds = lay.fileIds() ? null : new HashMap<>();
            int merged = 0;
            long mergedLine = 0, mergedInto = 0;
            Map<String, String> mergedIds = new HashMap<>();
            for (int i = 0; i < n; i++) {
                Row r = rows.get(i);
                if (!Double.isFinite(xs[i]) || !Double.isFinite(ys[i])) {
                    bad(
                            r.line,
                            "cannot project " + lay.aName() + "," + lay.bName() + " (" + r.a + ", " + r.b + ") to "
                                    + crs.name());
                    continue;
                }
                Pos p = new Pos(xs[i] + 0.0, ys[i] + 0.0);
                Integer k = at.get(p);
                if (k != null) {
                    if (r.id != null && !r.id.isEmpty())
                        mergedIds.putIfAbsent(r.id, sites.get(k).id());
                    if (merged++ == 0) {
                        mergedLine = r.line;
                        mergedInto = sites.get(k).line();
                    }
                    continue;
                }
                if (siteIds != null) {
                    Long prev = siteIds.putIfAbsent(r.id, r.line);
                    if (prev != null) {
                        bad(r.line, "duplicate id '" + r.id + "' at another position (first on line " + prev + ")");
                        continue;
                    }
                }
                at.put(p, sites.size());
                sites.add(new Site(r.id, xs[i], ys[i], r.env, r.operator, r.line));
            }

            if (sites.isEmpty()) {
                String why;
                if (opFilter != null && filteredOut > 0)
                    why = "no site of operator '" + opts.operator().strip() + "' (" + filteredOut
                            + " rows of other operators: " + String.join(", ", operatorsSeen) + ")";
                else if (skipped > 0)
                    why = "no valid row (" + skipped + " bad rows skipped; first: line " + firstBadLine + ": "
                            + firstBadReason + ")";
                else why = "no sites (no data rows)";
                throw new InputException(file, 1, why);
            }

            PrintStream rep = opts.report();
            if (rep != null) {
                if (opFilter != null)
                    rep.println(file + ": operator " + opts.operator().strip() + ": kept " + (dataRows - filteredOut)
                            + " rows, left out " + filteredOut + " of other operators");
                if (skipped > 0)
                    rep.println(file + ": skipped " + skipped + " bad row" + (skipped == 1 ? "" : "s")
                            + "; first: line " + firstBadLine + ": " + firstBadReason);
                if (merged > 0) {
                    if (lay.format.equals(OPENCELLID))
                        rep.println(file + ": merged " + merged + " cell" + (merged == 1 ? "" : "s")
                                + " into the site of an earlier cell at the same position (" + (merged + sites.size())
                                + " cells -> " + sites.size() + " sites)");
                    else
                        rep.println(file + ": merged " + merged + " row" + (merged == 1 ? "" : "s")
                                + " into an earlier site at the same position; first: line " + mergedLine
                                + " into line "
                                + mergedInto);
                }
                if (crsNote != null) rep.println(file + ": " + crsNote);
            }
            return new Inventory(
                    List.copyOf(sites), crs, skipped, merged, filteredOut, lay.format, Map.copyOf(mergedIds));
        }

        /** OpenCelliD operators compare as {@code mcc-net} numbers: "208-01", "208-1" and "20801" are one. */
        String normOperator(String op) {
            if (lay.mccCol < 0) return op;
            String mcc, net;
            int dash = op.indexOf('-');
            if (dash >= 0) {
                mcc = op.substring(0, dash).strip();
                net = op.substring(dash + 1).strip();
            } else if (op.length() >= 4 && op.length() <= 6 && op.chars().allMatch(Character::isDigit)) {
                mcc = op.substring(0, 3);
                net = op.substring(3);
            } else return op;
            try {
                return Integer.parseInt(mcc) + "-" + Integer.parseInt(net);
            } catch (NumberFormatException e) {
                return op;
            }
        }
    }
}
