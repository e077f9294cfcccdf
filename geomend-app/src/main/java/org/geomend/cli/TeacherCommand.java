package org.geomend.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.geomend.dataset.Dataset;
import org.geomend.eval.OracleMethod;
import org.geomend.eval.Teacher;
import org.geomend.eval.TeacherOutput;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.java.JavaKernels;
import org.geomend.report.Stats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code geomend teacher}: DeepMEND's sPDI teacher on a dataset with ground truth (SPEC section 2): per BS, KS2 of sPDI
 * at every beta of the grid against the ground truth, beta* and the soft label. Exit 0 on success, 2 on bad usage or
 * bad input (one line naming the file), 1 on other failures.
 */
@Command(
        name = "teacher",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "sPDI teacher: per BS of a dataset with ground truth (geomend synth output), the beta of the grid whose "
                    + "sPDI map is nearest (KS2) to the ground truth, and the soft label (sPDI at that beta). Writes betas.csv "
                    + "(id,env,city,beta_star,ks2_star), ks2_curves.csv (id, then the KS2 at each beta), labels.arrow (SPEC maps) "
                    + "and manifest.json to --out."
        })
final class TeacherCommand implements Callable<Integer> {

    @Option(
            names = "--dataset",
            required = true,
            description = "Dataset directory: sites.csv (id,x,y,env,city,...,map) and maps.arrow (ground truth).")
    Path dataset;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(
            names = "--betas",
            defaultValue = "0.1:6:0.05",
            description = "Beta grid: FROM:TO:STEP or a list B1,B2,... (default ${DEFAULT-VALUE}, SPEC).")
    String betas;

    @Option(
            names = "--k",
            defaultValue = "5",
            description = "sPDI neighbours other than the BS, 1..8 (default ${DEFAULT-VALUE}).")
    int k;

    @Option(
            names = "--ids",
            split = ",",
            description = "Only these BS ids (comma separated; each needs a ground-truth map).")
    List<String> ids;

    @Option(names = "--limit", description = "Only the first N BSs with ground truth (maps.arrow order).")
    Integer limit;

    @Option(
            names = "--chunk",
            defaultValue = "16",
            description = "BSs sharing one neighbour raster (default ${DEFAULT-VALUE}).")
    int chunk;

    @Option(
            names = "--sparse",
            description = "Store each label's pixels carrying all but --drop-mass of its mass (default: dense).")
    boolean sparse;

    @Option(
            names = "--drop-mass",
            defaultValue = "1e-4",
            description = "Mass a sparse label may drop, renormalised (default ${DEFAULT-VALUE}).")
    double dropMass;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws Exception {
        double[] grid;
        try {
            grid = OracleMethod.parseBetas(betas);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--betas must be FROM:TO:STEP (e.g. 0.1:6:0.05) or a list B1,B2,...: '" + betas + "'");
        }
        for (double b : grid)
            if (!(b > 0) || Double.isInfinite(b))
                throw new IllegalArgumentException("--betas: every beta must be finite and > 0: " + b);
        if (new LinkedHashSet<>(java.util.Arrays.stream(grid).boxed().toList()).size() != grid.length)
            throw new IllegalArgumentException("--betas: a beta is given twice: '" + betas + "'");
        if (k < 1 || k > 8) throw new IllegalArgumentException("--k must be in [1, 8]: " + k);
        if (ids != null && limit != null) throw new IllegalArgumentException("--ids and --limit exclude each other");
        if (limit != null && limit < 1) throw new IllegalArgumentException("--limit must be >= 1: " + limit);
        if (chunk < 1 || chunk > 4096) throw new IllegalArgumentException("--chunk must be in [1, 4096]: " + chunk);
        if (!(dropMass >= 0 && dropMass < 1))
            throw new IllegalArgumentException("--drop-mass must be in [0, 1): " + dropMass);
        Dataset d = Dataset.load(dataset);
        int[] sites = sites(d);
        OracleMethod oracle = new OracleMethod(grid, k);
        System.err.printf(
                Locale.ROOT,
                "geomend teacher: %s: %d sites, %d with ground truth, %d searched; %s; k %d%n",
                dataset,
                d.size(),
                d.tested().length,
                sites.length,
                oracle.describeBetas(),
                k);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("dataset", dataset.toString());
        params.put("betas", betas);
        params.put("k", Integer.toString(k));
        try (GeoKernels kernels = compute.open();
                TeacherOutput files = new TeacherOutput(out, d, grid, sparse, dropMass, params);
                ProgressBar bar = new ProgressBar("teacher")) {
            Teacher.Timing t = new Teacher(d, kernels, chunk).run(sites, oracle, files, bar::update);
            bar.close();
            int threads = kernels instanceof JavaKernels j ? j.threads() : 0;
            files.commit(manifest(d, grid, kernels.name(), threads, sites.length, t));
            double[] all = files.classBetas().stream()
                    .flatMapToDouble(c -> java.util.Arrays.stream(c.betaStar()))
                    .toArray();
            System.err.printf(
                    Locale.ROOT,
                    "geomend teacher: %d BSs in %.1f s (%.0f ms per BS searching, backend %s); beta* median %.2f; wrote %s%n",
                    sites.length,
                    t.totalSeconds(),
                    t.msPerSite(),
                    kernels.name(),
                    Stats.of(all).median(),
                    out);
            System.err.print(files.classTable());
        }
        return 0;
    }

    /** The BSs to search: --ids (in the order given), the first --limit, or every BS with ground truth. */
    private int[] sites(Dataset d) {
        int[] tested = d.tested();
        if (limit != null) return java.util.Arrays.copyOf(tested, Math.min(limit, tested.length));
        if (ids == null) return tested;
        List<Integer> out = new ArrayList<>();
        List<String> unknown = new ArrayList<>(), noMap = new ArrayList<>();
        for (String raw : ids) {
            String id = raw.trim();
            if (id.isEmpty()) continue;
            Integer i = d.indexOf(id);
            if (i == null) unknown.add(id);
            else if (d.mapRow(i) < 0) noMap.add(id);
            else if (!out.contains(i)) out.add(i);
        }
        if (!unknown.isEmpty())
            throw new IllegalArgumentException("--ids: not in " + d.sitesFile() + ": " + first(unknown));
        if (!noMap.isEmpty())
            throw new IllegalArgumentException(
                    "--ids: no ground-truth map in " + d.mapsFile() + " for: " + first(noMap));
        if (out.isEmpty()) throw new IllegalArgumentException("--ids: no id given");
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String first(List<String> l) {
        return String.join(",", l.subList(0, Math.min(5, l.size())))
                + (l.size() > 5 ? " (and " + (l.size() - 5) + " more)" : "");
    }

    private String manifest(Dataset d, double[] grid, String backend, int threads, int n, Teacher.Timing t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generator", "geomend teacher");
        m.put("dataset", dataset.toString());
        m.put("sites", n);
        m.put("k", k);
        m.put("betas_spec", betas);
        m.put("betas", grid);
        m.put("backend", backend);
        m.put("threads", threads);
        m.put("window", d.window());
        m.put("resolution", d.resolution());
        m.put("labels_sparse", sparse);
        m.put("labels_drop_mass", sparse ? dropMass : null);
        Map<String, String> files = new LinkedHashMap<>();
        files.put("betas", TeacherOutput.BETAS);
        files.put("curves", TeacherOutput.CURVES);
        files.put("labels", TeacherOutput.LABELS);
        m.put("files", files);
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("total_s", decimals(t.totalSeconds(), 3));
        timing.put("search_s", decimals(t.searchSeconds(), 3));
        timing.put("ms_per_bs", decimals(t.msPerSite(), 1));
        m.put("timing", timing);
        return org.geomend.io.Json.pretty(m) + "\n";
    }

    /** {@code v} with {@code places} decimals, as {@code %.Nf} prints it. */
    private static java.math.BigDecimal decimals(double v, int places) {
        if (!Double.isFinite(v)) return null;
        return new java.math.BigDecimal(v).setScale(places, java.math.RoundingMode.HALF_UP);
    }
}
