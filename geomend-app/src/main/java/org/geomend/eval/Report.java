package org.geomend.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.geomend.dataset.Dataset;
import org.geomend.io.AtomicFiles;
import org.geomend.io.CsvField;
import org.geomend.report.Plots;
import org.geomend.report.Stats;

/**
 * Writes the outputs of an evaluation into a directory: {@code summary.csv}
 * ({@code method,split,group,n,median_ks2,mean_ks2,std_ks2,ms_per_bs}), {@code folds.csv} (the same per test
 * fold), {@code per_bs.csv} (every site's KS2 and parameter), {@code summary.md} (tables laid out like DeepMEND
 * Table I and II with the paper's figures beside ours) and the PNG figures. Every file is written under a
 * {@code .partial} name and renamed once all are complete; a failure removes the partial files, so a reader never
 * sees a half-written output.
 */
public final class Report {

    /** Free-form facts about the run for the header of summary.md. */
    public record Meta(String command, String backend, int threads, String oracleBetas, int chunk, long seed) {}

    private final Evaluator.Results r;
    private final Dataset d;
    private final Meta meta;
    private final SampleMaps samples;
    private AtomicFiles.Batch batch;
    private final List<String> sections = new ArrayList<>();

    public Report(Evaluator.Results r, Meta meta, SampleMaps samples) {
        this.r = r;
        this.d = r.data();
        this.meta = meta;
        this.samples = samples;
    }

    /** Appends a Markdown section (e.g. the use cases of {@code --use-cases}) to summary.md, before the figures. */
    public Report section(String markdown) {
        sections.add(markdown);
        return this;
    }

    /** The site positions (into {@code r.tested()}) of a group under split s ({@code all} = every tested site). */
    int[] positions(int s, String group) {
        Split sp = r.splits().get(s);
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < r.tested().length; p++)
            if (group.equals("all") || sp.group(d, r.tested()[p]).equals(group)) out.add(p);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static double[] pick(double[] a, int[] pos) {
        double[] out = new double[pos.length];
        for (int i = 0; i < pos.length; i++) out[i] = a[pos[i]];
        return out;
    }

    static double mean(double[] a) {
        double s = 0;
        int n = 0;
        for (double v : a)
            if (!Double.isNaN(v)) {
                s += v;
                n++;
            }
        return n == 0 ? Double.NaN : s / n;
    }

    List<String> groups(int s) {
        List<String> g = new ArrayList<>();
        g.add("all");
        g.addAll(r.splits().get(s).groups(d));
        return g;
    }

    /** Writes everything into {@code dir} (created if needed). */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (AtomicFiles.Batch b = new AtomicFiles.Batch(dir)) {
            batch = b;
            b.writeString("summary.csv", summaryCsv());
            b.writeString("folds.csv", foldsCsv());
            b.writeString("per_bs.csv", perBsCsv());
            List<String> figures = figures();
            b.writeString("summary.md", summaryMd(figures));
            b.commit();
        } finally {
            batch = null;
        }
    }

    // ------------------------------------------------------------------ CSV

    public static final String SUMMARY_HEADER = "method,split,group,n,median_ks2,mean_ks2,std_ks2,ms_per_bs";

    String summaryCsv() {
        StringBuilder sb = new StringBuilder(SUMMARY_HEADER).append('\n');
        for (int s = 0; s < r.splits().size(); s++)
            for (int j = 0; j < r.methods().size(); j++)
                for (String g : groups(s)) {
                    int[] pos = positions(s, g);
                    Stats st = Stats.of(pick(r.ks2()[s][j], pos));
                    double ms = mean(pick(r.nanos()[s][j], pos)) / 1e6;
                    sb.append(String.format(
                            Locale.ROOT,
                            "%s,%s,%s,%d,%.6f,%.6f,%.6f,%.3f%n",
                            r.methods().get(j),
                            r.splits().get(s).cliName,
                            CsvField.of(g),
                            st.n(),
                            st.median(),
                            st.mean(),
                            st.std(),
                            ms));
                }
        return sb.toString();
    }

    String foldsCsv() {
        StringBuilder sb = new StringBuilder("method,split,fold,n_train,n,median_ks2,mean_ks2,std_ks2,ms_per_bs\n");
        for (int s = 0; s < r.splits().size(); s++)
            for (int j = 0; j < r.methods().size(); j++)
                for (int f = 0; f < r.folds().get(s).size(); f++) {
                    Split.Fold fold = r.folds().get(s).get(f);
                    int[] pos = foldPositions(s, f);
                    Stats st = Stats.of(pick(r.ks2()[s][j], pos));
                    sb.append(String.format(
                            Locale.ROOT,
                            "%s,%s,%s,%d,%d,%.6f,%.6f,%.6f,%.3f%n",
                            r.methods().get(j),
                            r.splits().get(s).cliName,
                            CsvField.of(fold.name()),
                            fold.train().length,
                            st.n(),
                            st.median(),
                            st.mean(),
                            st.std(),
                            mean(pick(r.nanos()[s][j], pos)) / 1e6));
                }
        return sb.toString();
    }

    int[] foldPositions(int s, int f) {
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < r.tested().length; p++) if (r.foldOf()[s][p] == f) out.add(p);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    String perBsCsv() {
        StringBuilder sb = new StringBuilder("split,fold,id,city,env,method,ks2,param\n");
        for (int s = 0; s < r.splits().size(); s++)
            for (int p = 0; p < r.tested().length; p++) {
                int site = r.tested()[p];
                for (int j = 0; j < r.methods().size(); j++) {
                    double prm = r.param()[s][j][p];
                    sb.append(r.splits().get(s).cliName)
                            .append(',')
                            .append(CsvField.of(
                                    r.folds().get(s).get(r.foldOf()[s][p]).name()))
                            .append(',')
                            .append(CsvField.of(d.id(site)))
                            .append(',')
                            .append(CsvField.of(d.city(site)))
                            .append(',')
                            .append(d.env(site))
                            .append(',')
                            .append(r.methods().get(j))
                            .append(',')
                            .append(String.format(Locale.ROOT, "%.9f", r.ks2()[s][j][p]))
                            .append(',')
                            .append(Double.isNaN(prm) ? "" : String.format(Locale.ROOT, "%.4f", prm))
                            .append('\n');
                }
            }
        return sb.toString();
    }

    // ------------------------------------------------------------------ figures

    private List<String> figures() throws IOException {
        List<String> names = new ArrayList<>();
        for (int s = 0; s < r.splits().size(); s++) {
            String sp = r.splits().get(s).cliName;
            String box = sp + "_ks2_box.png";
            List<Plots.Box> boxes = new ArrayList<>();
            for (String g : groups(s)) {
                int[] pos = positions(s, g);
                for (int j = 0; j < r.methods().size(); j++) {
                    String m = r.methods().get(j);
                    PaperFigures.Cell paper =
                            g.equals("all") ? PaperFigures.TABLE_I.get(m) : PaperFigures.classCell(g, m);
                    boxes.add(new Plots.Box(
                            g, m, Stats.of(pick(r.ks2()[s][j], pos)), paper == null ? Double.NaN : paper.median()));
                }
            }
            Plots.boxes(
                    batch.file(box),
                    "KS2 to the ground truth per method, split " + sp + " (box 25-75 %, whiskers 5-95 %)",
                    r.methods(),
                    boxes);
            names.add(box);
            for (String g : groups(s)) {
                String f = sp + "_ks2_cdf_" + fileSafe(g) + ".png";
                int[] pos = positions(s, g);
                List<Plots.Series> series = new ArrayList<>();
                for (int j = 0; j < r.methods().size(); j++)
                    series.add(new Plots.Series(r.methods().get(j), pick(r.ks2()[s][j], pos)));
                Plots.cdf(batch.file(f), "CDF of KS2 to the ground truth: " + g + " (split " + sp + ")", "KS2", series);
                names.add(f);
            }
        }
        if (samples != null)
            for (SampleMaps.Sample smp : samples.samples()) {
                Integer site = d.indexOf(smp.id());
                String f = "map_" + fileSafe(smp.id()) + ".png";
                Plots.maps(
                        batch.file(f),
                        smp.id(),
                        site == null ? "" : d.env(site) + ", " + d.city(site),
                        smp.grid(),
                        smp.panels());
                names.add(f);
            }
        return names;
    }

    static String fileSafe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    // ------------------------------------------------------------------ summary.md

    static String cell(Stats st) {
        return st.n() == 0 ? "—" : String.format(Locale.ROOT, "%.3f ± %.3f", st.median(), st.std());
    }

    static String paperCell(PaperFigures.Cell c, int digits) {
        if (c == null) return "—";
        return String.format(Locale.ROOT, "%." + digits + "f ± %s", c.median(), trim(c.std()));
    }

    static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        while (s.endsWith("0") && s.indexOf('.') < s.length() - 3) s = s.substring(0, s.length() - 1);
        return s;
    }

    static String label(String m) {
        return switch (m) {
            case "voronoi" -> "Voronoi";
            case "spdi-legacy" -> "sPDI legacy (β 5/4/3)";
            case "spdi-oracle" -> "sPDI oracle (teacher β*)";
            case "spdi" -> "sPDI (one β)";
            default -> PaperFigures.PAPER_NAME.getOrDefault(m, m);
        };
    }

    String summaryMd(List<String> figures) {
        StringBuilder sb = new StringBuilder();
        Map<String, String> man = d.manifest();
        int[] perClass = new int[3];
        for (int s : r.tested()) perClass[Dataset.CLASSES.indexOf(d.env(s))]++;
        sb.append("# geomend eval\n\n");
        sb.append(String.format(
                Locale.ROOT,
                "- dataset: `%s`: %d sites, %d with a ground-truth map (%d urban, %d suburban, %d rural), "
                        + "windows %d x %d px at %s m%s%n",
                d.dir(),
                d.size(),
                r.tested().length,
                perClass[0],
                perClass[1],
                perClass[2],
                d.window(),
                d.window(),
                d.resolution() == Math.rint(d.resolution())
                        ? String.valueOf((long) d.resolution())
                        : String.valueOf(d.resolution()),
                man.isEmpty()
                        ? " (no manifest.json)"
                        : ", manifest: " + man.getOrDefault("generator", "?") + " seed "
                                + man.getOrDefault("seed", "?")));
        sb.append("- command: `").append(meta.command()).append("`\n");
        sb.append(String.format(
                Locale.ROOT,
                "- backend %s, %d threads, chunks of %d BSs, seed %d, oracle betas %s; wall time %.1f s%n",
                meta.backend(),
                meta.threads(),
                meta.chunk(),
                meta.seed(),
                meta.oracleBetas(),
                r.seconds()));
        sb.append(
                "- KS2: SPEC section 3 (max over grid-line intersections and quadrants of the mass difference), each map "
                        + "normalised to 1; median ± sample standard deviation, as the paper reports. ms/BS: wall time of drawing a "
                        + "method's maps (its k-nearest-site raster included, scoring excluded) per BS. Paper figures: DeepMEND "
                        + "Table I (5-fold CV over 5,947 Orange BSs) and Table II (leave-one-out); the paper's \"sPDI\" is legacy sPDI.\n\n");

        // Table I
        int s0 = r.splits().indexOf(Split.CV5) >= 0 ? r.splits().indexOf(Split.CV5) : 0;
        sb.append("## Table I: overall (all tested BSs, folds of split ")
                .append(r.splits().get(s0).cliName)
                .append(" pooled)\n\n");
        sb.append(
                "| Model | median KS2 ± std (ours) | paper | share KS2 > 0.6 (ours) | ms per BS (ours) | paper inference (ms) | n |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        int[] all = positions(s0, "all");
        for (int j = 0; j < r.methods().size(); j++) {
            String m = r.methods().get(j);
            Stats st = Stats.of(pick(r.ks2()[s0][j], all));
            PaperFigures.Cell p = PaperFigures.TABLE_I.get(m);
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %.0f %% | %.1f | %s | %d |%n",
                    label(m),
                    cell(st),
                    paperCell(p, 3),
                    100 * st.above06(),
                    mean(pick(r.nanos()[s0][j], all)) / 1e6,
                    p == null ? "—" : p.inference(),
                    st.n()));
        }
        for (Map.Entry<String, PaperFigures.Cell> e : PaperFigures.TABLE_I.entrySet())
            if (!r.methods().contains(e.getKey()))
                sb.append(String.format(
                        Locale.ROOT,
                        "| %s | not run%s | %s | | | %s | |%n",
                        label(e.getKey()),
                        EvalMethods.NOT_YET.contains(e.getKey()) ? " (not built yet)" : "",
                        paperCell(e.getValue(), 3),
                        e.getValue().inference()));
        sb.append(
                "\nThe paper: 30-60 % of BSs have KS2 > 0.6 under Voronoi, VoronoiBoost and sPDI, 9 % under DeepMEND.\n\n");

        // Table II per split
        for (int s = 0; s < r.splits().size(); s++) {
            Split sp = r.splits().get(s);
            sb.append("## Table II: ")
                    .append(
                            sp == Split.LOO_CITY
                                    ? "per city left out"
                                    : sp == Split.LOO_ENV
                                            ? "per urbanisation class left out"
                                            : "per urbanisation class")
                    .append(" (split ")
                    .append(sp.cliName)
                    .append(")\n\n");
            sb.append("Cells: median KS2 ± std, ours / paper (paper Table II")
                    .append(
                            sp == Split.LOO_CITY
                                    ? "; our cities are synthetic, so the paper column gives the range over its 14 French cities: min / median / max of their medians"
                                    : ", urbanisation-class rows")
                    .append(").\n\n");
            sb.append("| ").append(sp == Split.LOO_CITY ? "City" : "Class").append(" | n |");
            for (String m : r.methods()) sb.append(' ').append(label(m)).append(" |");
            sb.append('\n')
                    .append("|---|---|")
                    .append("---|".repeat(r.methods().size()))
                    .append('\n');
            for (String g : groups(s)) {
                int[] pos = positions(s, g);
                sb.append("| ").append(g).append(" | ").append(pos.length).append(" |");
                for (int j = 0; j < r.methods().size(); j++) {
                    String m = r.methods().get(j);
                    Stats st = Stats.of(pick(r.ks2()[s][j], pos));
                    String paper;
                    if (g.equals("all")) paper = paperCell(PaperFigures.TABLE_I.get(m), 2);
                    else if (sp == Split.LOO_CITY) {
                        double[] rg = PaperFigures.cityRange(m);
                        paper = rg == null
                                ? "—"
                                : String.format(Locale.ROOT, "%.2f / %.2f / %.2f", rg[0], rg[1], rg[2]);
                    } else paper = paperCell(PaperFigures.classCell(g, m), 2);
                    sb.append(' ').append(cell(st)).append(" / ").append(paper).append(" |");
                }
                sb.append('\n');
            }
            sb.append('\n');
            // folds
            sb.append("Per test fold (median KS2; `folds.csv` has n, mean, std, ms):\n\n| Fold | n |");
            for (String m : r.methods()) sb.append(' ').append(m).append(" |");
            sb.append('\n')
                    .append("|---|---|")
                    .append("---|".repeat(r.methods().size()))
                    .append('\n');
            for (int f = 0; f < r.folds().get(s).size(); f++) {
                int[] pos = foldPositions(s, f);
                sb.append("| ")
                        .append(r.folds().get(s).get(f).name())
                        .append(" | ")
                        .append(pos.length)
                        .append(" |");
                for (int j = 0; j < r.methods().size(); j++)
                    sb.append(String.format(
                            Locale.ROOT,
                            " %.3f |",
                            Stats.of(pick(r.ks2()[s][j], pos)).median()));
                sb.append('\n');
            }
            sb.append('\n');
        }

        // oracle betas
        int jo = r.methods().indexOf("spdi-oracle");
        if (jo >= 0) {
            sb.append(
                    "## Oracle β* (the teacher's per-BS attenuation)\n\n| Class | n | median β* | 25 % | 75 % |\n|---|---|---|---|---|\n");
            for (String g : groups(s0)) {
                Stats st = Stats.of(pick(r.param()[s0][jo], positions(s0, g)));
                sb.append(String.format(
                        Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f |%n", g, st.n(), st.median(), st.p25(), st.p75()));
            }
            sb.append('\n');
        }
        for (String sec : sections) sb.append(sec).append(sec.endsWith("\n\n") ? "" : "\n");
        if (!figures.isEmpty()) {
            sb.append("## Figures\n\n");
            for (String f : figures)
                sb.append("- [`").append(f).append("`](").append(f).append(")\n");
        }
        return sb.toString();
    }
}
