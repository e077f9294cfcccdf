package org.geomend.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import org.geomend.dataset.Dataset;

/**
 * The published figures of DeepMEND (Table I: 5-fold cross-validation, median KS2 ± deviation and inference
 * time; Table II: leave-one-out per city and per urbanisation class), copied from the paper's text
 * ({@code ../shared/papers/deepmend.txt}). The paper's "sPDI" is legacy sPDI (beta 5/4/3 by class), our
 * {@code spdi-legacy}. Voronoi and sPDI need no training, so their Table II rows are their KS2 on the left-out
 * sites: directly comparable with ours for the same group.
 */
public final class PaperFigures {

    private PaperFigures() {}

    /** Median KS2, deviation, and inference time as printed. */
    public record Cell(double median, double std, String inference) {}

    /** Table I rows, in the paper's order, keyed by our method name where we have one. */
    public static final Map<String, Cell> TABLE_I = new LinkedHashMap<>();
    /** Table II rows: group (city or class) → our method name → (median, std). */
    public static final Map<String, Map<String, Cell>> TABLE_II = new LinkedHashMap<>();
    /** Paper model names by our method name. */
    public static final Map<String, String> PAPER_NAME = new LinkedHashMap<>();

    static {
        PAPER_NAME.put("voronoi", "Voronoi");
        PAPER_NAME.put("voronoiboost", "VoronoiBoost");
        PAPER_NAME.put("spdi-legacy", "sPDI");
        PAPER_NAME.put("direct", "Direct");
        PAPER_NAME.put("deepmend", "DeepMEND");

        TABLE_I.put("voronoi", new Cell(0.704, 0.3047, "< 1"));
        TABLE_I.put("voronoiboost", new Cell(0.454, 0.2316, "3"));
        TABLE_I.put("spdi-legacy", new Cell(0.501, 0.2956, "~80,000"));
        TABLE_I.put("direct", new Cell(0.422, 0.2737, "21"));
        TABLE_I.put("deepmend", new Cell(0.304, 0.1944, "21"));

        // columns: DeepMEND, VoronoiBoost, Direct, sPDI, Voronoi
        String[] cols = {"deepmend", "voronoiboost", "direct", "spdi-legacy", "voronoi"};
        Object[][] rows = {
            {"Bordeaux", 0.39, 0.171, 0.54, 0.186, 0.56, 0.253, 0.64, 0.265, 0.86, 0.230},
            {"Dijon", 0.38, 0.114, 0.61, 0.149, 0.56, 0.171, 0.68, 0.194, 0.89, 0.143},
            {"Lille", 0.30, 0.162, 0.41, 0.192, 0.41, 0.240, 0.50, 0.267, 0.64, 0.272},
            {"Lyon", 0.47, 0.182, 0.67, 0.221, 0.74, 0.267, 0.81, 0.278, 0.92, 0.257},
            {"Mans", 0.34, 0.144, 0.63, 0.153, 0.53, 0.179, 0.66, 0.195, 0.88, 0.181},
            {"Marseille", 0.32, 0.123, 0.51, 0.166, 0.51, 0.218, 0.51, 0.221, 0.72, 0.215},
            {"Nantes", 0.36, 0.162, 0.54, 0.189, 0.60, 0.245, 0.73, 0.248, 0.89, 0.219},
            {"Nice", 0.45, 0.157, 0.52, 0.194, 0.55, 0.277, 0.54, 0.274, 0.77, 0.240},
            {"Orleans", 0.38, 0.187, 0.63, 0.210, 0.54, 0.232, 0.61, 0.220, 0.85, 0.245},
            {"Paris", 0.15, 0.173, 0.23, 0.199, 0.19, 0.245, 0.21, 0.241, 0.33, 0.275},
            {"Rennes", 0.45, 0.212, 0.61, 0.206, 0.53, 0.237, 0.70, 0.283, 0.87, 0.275},
            {"Sainttienne", 0.40, 0.150, 0.60, 0.203, 0.64, 0.239, 0.51, 0.195, 0.86, 0.230},
            {"Toulouse", 0.47, 0.203, 0.57, 0.220, 0.60, 0.284, 0.72, 0.294, 0.89, 0.265},
            {"Tours", 0.39, 0.167, 0.62, 0.169, 0.62, 0.218, 0.68, 0.235, 0.88, 0.210},
            {"urban", 0.31, 0.231, 0.37, 0.260, 0.33, 0.306, 0.39, 0.323, 0.53, 0.322},
            {"suburban", 0.34, 0.139, 0.52, 0.163, 0.48, 0.219, 0.60, 0.244, 0.83, 0.224},
            {"rural", 0.32, 0.113, 0.52, 0.131, 0.48, 0.163, 0.61, 0.182, 0.85, 0.153},
        };
        for (Object[] r : rows) {
            Map<String, Cell> m = new LinkedHashMap<>();
            for (int c = 0; c < cols.length; c++)
                m.put(cols[c], new Cell((double) r[1 + 2 * c], (double) r[2 + 2 * c], null));
            TABLE_II.put((String) r[0], m);
        }
    }

    /** The paper's per-class Table II cell, or null. */
    public static Cell classCell(String cls, String method) {
        Map<String, Cell> m = TABLE_II.get(cls);
        return m == null ? null : m.get(method);
    }

    /** Min, median and max over the 14 cities of the paper's per-city medians of {@code method}, or null. */
    public static double[] cityRange(String method) {
        java.util.List<Double> v = new java.util.ArrayList<>();
        for (Map.Entry<String, Map<String, Cell>> e : TABLE_II.entrySet()) {
            if (Dataset.CLASSES.contains(e.getKey())) continue;
            Cell c = e.getValue().get(method);
            if (c != null) v.add(c.median());
        }
        if (v.isEmpty()) return null;
        v.sort(null);
        int n = v.size();
        double med = n % 2 == 1 ? v.get(n / 2) : 0.5 * (v.get(n / 2 - 1) + v.get(n / 2));
        return new double[] {v.get(0), med, v.get(n - 1)};
    }
}
