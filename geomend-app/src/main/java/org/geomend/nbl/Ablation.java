package org.geomend.nbl;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.geomend.io.AtomicFiles;
import org.geomend.io.CsvField;
import org.geomend.kernels.nbl.NblOptions;
import org.geomend.kernels.nbl.NblResult;
import org.geomend.kernels.nbl.NblScoring;
import org.geomend.report.Stats;

/**
 * {@code nbl ablate} (issue 16): every modelling choice measured on unseen sessions. For each measurement
 * set, the grouped protocol of {@link Evaluation} (whole sessions held out) runs the plain recipe and each
 * variant; a fold's map is built once per distinct {@link MapOptions} and scored with every
 * {@link NblOptions} that uses it. Writes {@code ablation.csv} (one row per set and variant) and {@code
 * ablation.md} (one row per variant, per set median / p90 error, placed share, change of the median
 * against the plain recipe, share of errors within the uncertainty radius).
 */
public final class Ablation {

    /** One model: map options, scoring options, estimator (true: weighted average, false: MLE). */
    public record Variant(String name, MapOptions map, NblOptions score, boolean wa) {}

    /** A named measurement set. */
    public record Set(String name, List<Path> files) {}

    /**
     * The plain recipe, each choice varied from it one at a time, combinations of those that helped, the
     * legacy defaults and the default.
     */
    public static List<Variant> standard(int zoom) {
        MapOptions pm = MapOptions.plain(zoom);
        NblOptions ps = NblOptions.PLAIN;
        List<Variant> v = new ArrayList<>();
        v.add(new Variant("plain", pm, ps, true));
        v.add(new Variant("estimator mle", pm, ps, false));
        v.add(new Variant("candidates any", pm, ps.withCandidates(NblOptions.Candidates.ANY), true));
        v.add(new Variant(
                "candidates any, miss 1e-3",
                pm,
                ps.withCandidates(NblOptions.Candidates.ANY).withMiss(1e-3),
                true));
        v.add(new Variant("miss 1e-3", pm, ps.withMiss(1e-3), true));
        v.add(new Variant("rssi on", pm, ps.withRssi(true), true));
        v.add(new Variant("pd off", pm, ps.withPd(false), true));
        v.add(new Variant("density off", pm, ps.withDensity(false), true));
        v.add(new Variant("density power 0.5", pm, ps.withDensityPower(0.5), true));
        v.add(new Variant("density power 2", pm, ps.withDensityPower(2), true));
        v.add(new Variant("temperature 0.5", pm, ps.withTemperature(0.5), true));
        v.add(new Variant("temperature 0.25", pm, ps.withTemperature(0.25), true));
        v.add(new Variant("temperature 2", pm, ps.withTemperature(2), true));

        v.add(new Variant("floor 2 dB", pm.withFloor(2), ps, true));
        v.add(new Variant("floor 4 dB", pm.withFloor(4), ps, true));
        v.add(new Variant("floor 6 dB", pm.withFloor(6), ps, true));
        v.add(new Variant("floor 8 dB", pm.withFloor(8), ps, true));
        v.add(new Variant("sigma prior 2 x 6 dB", pm.withPrior(2), ps, true));
        if (zoom > Tiles.MIN_ZOOM) v.add(new Variant("zoom " + (zoom - 1), pm.withZoom(zoom - 1), ps, true));
        if (zoom < Tiles.MAX_ZOOM) v.add(new Variant("zoom " + (zoom + 1), pm.withZoom(zoom + 1), ps, true));
        v.add(new Variant("multi-res 2 levels, k 2", pm.withLevels(2, 2), ps, true));
        v.add(new Variant("multi-res 3 levels, k 5", pm.withLevels(3, 5), ps, true));
        if (zoom + 2 <= Tiles.MAX_ZOOM) v.add(new Variant("zoom " + (zoom + 2), pm.withZoom(zoom + 2), ps, true));
        // combinations of the choices that helped one at a time
        int zf = Math.min(Tiles.MAX_ZOOM, zoom + 1), zff = Math.min(Tiles.MAX_ZOOM, zoom + 2);
        NblOptions q = ps.withRssi(true);
        MapOptions f4 = pm.withFloor(4);
        v.add(new Variant("floor 4 dB, rssi on", f4, q, true));
        v.add(new Variant("floor 4 dB, rssi on, zoom " + zf, f4.withZoom(zf), q, true));
        v.add(new Variant("floor 6 dB, rssi on, zoom " + zf, pm.withFloor(6).withZoom(zf), q, true));
        v.add(new Variant(
                "floor 4 dB, rssi on, zoom " + zf + ", temperature 0.5",
                f4.withZoom(zf),
                q.withTemperature(0.5),
                true));
        String mr = ", multi-res 2 levels, k 1";
        MapOptions m20 = f4.withZoom(zf).withLevels(2, 1),
                m21 = f4.withZoom(zff).withLevels(2, 1);
        v.add(new Variant("floor 4 dB, rssi on, zoom " + zf + mr, m20, q, true));
        v.add(new Variant("floor 4 dB, rssi on, zoom " + zff + mr, m21, q, true));
        v.add(new Variant(
                "floor 4 dB, rssi on, zoom " + zff + ", multi-res 3 levels, k 0.5",
                f4.withZoom(zff).withLevels(3, 0.5),
                q,
                true));
        v.add(new Variant(
                "floor 4 dB, rssi on, zoom " + zf + mr + ", candidates any",
                m20,
                q.withCandidates(NblOptions.Candidates.ANY),
                true));
        v.add(new Variant(
                "floor 4 dB, rssi on, zoom " + zf + mr + ", density power 1.5", m20, q.withDensityPower(1.5), true));
        // around the defaults of round 1 (floor 4 dB, RSSI on, zoom 21)
        MapOptions dm = pm.withFloor(4).withZoom(Math.min(Tiles.MAX_ZOOM, 21));
        NblOptions ds = ps.withRssi(true);
        String d = "round-1 default";
        v.add(new Variant(d + ", candidates any", dm, ds.withCandidates(NblOptions.Candidates.ANY), true));
        v.add(new Variant(d + ", temperature 0.75", dm, ds.withTemperature(0.75), true));
        v.add(new Variant(d + ", density power 1.25", dm, ds.withDensityPower(1.25), true));
        v.add(new Variant(d + ", floor 3 dB", dm.withFloor(3), ds, true));
        v.add(new Variant(d + ", floor 5 dB", dm.withFloor(5), ds, true));
        v.add(new Variant(d + ", pd off", dm, ds.withPd(false), true));
        // round 2: the weighted average over the best candidates only, a heavier-tailed likelihood
        for (double c : new double[] {0.01, 0.05, 0.2, 0.5})
            v.add(new Variant(d + ", cutoff " + NblOptions.num(c), dm, ds.withCutoff(c), true));
        v.add(new Variant("laplace tail", pm, ps.withLaplace(true), true));
        v.add(new Variant(d + ", laplace tail", dm, ds.withLaplace(true), true));
        NblOptions dl = ds.withLaplace(true);
        v.add(new Variant(d + ", laplace tail, cutoff 0.05", dm, dl.withCutoff(0.05), true));
        v.add(new Variant(d + ", laplace tail, floor 3 dB", dm.withFloor(3), dl, true));
        v.add(new Variant(d + ", laplace tail, density power 1.25", dm, dl.withDensityPower(1.25), true));
        for (double f : new double[] {2, 3})
            v.add(new Variant(
                    d + ", laplace tail, floor " + NblOptions.num(f) + " dB, density power 1.25",
                    dm.withFloor(f),
                    dl.withDensityPower(1.25),
                    true));
        // around the defaults of round 2 (Laplace tail, floor 2 dB, RSSI on, zoom 21)
        MapOptions nm = MapOptions.defaults(MapOptions.DEFAULT_ZOOM);
        NblOptions ns = NblOptions.PLAIN.withRssi(true).withLaplace(true); // round 2's default
        String n = "default";
        v.add(new Variant(n + ", cutoff 0.01", nm, ns.withCutoff(0.01), true));
        v.add(new Variant(n + ", temperature 0.75", nm, ns.withTemperature(0.75), true));
        if (MapOptions.DEFAULT_ZOOM > Tiles.MIN_ZOOM)
            v.add(new Variant(
                    n + ", zoom " + (MapOptions.DEFAULT_ZOOM - 1), nm.withZoom(MapOptions.DEFAULT_ZOOM - 1), ns, true));
        v.add(new Variant(n + ", floor 1.5 dB", nm.withFloor(1.5), ns, true));
        v.add(new Variant(n + ", floor 2.5 dB", nm.withFloor(2.5), ns, true));
        v.add(new Variant(n + ", density power 1.1", nm, ns.withDensityPower(1.1), true));
        v.add(new Variant(n + ", pd off", nm, ns.withPd(false), true));
        // round 3: spatial smoothing of the per-tile statistics within a cell, a per-cell pooled deviation
        for (int r : new int[] {1, 2})
            for (double k : new double[] {1, 3, 10}) {
                String sm = ", smooth " + (2 * r + 1) + "x" + (2 * r + 1) + " k " + NblOptions.num(k);
                v.add(new Variant(n + sm, nm.withSmooth(r, k), ns, true));
            }
        for (double k : new double[] {1, 3, 10})
            v.add(new Variant(n + ", pooled sigma k " + NblOptions.num(k), nm.withPooled(k), ns, true));
        v.add(new Variant(
                n + ", smooth 3x3 k 3, pooled sigma k 3", nm.withSmooth(1, 3).withPooled(3), ns, true));
        v.add(new Variant(n + ", smooth 3x3 k 3, cutoff 0.01", nm.withSmooth(1, 3), ns.withCutoff(0.01), true));
        v.add(new Variant(
                n + ", smooth 3x3 k 3, floor 3 dB", nm.withSmooth(1, 3).withFloor(3), ns, true));
        v.add(new Variant(
                n + ", smooth 3x3 k 3, floor 1.5 dB", nm.withSmooth(1, 3).withFloor(1.5), ns, true));
        v.add(new Variant(n + ", smooth 3x3 k 3, tail gauss", nm.withSmooth(1, 3), ns.withLaplace(false), true));
        // round 4: estimators on the same weights: a power of the weights, a mean shift (radius, iterations,
        // start)
        for (double p : new double[] {0.5, 0.75, 1.5, 2})
            v.add(new Variant(n + ", power " + NblOptions.num(p), nm, ns.withPower(p), true));
        for (boolean mle : new boolean[] {false, true})
            for (double r : new double[] {30, 60, 100, 150, 250})
                v.add(new Variant(
                        n + ", shift " + NblOptions.num(r) + " m x3 from " + (mle ? "mle" : "wa"),
                        nm,
                        ns.withShift(r, 3, mle),
                        true));
        v.add(new Variant(n + ", shift 100 m x1 from mle", nm, ns.withShift(100, 1, true), true));
        for (double r : new double[] {200, 300, 400, 600})
            v.add(new Variant(
                    n + ", shift " + NblOptions.num(r) + " m x3 from wa", nm, ns.withShift(r, 3, false), true));
        for (double p : new double[] {1, 0.75})
            for (double k : new double[] {0.5, 0.75, 1, 1.5})
                v.add(new Variant(
                        n + (p != 1 ? ", power " + NblOptions.num(p) : "") + ", shift " + NblOptions.num(k)
                                + " spreads x10 from wa",
                        nm,
                        ns.withPower(p).withRelativeShift(k, 10),
                        true));
        for (double p : new double[] {0.6, 0.7, 0.8})
            for (double r : new double[] {200, 250, 300})
                v.add(new Variant(
                        n + ", power " + NblOptions.num(p) + ", shift " + NblOptions.num(r) + " m x10 from wa",
                        nm,
                        ns.withPower(p).withShift(r, 10, false),
                        true));
        for (double p : new double[] {0.85, 0.9})
            for (double r : new double[] {225, 250, 275})
                v.add(new Variant(
                        n + ", power " + NblOptions.num(p) + ", shift " + NblOptions.num(r) + " m x10 from wa",
                        nm,
                        ns.withPower(p).withShift(r, 10, false),
                        true));
        for (double r : new double[] {225, 275})
            v.add(new Variant(
                    n + ", power 0.8, shift " + NblOptions.num(r) + " m x10 from wa",
                    nm,
                    ns.withPower(0.8).withShift(r, 10, false),
                    true));
        v.add(new Variant(
                n + ", power 0.8, shift 250 m x5 from wa", nm, ns.withPower(0.8).withShift(250, 5, false), true));
        v.add(new Variant(
                n + ", power 0.8, shift 250 m x20 from wa",
                nm,
                ns.withPower(0.8).withShift(250, 20, false),
                true));
        for (double p : new double[] {0.5, 0.75})
            for (double r : new double[] {150, 250, 400})
                for (int it : new int[] {3, 10})
                    v.add(new Variant(
                            n + ", power " + NblOptions.num(p) + ", shift " + NblOptions.num(r) + " m x" + it
                                    + " from wa",
                            nm,
                            ns.withPower(p).withShift(r, it, false),
                            true));
        v.add(new Variant(n + ", shift 100 m x10 from mle", nm, ns.withShift(100, 10, true), true));
        v.add(new Variant("legacy (before issue 16)", MapOptions.legacy(zoom), NblOptions.LEGACY, true));
        v.add(new Variant("round-1 default (floor 4 dB, rssi on, zoom 21)", dm, ds, true));
        v.add(new Variant(
                "default (laplace tail, floor 2 dB, rssi on, zoom " + MapOptions.DEFAULT_ZOOM + ")", nm, ns, true));
        v.add(new Variant(
                "default of round 4 (round-2 default, power 0.8, shift 250 m x10 from wa)",
                nm,
                NblOptions.DEFAULT,
                true));
        return v;
    }

    private final List<Set> sets;
    private final Evaluation.Protocol protocol;
    private final List<Variant> variants;
    private final int threads;
    private final NblScoring scoring;
    private final PrintStream log;

    public Ablation(
            List<Set> sets,
            Evaluation.Protocol protocol,
            List<Variant> variants,
            int threads,
            NblScoring scoring,
            PrintStream log) {
        this.sets = sets;
        this.protocol = protocol;
        this.variants = variants;
        this.threads = threads;
        this.scoring = scoring;
        this.log = log;
    }

    /** Results of one variant on one set. */
    record Cell(double median, double p90, double placed, double within, int n, int folds, int groups) {}

    public void run(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        long t0 = System.nanoTime();
        Map<String, Map<String, Cell>> res = new LinkedHashMap<>();
        for (Set set : sets) {
            List<Evaluation.Rec> usable = Evaluation.usable(Evaluation.load(set.files()));
            List<boolean[]> folds = Evaluation.folds(usable, protocol);
            int groups = Evaluation.groups(usable);
            log.printf(
                    Locale.ROOT,
                    "nbl ablate %s: %d records, %d sessions, %d folds, %d variants%n",
                    set.name(),
                    usable.size(),
                    groups,
                    folds.size(),
                    variants.size());
            Map<String, Evaluation.Outcome> out = new LinkedHashMap<>();
            for (Variant v : variants) out.put(v.name(), new Evaluation.Outcome());
            Map<MapOptions, List<Variant>> byMap = new LinkedHashMap<>();
            for (Variant v : variants)
                byMap.computeIfAbsent(v.map(), k -> new ArrayList<>()).add(v);
            int fi = 0;
            for (boolean[] isTest : folds) {
                fi++;
                List<Evaluation.Rec> train = new ArrayList<>(), test = new ArrayList<>();
                for (int i = 0; i < usable.size(); i++) (isTest[i] ? test : train).add(usable.get(i));
                for (var e : byMap.entrySet()) {
                    NblMap map = new MapBuilder(e.getKey(), null, threads, null).build(Evaluation.source(train));
                    RecordBatch rb = Evaluation.batch(map, test);
                    Locator loc = new Locator(map, scoring);
                    Map<NblOptions, NblResult> scored = new LinkedHashMap<>();
                    for (Variant v : e.getValue()) {
                        NblResult r = scored.computeIfAbsent(v.score(), o -> loc.score(rb, o, null));
                        Evaluation.Outcome o = out.get(v.name());
                        for (int k = 0; k < rb.size(); k++) Evaluation.add(o, rb, map, r, k, v.wa());
                    }
                }
                log.printf(
                        Locale.ROOT,
                        "  %s fold %d/%d done (%d test records), %.0f s%n",
                        set.name(),
                        fi,
                        folds.size(),
                        test.size(),
                        (System.nanoTime() - t0) * 1e-9);
            }
            Map<String, Cell> cells = new LinkedHashMap<>();
            for (var e : out.entrySet()) {
                Evaluation.Outcome o = e.getValue();
                double[] err = Evaluation.clean(o.err("all"));
                cells.put(
                        e.getKey(),
                        new Cell(
                                Stats.quantile(err, 0.5),
                                Stats.quantile(err, 0.9),
                                o.n == 0 ? Double.NaN : (double) err.length / o.n,
                                o.withinRadius("all"),
                                o.n,
                                folds.size(),
                                groups));
            }
            res.put(set.name(), cells);
        }
        write(outDir, res);
        log.printf(Locale.ROOT, "nbl ablate: wrote %s in %.1f s%n", outDir, (System.nanoTime() - t0) * 1e-9);
    }

    private void write(Path dir, Map<String, Map<String, Cell>> res) throws IOException {
        StringBuilder csv = new StringBuilder(
                "dataset,variant,map,scoring,estimator,records,sessions,folds,median_error_m,p90_error_m,placed_share,"
                        + "median_change_vs_plain,within_radius\n");
        StringBuilder md = new StringBuilder();
        md.append("Grouped protocol (")
                .append(describe())
                .append("), weighted average unless said; per set: median / p90 error (m), ")
                .append(
                        "placed share, median change against the plain recipe, share of errors within the uncertainty radius.\n\n");
        md.append("| variant |");
        for (String s : res.keySet()) md.append(' ').append(s).append(" |");
        md.append(" worst change |\n|---|");
        for (int i = 0; i < res.size(); i++) md.append("---|");
        md.append("---|\n");
        for (Variant v : variants) {
            md.append("| ").append(v.name()).append(" |");
            double worst = Double.NEGATIVE_INFINITY;
            for (var se : res.entrySet()) {
                Cell c = se.getValue().get(v.name()),
                        p = se.getValue().get(variants.get(0).name());
                double ch = c.median() / p.median() - 1;
                worst = Math.max(worst, ch);
                csv.append(String.format(
                        Locale.ROOT,
                        "%s,%s,%s,%s,%s,%d,%d,%d,%s,%s,%s,%s,%s%n",
                        se.getKey(),
                        CsvField.of(v.name()),
                        CsvField.of(v.map().toString()),
                        CsvField.of(v.score().toString()),
                        v.wa() ? "wa" : "mle",
                        c.n(),
                        c.groups(),
                        c.folds(),
                        Evaluation.f(c.median()),
                        Evaluation.f(c.p90()),
                        Evaluation.f4(c.placed()),
                        Evaluation.f4(ch),
                        Evaluation.f4(c.within())));
                md.append(String.format(
                        Locale.ROOT,
                        " %s / %s, %.3f, %+.1f %%, %.2f |",
                        Evaluation.f(c.median()),
                        Evaluation.f(c.p90()),
                        c.placed(),
                        100 * ch,
                        c.within()));
            }
            md.append(String.format(Locale.ROOT, " %+.1f %% |%n", 100 * worst));
        }
        md.append("\nVariants (map options; scoring options):\n\n");
        for (Variant v : variants)
            md.append("- ")
                    .append(v.name())
                    .append(": ")
                    .append(v.map())
                    .append("; ")
                    .append(v.score())
                    .append(v.wa() ? "" : "; MLE")
                    .append('\n');
        AtomicFiles.writeString(dir.resolve("ablation.csv"), csv.toString());
        AtomicFiles.writeString(dir.resolve("ablation.md"), md.toString());
    }

    private String describe() {
        return protocol.split() == Evaluation.Split.sessions
                ? (protocol.folds() == 0
                        ? "leave one session out"
                        : "sessions round-robin into at most " + protocol.folds() + " folds")
                : "block split";
    }
}
