package org.geomend.voronoiboost;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.geomend.io.AtomicFiles;
import org.geomend.report.Stats;

/**
 * How well our features and regressor reproduce the published model's scales on cities left out of training:
 * leave-one-city-out over {@link PublishedScales} (every (operator, city) pair of the left-out city is held out),
 * median relative error {@code |ours - published| / published} of s_tau per tau (raw predictions, rows where the
 * published scale is present), per city and pooled.
 */
public final class PublishedReproduction {

    /** One left-out city. */
    public record Fold(
            String city,
            int sites,
            int trainRows,
            double[] medianRelError,
            double[] n,
            double keptAgreement,
            double fitSeconds,
            double predictMicrosPerSite) {}

    /** Everything measured. */
    public record Result(
            double[] taus,
            List<Fold> folds,
            double[] pooledMedian,
            double pooledKeptAgreement,
            double featureSeconds,
            double medianAreaRatioInterior,
            double medianAreaRatioClipped,
            VoronoiBoostModel.Settings settings,
            VoronoiBoostModel.Hyper hyper) {}

    private PublishedReproduction() {}

    public static Result run(
            PublishedScales p, VoronoiBoostModel.Settings settings, VoronoiBoostModel.Hyper hyper, PrintStream log) {
        long t0 = System.nanoTime();
        PublishedScales.Cells cells = p.cells(settings);
        double featureS = (System.nanoTime() - t0) / 1e9;
        double[] taus = p.taus();
        int T = taus.length;
        List<Fold> folds = new ArrayList<>();
        List<List<Double>> pooled = new ArrayList<>();
        for (int k = 0; k < T; k++) pooled.add(new ArrayList<>());
        int agreeAll = 0, rowsAll = 0;
        for (String city : p.cities()) {
            List<Integer> tr = new ArrayList<>(), te = new ArrayList<>();
            for (int r = 0; r < p.size(); r++) (p.city(r).equals(city) ? te : tr).add(r);
            TrainingSet ts = p.trainingSet(
                    cells.features(), tr.stream().mapToInt(Integer::intValue).toArray());
            long f0 = System.nanoTime();
            VoronoiBoostModel m = VoronoiBoostModel.fit(
                    ts.x(),
                    ts.y(),
                    taus,
                    settings,
                    hyper,
                    Map.of("source", p.file().toString(), "left_out", city));
            double fitS = (System.nanoTime() - f0) / 1e9;
            double[][] feats = te.stream().map(r -> cells.features()[r]).toArray(double[][]::new);
            long p0 = System.nanoTime();
            double[][] pred = m.predict(feats);
            double predUs = (System.nanoTime() - p0) / 1e3 / Math.max(1, te.size());
            double[] med = new double[T], cnt = new double[T];
            int agree = 0;
            for (int k = 0; k < T; k++) {
                List<Double> e = new ArrayList<>();
                for (int i = 0; i < te.size(); i++) {
                    double pub = p.scales(te.get(i))[k];
                    if (!(pub > 0)) continue;
                    double rel = Math.abs(pred[i][k] - pub) / pub;
                    e.add(rel);
                    pooled.get(k).add(rel);
                }
                med[k] = median(e);
                cnt[k] = e.size();
            }
            for (int i = 0; i < te.size(); i++) {
                double[] pub = p.scales(te.get(i));
                double[] kept = VoronoiBoostModel.monotone(taus, pred[i]).taus();
                List<Double> pubKept = new ArrayList<>();
                for (int k = 0; k < T; k++) if (pub[k] > 0) pubKept.add(taus[k]);
                if (Arrays.equals(
                        kept, pubKept.stream().mapToDouble(Double::doubleValue).toArray())) agree++;
            }
            agreeAll += agree;
            rowsAll += te.size();
            folds.add(new Fold(city, te.size(), ts.rows(), med, cnt, (double) agree / te.size(), fitS, predUs));
            if (log != null)
                log.printf(
                        Locale.ROOT,
                        "voronoiboost loco: %s left out (%d sites), fit %.1f s on %d rows, median rel. error %s%n",
                        city,
                        te.size(),
                        fitS,
                        ts.rows(),
                        fmt(med));
        }
        double[] pm = new double[T];
        for (int k = 0; k < T; k++) pm[k] = median(pooled.get(k));
        List<Double> ri = new ArrayList<>(), rc = new ArrayList<>();
        for (int r = 0; r < p.size(); r++) {
            double pub = p.publishedCellPixels(r) * 1e4;
            if (!(pub > 0)) continue;
            (cells.clipped()[r] ? rc : ri).add(cells.area()[r] / pub);
        }
        return new Result(
                taus, folds, pm, (double) agreeAll / rowsAll, featureS, median(ri), median(rc), settings, hyper);
    }

    static double median(List<Double> v) {
        return Stats.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) sb.append(sb.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.3f", d));
        return sb.toString();
    }

    /** The Markdown table. */
    public static String markdown(Result r, String commandLine) {
        StringBuilder sb = new StringBuilder();
        sb.append("# VoronoiBoost: reproducing the published scales, leave one city out\n\n");
        sb.append("Command: `").append(commandLine).append("`\n\n");
        sb.append(String.format(
                Locale.ROOT,
                "Settings: cells in Lambert-93 metres clipped %.0f m outside each (operator, city) inventory's bounding box; "
                        + "regressor " + VoronoiBoostModel.LIBRARY
                        + ", %d trees, depth %d, %d nodes, node size %d, shrinkage %.3f, subsample %.2f, seed %d. "
                        + "Features of all %d sites: %.1f s.%n%n",
                r.settings().clipMargin(),
                r.hyper().trees(),
                r.hyper().maxDepth(),
                r.hyper().maxNodes(),
                r.hyper().nodeSize(),
                r.hyper().shrinkage(),
                r.hyper().subsample(),
                r.hyper().seed(),
                r.folds().stream().mapToInt(Fold::sites).sum(),
                r.featureSeconds()));
        sb.append(
                "Median relative error |ours - published| / published of s_tau on the left-out city (raw predictions; rows where the published scale is present), "
                        + "share of sites whose kept taus (after the monotone post-processing) equal the published ones, and timings.\n\n");
        sb.append("| left-out city | sites |");
        for (double t : r.taus()) sb.append(String.format(Locale.ROOT, " tau %.2f |", t));
        sb.append(" same kept taus | fit (s) | predict (us/site) |\n|---|---:|");
        for (int k = 0; k < r.taus().length; k++) sb.append("---:|");
        sb.append("---:|---:|---:|\n");
        for (Fold f : r.folds()) {
            sb.append("| ").append(f.city()).append(" | ").append(f.sites()).append(" |");
            for (double v : f.medianRelError()) sb.append(String.format(Locale.ROOT, " %.3f |", v));
            sb.append(String.format(
                    Locale.ROOT,
                    " %.2f | %.1f | %.0f |%n",
                    f.keptAgreement(),
                    f.fitSeconds(),
                    f.predictMicrosPerSite()));
        }
        sb.append("| **all (pooled)** | ")
                .append(r.folds().stream().mapToInt(Fold::sites).sum())
                .append(" |");
        for (double v : r.pooledMedian()) sb.append(String.format(Locale.ROOT, " **%.3f** |", v));
        sb.append(String.format(Locale.ROOT, " %.2f | | |%n%n", r.pooledKeptAgreement()));
        sb.append(String.format(
                Locale.ROOT,
                "Cell geometry check: median ratio of our cell area to the published rasterised cell (voronoi_cells x 0.01 km²): "
                        + "%.3f for cells inside the clip box, %.3f for cells clipped by it.%n",
                r.medianAreaRatioInterior(),
                r.medianAreaRatioClipped()));
        return sb.toString();
    }

    /** Writes {@code text} to {@code file} through a temporary name. */
    public static void write(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) Files.createDirectories(abs.getParent());
        AtomicFiles.writeString(abs, text);
    }
}
