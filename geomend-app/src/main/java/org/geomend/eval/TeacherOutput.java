package org.geomend.eval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.geomend.dataset.Dataset;
import org.geomend.geo.Projections;
import org.geomend.io.ArrowMapSink;
import org.geomend.io.AtomicFiles;
import org.geomend.io.MapSinks;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.report.Stats;

/**
 * The files of {@code geomend teacher} in its output directory, each written under a {@code .partial} name and renamed
 * in {@link #commit} ({@link #close()} without a commit deletes them):
 * <ul>
 *   <li>{@value #BETAS}: {@code id,env,city,beta_star,ks2_star}, one row per site in the order searched;</li>
 *   <li>{@value #CURVES}: the whole KS2-vs-beta curve, {@code id} then one column per beta of the grid, headed by the
 *       beta's value ({@code id,0.1,0.15,...}); an empty cell where the map at that beta has no mass;</li>
 *   <li>{@value #LABELS}: the soft labels (normalised sPDI at beta*) as SPEC section 5 maps, dense unless sparse;</li>
 *   <li>{@value #MANIFEST}: what was run and how long it took (written last: its presence marks a complete run).</li>
 * </ul>
 */
public final class TeacherOutput implements Teacher.Out, AutoCloseable {

    public static final String BETAS = "betas.csv",
            CURVES = "ks2_curves.csv",
            LABELS = "labels.arrow",
            MANIFEST = "manifest.json";

    /** beta* of the sites of one urbanisation class. */
    public record ClassBetas(String cls, double[] betaStar) {}

    private final Path dir, betasTmp, curvesTmp;
    private final Dataset data;
    private final double[] betas;
    private final BufferedWriter betasCsv, curvesCsv;
    private final ArrowMapSink labels;
    private final Map<String, List<Double>> byClass = new LinkedHashMap<>();
    private boolean committed, closed;

    public TeacherOutput(
            Path dir, Dataset data, double[] betas, boolean sparse, double dropMass, Map<String, String> params)
            throws IOException {
        this.dir = dir;
        this.data = data;
        this.betas = betas.clone();
        Files.createDirectories(dir);
        betasTmp = AtomicFiles.temporary(dir.resolve(BETAS));
        curvesTmp = AtomicFiles.temporary(dir.resolve(CURVES));
        for (String c : Dataset.CLASSES) byClass.put(c, new ArrayList<>());
        BufferedWriter b = null, c = null;
        ArrowMapSink l = null;
        try {
            b = Files.newBufferedWriter(betasTmp, StandardCharsets.UTF_8);
            c = Files.newBufferedWriter(curvesTmp, StandardCharsets.UTF_8);
            l = new ArrowMapSink(
                    dir.resolve(LABELS),
                    Projections.parse(data.crs()),
                    sparse,
                    dropMass,
                    MapSinks.geomendMetadata("teacher", params));
            b.write("id,env,city,beta_star,ks2_star\n");
            StringBuilder h = new StringBuilder("id");
            for (double beta : betas) h.append(',').append(beta);
            c.write(h.append('\n').toString());
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable x : new AutoCloseable[] {b, c, l})
                try {
                    if (x != null) x.close();
                } catch (Exception s) {
                    e.addSuppressed(s);
                }
            Files.deleteIfExists(betasTmp);
            Files.deleteIfExists(curvesTmp);
            throw e;
        }
        betasCsv = b;
        curvesCsv = c;
        labels = l;
    }

    @Override
    public void site(int site, GridSpec window, double betaStar, double ks2Star, double[] curve, GridBuffer label)
            throws IOException {
        String id = data.id(site);
        betasCsv.write(id + "," + data.env(site) + "," + data.city(site) + "," + betaStar + "," + ks2Star + "\n");
        StringBuilder sb = new StringBuilder(id);
        for (double v : curve) {
            sb.append(',');
            if (!Double.isNaN(v)) sb.append(v);
        }
        curvesCsv.write(sb.append('\n').toString());
        labels.write(id, window, label.segment(), 0);
        byClass.computeIfAbsent(data.env(site), k -> new ArrayList<>()).add(betaStar);
    }

    /** beta* per urbanisation class so far (classes in report order, empty ones included). */
    public List<ClassBetas> classBetas() {
        List<ClassBetas> out = new ArrayList<>();
        byClass.forEach((c, l) -> out.add(
                new ClassBetas(c, l.stream().mapToDouble(Double::doubleValue).toArray())));
        return out;
    }

    /** Markdown table of beta* per class: sites, quartiles, share at the grid's smallest and largest beta. */
    public String classTable() {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double b : betas) {
            lo = Math.min(lo, b);
            hi = Math.max(hi, b);
        }
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "| class | BSs | beta* median | q1 | q3 | mean | at %s | at %s |%n|---|---|---|---|---|---|---|---|%n",
                lo,
                hi));
        List<ClassBetas> rows = new ArrayList<>(classBetas());
        List<Double> all = new ArrayList<>();
        for (ClassBetas c : rows) for (double b : c.betaStar()) all.add(b);
        rows.add(new ClassBetas(
                "all", all.stream().mapToDouble(Double::doubleValue).toArray()));
        for (ClassBetas c : rows) {
            Stats s = Stats.of(c.betaStar());
            int atLo = 0, atHi = 0;
            for (double b : c.betaStar()) {
                if (b == lo) atLo++;
                if (b == hi) atHi++;
            }
            int n = c.betaStar().length;
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.1f %% | %.1f %% |%n",
                    c.cls(),
                    n,
                    s.median(),
                    s.p25(),
                    s.p75(),
                    s.mean(),
                    n == 0 ? 0 : 100.0 * atLo / n,
                    n == 0 ? 0 : 100.0 * atHi / n));
        }
        return sb.toString();
    }

    /** Closes and renames every file, then writes {@code manifestJson} as {@value #MANIFEST}. */
    public void commit(String manifestJson) throws IOException {
        if (closed || committed)
            throw new IllegalStateException("teacher output already " + (closed ? "closed" : "committed"));
        betasCsv.close();
        curvesCsv.close();
        labels.commit();
        AtomicFiles.publish(betasTmp, dir.resolve(BETAS));
        AtomicFiles.publish(curvesTmp, dir.resolve(CURVES));
        AtomicFiles.writeString(dir.resolve(MANIFEST), manifestJson);
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            betasCsv.close();
            curvesCsv.close();
        } finally {
            labels.close();
            if (!committed) {
                Files.deleteIfExists(betasTmp);
                Files.deleteIfExists(curvesTmp);
            }
        }
    }
}
