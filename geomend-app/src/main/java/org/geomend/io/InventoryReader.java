package org.geomend.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * <p>With a semicolon or tab delimiter a decimal comma is accepted ({@code 2,35}). Double-quoted fields
 * are unquoted. Blank lines are ignored. A bad row (wrong column count, a number that does not parse
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
    private static final List<String> OCID_COLUMNS = List.of("radio", "mcc", "net", "area", "cell", "unit", "lon", "lat",
            "range", "samples", "changeable", "created", "updated", "averagesignal");

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
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8), 1 << 16)) {
            return new Run(file, opts, override).read(in);
        } catch (NoSuchFileException e) {
            throw new InputException(file, 0, "no such file");
        } catch (IOException e) {
            throw new InputException(file, 0, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Where a format keeps its fields; -1 = absent. {@code a,b} are x,y or lon,lat. */
    private record Layout(String format, char delim, int ncols, boolean headerLine, int idCol, int aCol, int bCol,
                          boolean lonLat, int envCol, int opCol, int mccCol, int netCol, int areaCol, int cellCol) {
        String aName() { return lonLat ? "lon" : "x"; }
        String bName() { return lonLat ? "lat" : "y"; }
        /** Ids come from the file (and must be unique) rather than from row numbers or cells. */
        boolean fileIds() { return idCol >= 0; }
    }

    /** One parsed row before projection and merging. */
    private record Row(String id, double a, double b, String env, String operator, long line) {}

    /** A bad row's reason, thrown inside row parsing (no stack trace: it is control flow). */
    private static final class Bad extends Exception {
        Bad(String reason) { super(reason, null, false, false); }
    }

    private record Pos(double x, double y) {}

    /** The state of one read. */
    private static final class Run {
        final Path file;
        final InventoryOptions opts;
        final Crs override;
        Layout lay;
        boolean commaDecimal;
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

        Inventory read(BufferedReader in) throws IOException {
            String first = in.readLine();
            if (first != null && !first.isEmpty() && first.charAt(0) == '\uFEFF') first = first.substring(1);
            if (first == null || first.isBlank()) throw new InputException(file, 1, "empty file");
            lay = detect(first);
            commaDecimal = lay.delim != ',';
            if (opts.operator() != null) {
                if (lay.opCol < 0 && lay.mccCol < 0)
                    throw new InputException(file, 1, "--operator given but the file has no operator column");
                opFilter = normOperator(opts.operator().strip());
            }
            String[] tok = new String[lay.ncols];
            long ln = 1;
            if (!lay.headerLine) row(first, ln, tok);
            for (String line; (line = in.readLine()) != null; ) {
                ln++;
                if (!line.isBlank()) row(line, ln, tok);
            }
            return finish();
        }

        // ---- header -------------------------------------------------------------------------------

        Layout detect(String header) {
            char d = delimiter(header);
            String[] raw = splitAll(header, d);
            Map<String, Integer> col = new LinkedHashMap<>();
            for (int i = 0; i < raw.length; i++) col.putIfAbsent(raw[i].strip().toLowerCase(Locale.ROOT), i);

            String[] byComma = splitAll(header, ',');
            if (byComma.length == OCID_COLUMNS.size() && RADIOS.contains(byComma[0].strip().toUpperCase(Locale.ROOT)))
                return new Layout(OPENCELLID, ',', OCID_COLUMNS.size(), false, -1, 6, 7, true, -1, -1, 1, 2, 3, 4);
            if (col.keySet().containsAll(List.of("radio", "mcc", "net", "area", "cell", "lon", "lat")))
                return new Layout(OPENCELLID, d, raw.length, true, -1, col.get("lon"), col.get("lat"), true, -1, -1,
                        col.get("mcc"), col.get("net"), col.get("area"), col.get("cell"));
            if ((col.containsKey("operateur") || col.containsKey("opérateur")) && col.containsKey("x") && col.containsKey("y")) {
                int op = col.containsKey("operateur") ? col.get("operateur") : col.get("opérateur");
                int id = -1;
                for (String c : ARCEP_ID_COLUMNS)
                    if (col.containsKey(c)) { id = col.get(c); break; }
                return new Layout(ARCEP, d, raw.length, true, id, col.get("x"), col.get("y"), false, -1, op,
                        -1, -1, -1, -1);
            }
            String found = String.join(", ", col.keySet());
            if (!col.containsKey("id"))
                throw new InputException(file, 1, "no 'id' column in the header (a generic inventory needs id and"
                        + " x,y or lat,lon; an ARCEP one Operateur;x;y; found: " + found + ")");
            int env = col.getOrDefault("env", -1), op = col.getOrDefault("operator", -1);
            if (col.containsKey("x") && col.containsKey("y"))
                return new Layout(GENERIC, d, raw.length, true, col.get("id"), col.get("x"), col.get("y"), false, env, op,
                        -1, -1, -1, -1);
            if (col.containsKey("lat") && col.containsKey("lon"))
                return new Layout(GENERIC, d, raw.length, true, col.get("id"), col.get("lon"), col.get("lat"), true, env,
                        op, -1, -1, -1, -1);
            throw new InputException(file, 1, "the header has neither x,y nor lat,lon columns (found: " + found + ")");
        }

        static char delimiter(String header) {
            int comma = 0, semi = 0, tab = 0;
            for (int i = 0; i < header.length(); i++) {
                switch (header.charAt(i)) {
                    case ',' -> comma++;
                    case ';' -> semi++;
                    case '\t' -> tab++;
                    default -> { }
                }
            }
            if (semi > comma && semi >= tab) return ';';
            if (tab > comma && tab > semi) return '\t';
            return ',';
        }

        // ---- rows ---------------------------------------------------------------------------------

        void row(String line, long ln, String[] tok) {
            dataRows++;
            int n = split(line, lay.delim, tok);
            if (n != lay.ncols) {
                bad(ln, "expected " + lay.ncols + " columns, found " + n);
                return;
            }
            String op = null;
            if (lay.mccCol >= 0) op = normOperator(tok[lay.mccCol].strip() + "-" + tok[lay.netCol].strip());
            else if (lay.opCol >= 0) op = tok[lay.opCol].strip();
            if (opFilter != null) {
                if (op != null && operatorsSeen.size() < 50) operatorsSeen.add(op);
                if (!opFilter.equalsIgnoreCase(op)) {
                    filteredOut++;
                    return;
                }
            }
            try {
                double a = number(tok[lay.aCol], lay.aName()), b = number(tok[lay.bCol], lay.bName());
                if (lay.lonLat) {
                    if (!(Math.abs(a) <= 180)) throw new Bad("lon is out of range [-180, 180]: '" + tok[lay.aCol].strip() + "'");
                    if (!(Math.abs(b) <= 90)) throw new Bad("lat is out of range [-90, 90]: '" + tok[lay.bCol].strip() + "'");
                }
                String id;
                if (lay.idCol >= 0) id = tok[lay.idCol].strip();
                else if (lay.cellCol >= 0) id = cellId(tok);
                else id = Long.toString(dataRows);
                if (id.isEmpty()) throw new Bad("empty id");
                String env = lay.envCol >= 0 ? env(tok[lay.envCol]) : null;
                if (lay.fileIds()) {
                    Long prev = idLines.putIfAbsent(id, ln);
                    if (prev != null) throw new Bad("duplicate id '" + id + "' (first on line " + prev + ")");
                }
                rows.add(new Row(id, a, b, env, op, ln));
            } catch (Bad e) {
                bad(ln, e.getMessage());
            }
        }

        String cellId(String[] tok) throws Bad {
            StringBuilder sb = new StringBuilder();
            int[] cols = {lay.mccCol, lay.netCol, lay.areaCol, lay.cellCol};
            for (int j = 0; j < cols.length; j++) {
                String t = tok[cols[j]].strip();
                if (t.isEmpty()) throw new Bad("empty " + CELL_KEY[j] + " (part of the cell id)");
                if (!sb.isEmpty()) sb.append('-');
                sb.append(t);
            }
            return sb.toString();
        }

        double number(String token, String name) throws Bad {
            String t = token.strip();
            if (commaDecimal && t.indexOf(',') >= 0) t = t.replace(',', '.');
            double v;
            try {
                v = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new Bad(name + " is not a number: '" + token.strip() + "'");
            }
            // Double.parseDouble also takes "1f", "0x1p3": accept only plain decimal numbers
            char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
            if (!Double.isFinite(v)) throw new Bad(name + " is not finite: '" + token.strip() + "'");
            if (!(last >= '0' && last <= '9' || last == '.') || t.indexOf('x') >= 0 || t.indexOf('X') >= 0)
                throw new Bad(name + " is not a number: '" + token.strip() + "'");
            return v;
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
                crsNote = override != null ? "lon/lat projected to " + crs.name()
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
                    bad(r.line, "cannot project " + lay.aName() + "," + lay.bName() + " (" + r.a + ", " + r.b + ") to " + crs.name());
                    continue;
                }
                Pos p = new Pos(xs[i] + 0.0, ys[i] + 0.0);
                Integer k = at.get(p);
                if (k != null) {
                    if (r.id != null && !r.id.isEmpty()) mergedIds.putIfAbsent(r.id, sites.get(k).id());
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
                else if (skipped > 0) why = "no valid row (" + skipped + " bad rows skipped; first: line " + firstBadLine
                        + ": " + firstBadReason + ")";
                else why = "no sites (no data rows)";
                throw new InputException(file, 1, why);
            }

            PrintStream rep = opts.report();
            if (rep != null) {
                if (opFilter != null)
                    rep.println(file + ": operator " + opts.operator().strip() + ": kept " + (dataRows - filteredOut)
                            + " rows, left out " + filteredOut + " of other operators");
                if (skipped > 0)
                    rep.println(file + ": skipped " + skipped + " bad row" + (skipped == 1 ? "" : "s") + "; first: line "
                            + firstBadLine + ": " + firstBadReason);
                if (merged > 0) {
                    if (lay.format.equals(OPENCELLID))
                        rep.println(file + ": merged " + merged + " cell" + (merged == 1 ? "" : "s")
                                + " into the site of an earlier cell at the same position (" + (merged + sites.size())
                                + " cells -> " + sites.size() + " sites)");
                    else
                        rep.println(file + ": merged " + merged + " row" + (merged == 1 ? "" : "s")
                                + " into an earlier site at the same position; first: line " + mergedLine + " into line "
                                + mergedInto);
                }
                if (crsNote != null) rep.println(file + ": " + crsNote);
            }
            return new Inventory(List.copyOf(sites), crs, skipped, merged, filteredOut, lay.format, Map.copyOf(mergedIds));
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

    // ---- CSV splitting ----------------------------------------------------------------------------

    /**
     * Splits {@code line} at {@code d} into {@code out} (fields past its length are counted, not stored)
     * and returns the number of fields. Double-quoted fields are unquoted ({@code ""} is a quote).
     */
    static int split(String line, char d, String[] out) {
        int n = 0, len = line.length();
        if (line.indexOf('"') < 0) {
            int start = 0;
            while (true) {
                int k = line.indexOf(d, start);
                if (n < out.length) out[n] = k < 0 ? line.substring(start) : line.substring(start, k);
                n++;
                if (k < 0) return n;
                start = k + 1;
            }
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (true) {
            sb.setLength(0);
            if (i < len && line.charAt(i) == '"') {
                i++;
                while (i < len) {
                    char c = line.charAt(i);
                    if (c == '"') {
                        if (i + 1 < len && line.charAt(i + 1) == '"') {
                            sb.append('"');
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        sb.append(c);
                        i++;
                    }
                }
            }
            while (i < len && line.charAt(i) != d) sb.append(line.charAt(i++));
            if (n < out.length) out[n] = sb.toString();
            n++;
            if (i >= len) return n;
            i++;
        }
    }

    static String[] splitAll(String line, char d) {
        String[] probe = new String[0];
        int n = split(line, d, probe);
        String[] out = new String[n];
        split(line, d, out);
        return out;
    }
}
