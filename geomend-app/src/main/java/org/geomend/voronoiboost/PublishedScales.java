package org.geomend.voronoiboost;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.geomend.io.CsvReader;
import org.geomend.io.InputException;
import org.geomend.kernels.SitePositions;

/**
 * The published VoronoiBoost model's outputs on real sites ({@code reference/voronoiboost-published-scales.csv}):
 * {@code operator,city,id,lat,lon,x,y,voronoi_cells,scale_0.25,...,scale_0.95}, x/y in Lambert-93, an empty scale
 * where the published post-processing dropped that tau. The sites of one (operator, city) pair are the inventory
 * their Voronoi graph was built on, so features are computed per pair.
 */
public final class PublishedScales {

    /** One (operator, city) inventory: row indices into the table. */
    public record Group(String operator, String city, int[] rows) {}

    private final Path file;
    private final String[] operator, city, id;
    private final double[] x, y, cells;
    private final double[][] scales; // [row][tau], NaN where empty
    private final double[] taus;
    private final List<Group> groups;

    private PublishedScales(
            Path file,
            String[] operator,
            String[] city,
            String[] id,
            double[] x,
            double[] y,
            double[] cells,
            double[][] scales,
            double[] taus,
            List<Group> groups) {
        this.file = file;
        this.operator = operator;
        this.city = city;
        this.id = id;
        this.x = x;
        this.y = y;
        this.cells = cells;
        this.scales = scales;
        this.taus = taus;
        this.groups = groups;
    }

    public static PublishedScales read(Path file) throws IOException {
        List<String> op = new ArrayList<>(), ci = new ArrayList<>(), ids = new ArrayList<>();
        List<double[]> num = new ArrayList<>();
        double[] taus;
        int[] scaleCol;
        try (CsvReader r = CsvReader.open(file)) {
            CsvReader.Header hd = r.header();
            if (hd == null) throw new InputException(file, 1, "empty file");
            List<String> h =
                    hd.names().stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
            int cOp = hd.index("operator"),
                    cCity = hd.index("city"),
                    cId = hd.index("id"),
                    cx = hd.index("x"),
                    cy = hd.index("y"),
                    cCells = hd.index("voronoi_cells");
            if (cOp < 0 || cCity < 0 || cId < 0 || cx < 0 || cy < 0)
                throw new InputException(
                        file,
                        1,
                        "header needs operator, city, id, x, y and scale_<tau> columns: '"
                                + String.join(",", hd.names()) + "'");
            List<Integer> sc = new ArrayList<>();
            List<Double> tl = new ArrayList<>();
            for (int c = 0; c < h.size(); c++)
                if (h.get(c).startsWith("scale_")) {
                    try {
                        tl.add(Double.parseDouble(h.get(c).substring(6)));
                    } catch (NumberFormatException e) {
                        throw new InputException(file, 1, "column '" + h.get(c) + "' is not scale_<tau>");
                    }
                    sc.add(c);
                }
            if (sc.isEmpty()) throw new InputException(file, 1, "no scale_<tau> columns");
            taus = tl.stream().mapToDouble(Double::doubleValue).toArray();
            for (int k = 1; k < taus.length; k++)
                if (!(taus[k] > taus[k - 1]))
                    throw new InputException(file, 1, "scale_<tau> columns must have ascending taus");
            scaleCol = sc.stream().mapToInt(Integer::intValue).toArray();
            while (r.next()) {
                if (r.size() != h.size()) throw r.error(r.size() + " fields, the header has " + h.size());
                double[] v = new double[3 + taus.length];
                v[0] = r.requiredNumber(cx, "x");
                v[1] = r.requiredNumber(cy, "y");
                v[2] = cCells < 0 ? Double.NaN : r.number(cCells, "voronoi_cells");
                for (int k = 0; k < taus.length; k++) {
                    v[3 + k] = r.number(scaleCol[k], h.get(scaleCol[k]));
                    if (!r.isEmpty(scaleCol[k]) && !(v[3 + k] > 0))
                        throw r.error(h.get(scaleCol[k]) + " must be > 0: '" + r.get(scaleCol[k]) + "'");
                }
                op.add(r.get(cOp));
                ci.add(r.get(cCity));
                ids.add(r.get(cId));
                num.add(v);
            }
        }
        int n = num.size();
        if (n == 0) throw new InputException(file, 0, "no rows");
        double[] x = new double[n], y = new double[n], cells = new double[n];
        double[][] sc = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] v = num.get(i);
            x[i] = v[0];
            y[i] = v[1];
            cells[i] = v[2];
            sc[i] = Arrays.copyOfRange(v, 3, v.length);
        }
        Map<String, List<Integer>> g = new LinkedHashMap<>();
        for (int i = 0; i < n; i++)
            g.computeIfAbsent(op.get(i) + "\u0000" + ci.get(i), q -> new ArrayList<>())
                    .add(i);
        List<Group> groups = new ArrayList<>();
        for (List<Integer> rows : g.values()) {
            int first = rows.get(0);
            groups.add(new Group(
                    op.get(first),
                    ci.get(first),
                    rows.stream().mapToInt(Integer::intValue).toArray()));
        }
        return new PublishedScales(
                file,
                op.toArray(String[]::new),
                ci.toArray(String[]::new),
                ids.toArray(String[]::new),
                x,
                y,
                cells,
                sc,
                taus,
                List.copyOf(groups));
    }

    public Path file() {
        return file;
    }

    public int size() {
        return x.length;
    }

    public double[] taus() {
        return taus.clone();
    }

    public List<Group> groups() {
        return groups;
    }

    public String operator(int row) {
        return operator[row];
    }

    public String city(int row) {
        return city[row];
    }

    public String id(int row) {
        return id[row];
    }

    /** Pixels of 100 m in the published rasterised Voronoi cell (NaN when absent). */
    public double publishedCellPixels(int row) {
        return cells[row];
    }

    /** Published scale of a row per tau (NaN where dropped; shared array: do not modify). */
    public double[] scales(int row) {
        return scales[row];
    }

    /** Distinct cities, in order of appearance. */
    public List<String> cities() {
        return Arrays.stream(city).distinct().toList();
    }

    /** The per-group tessellations and features of every row. */
    public Cells cells(VoronoiBoostModel.Settings settings) {
        double[][] f = new double[size()][];
        double[] area = new double[size()];
        boolean[] hull = new boolean[size()];
        for (Group g : groups) {
            int[] rows = g.rows();
            double[] gx = new double[rows.length], gy = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                gx[i] = x[rows[i]];
                gy[i] = y[rows[i]];
            }
            InventoryCells ic = InventoryCells.of(new SitePositions(gx, gy), settings);
            Tessellation t = ic.tessellation();
            double[] box = t.clipBox();
            for (int i = 0; i < rows.length; i++) {
                f[rows[i]] = ic.features(i);
                int k = t.node(i);
                area[rows[i]] = t.area(k);
                boolean touches = false;
                for (int v = 0; v < t.cellX(k).length; v++) {
                    double cx = t.cellX(k)[v], cy = t.cellY(k)[v];
                    if (cx <= box[0] + 1e-6 || cx >= box[2] - 1e-6 || cy <= box[1] + 1e-6 || cy >= box[3] - 1e-6)
                        touches = true;
                }
                hull[rows[i]] = touches;
            }
        }
        return new Cells(f, area, hull);
    }

    /** Features per row, our cell's area (m²) and whether the cell reaches the clip box. */
    public record Cells(double[][] features, double[] area, boolean[] clipped) {}

    /** Training rows of the given table rows. */
    public TrainingSet trainingSet(double[][] features, int[] rows) {
        TrainingSet t = new TrainingSet();
        for (int r : rows) t.add(features[r], taus, scales[r]);
        return t;
    }
}
