package org.geomend.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The methods {@code geomend eval --methods} knows, by name: {@link #standard()} holds the closed-form ones and
 * voronoiboost (trained per fold); {@code geomend eval} adds the U-Net students {@link #STUDENTS}, from {@code --model
 * NAME=DIR} (one model for every fold) or else trained per fold ({@code org.geomend.eval.StudentFoldMethod}). Tests
 * and callers may pass their own table.
 */
public final class EvalMethods {

    /** Options shared by the methods. */
    public record Options(double beta, int k, double[] oracleBetas) {}

    /** Makes one method. */
    @FunctionalInterface
    public interface Factory {
        EvalMethod create(Options o);
    }

    /** Methods named by the SPEC that are not built yet: asking for them is a clear error, not a silent skip. */
    public static final List<String> NOT_YET = List.of();

    /**
     * The U-Net students: {@code geomend eval} draws them with {@code --model NAME=DIR} (a model of {@code geomend
     * train}) or trains them per fold (deepmend on {@code --labels DIR}, a {@code geomend teacher} output).
     */
    public static final List<String> STUDENTS = List.of("direct", "deepmend");

    private EvalMethods() {}

    /** voronoi, spdi (beta), spdi-legacy (5/4/3 by class), spdi-oracle (per-site best beta vs ground truth). */
    public static Map<String, Factory> standard() {
        Map<String, Factory> m = new LinkedHashMap<>();
        m.put("voronoi", o -> new ClosedFormMethod("voronoi", ClosedFormMethod.Kind.VORONOI, 0, o.k()));
        m.put("spdi-legacy", o -> new ClosedFormMethod("spdi-legacy", ClosedFormMethod.Kind.SPDI_LEGACY, 0, o.k()));
        m.put("spdi-oracle", o -> new OracleMethod(o.oracleBetas(), o.k()));
        m.put("spdi", o -> new ClosedFormMethod("spdi", ClosedFormMethod.Kind.SPDI, o.beta(), o.k()));
        m.put(
                "voronoiboost",
                o -> new VoronoiBoostMethod(
                        org.geomend.voronoiboost.VoronoiBoostModel.Settings.defaults(),
                        org.geomend.voronoiboost.VoronoiBoostModel.Hyper.defaults()));
        return m;
    }

    /** Parses a comma-separated list of names (no duplicates) against {@code table}. */
    public static List<String> parse(String list, Map<String, Factory> table) {
        List<String> out = new ArrayList<>();
        for (String t : list.split(",")) {
            String n = t.trim().toLowerCase(Locale.ROOT);
            if (n.isEmpty()) continue;
            if (!table.containsKey(n)) {
                if (STUDENTS.contains(n))
                    throw new IllegalArgumentException(
                            "--methods: " + n + " is not in this method table: it needs --model " + n
                                    + "=DIR (a model written by geomend train) or per-fold training (geomend eval registers both)");
                if (NOT_YET.contains(n))
                    throw new IllegalArgumentException(
                            "--methods: " + n + " needs training and is not implemented in this build yet (known: "
                                    + String.join(", ", table.keySet()) + ")");
                throw new IllegalArgumentException("--methods: unknown method '" + t.trim() + "' (known: "
                        + String.join(", ", table.keySet()) + ")");
            }
            if (out.contains(n)) throw new IllegalArgumentException("--methods: '" + n + "' given twice");
            out.add(n);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--methods: no method given");
        return out;
    }
}
