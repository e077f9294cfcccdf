package org.geomend.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.geomend.dataset.Dataset;
import org.geomend.eval.EvalMethod;
import org.geomend.eval.EvalMethods;
import org.geomend.eval.Evaluator;
import org.geomend.eval.OracleMethod;
import org.geomend.eval.Report;
import org.geomend.eval.SampleMaps;
import org.geomend.eval.Split;
import org.geomend.eval.StudentFoldMethod;
import org.geomend.io.InputException;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.java.JavaKernels;
import org.geomend.report.Stats;
import org.geomend.student.ShippedModel;
import org.geomend.usecases.UseCases;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code geomend eval}: every method on the tested BSs of a dataset, KS2 against the ground truth, tables and
 * figures laid out like DeepMEND's. Exit 0 on success, 2 on bad usage or bad input (one line naming the file),
 * 1 on other failures.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = TrainingOptions.StudentPrefix.class,
        description = {
            "Compare geolocation methods with the ground truth of a dataset (geomend synth output): "
                    + "KS2 per BS, summary.csv, folds.csv, per_bs.csv, summary.md (DeepMEND Table I / II layout, paper figures beside ours) "
                    + "and PNG figures in --out."
        })
public final class EvalCommand implements Callable<Integer>, TrainingOptions.PerFold {

    @Option(
            names = "--dataset",
            required = true,
            description = "Dataset directory: sites.csv (id,x,y,env,city,...,map) and maps.arrow (ground truth).")
    Path dataset;

    @Option(
            names = "--methods",
            defaultValue = "voronoi,spdi-legacy,spdi-oracle",
            description = "Comma-separated: voronoi, spdi, spdi-legacy, spdi-oracle (default ${DEFAULT-VALUE}).")
    String methods;

    @Option(
            names = "--split",
            defaultValue = "cv5",
            description = "cv5 | loo-city | loo-env, or several comma-separated (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(
            names = "--beta",
            defaultValue = "2",
            description = "Attenuation of --methods spdi (default ${DEFAULT-VALUE}).")
    double beta;

    @Option(
            names = "--k",
            defaultValue = "5",
            description = "sPDI neighbours other than the BS, 1..8 (default ${DEFAULT-VALUE}).")
    int k;

    @Option(
            names = "--oracle-betas",
            defaultValue = "0.1:6:0.05",
            description =
                    "Beta grid of spdi-oracle: FROM:TO:STEP or a list (default ${DEFAULT-VALUE}, SPEC teacher rule).")
    String oracleBetas;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "Seed of the cv5 folds and of the sample BSs shown in the map figures (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--chunk",
            defaultValue = "16",
            description = "BSs drawn together (one neighbour raster; default ${DEFAULT-VALUE}).")
    int chunk;

    @Option(
            names = "--map-samples",
            defaultValue = "2",
            description =
                    "BSs per urbanisation class shown in the side-by-side map figures (default ${DEFAULT-VALUE}).")
    int mapSamples;

    @Option(
            names = "--model",
            description = "A trained U-Net for deepmend / direct: NAME=DIR (repeatable), DIR written by geomend train. "
                    + "Without it, direct is trained per fold (the --student-* and U-Net options, models written to --out/models/), and so is deepmend "
                    + "with --labels; deepmend without --labels is the shipped student (models/" + ShippedModel.NAME
                    + ").")
    Map<String, Path> models = new java.util.LinkedHashMap<>();

    @Option(
            names = "--labels",
            description =
                    "Teacher labels for deepmend trained per fold: a geomend teacher output directory (its labels.arrow) or the file.")
    Path labels;

    @Option(
            names = "--use-cases",
            description =
                    "Also measure DeepMEND Fig. 10 on the left-out cities of --split loo-city: Jain's fairness of edge-site "
                            + "planning on each method's demand (scored on the ground truth's) and the hourly MAPE of the eq. 9 population; written to --out/use-cases/.")
    boolean useCases;

    @Option(
            names = "--use-case-cities",
            split = ",",
            paramLabel = "CITY",
            description = "With --use-cases: only these cities' loo-city folds are run "
                    + "(trained methods skip the other folds; default: every city).")
    List<String> useCaseCities;

    @Option(
            names = "--edge-sites",
            split = ",",
            defaultValue = "5,10,20,50,100,200",
            paramLabel = "K",
            description = "With --use-cases: numbers of edge sites K (default ${DEFAULT-VALUE}).")
    List<Integer> edgeSites;

    @Option(
            names = "--imbalance",
            defaultValue = "0.03",
            description = "With --use-cases: edge-site load imbalance epsilon of eq. 5 (default ${DEFAULT-VALUE}).")
    double imbalance;

    @Option(
            names = "--use-case-resolution",
            defaultValue = "0",
            paramLabel = "METRES",
            description =
                    "With --use-cases: sum every demand raster (the ground truth's too) onto pixels of this side, "
                            + "an integer multiple of the dataset's, before planning and eq. 9 "
                            + "(e.g. 400 for a student that draws at 400 m; default 0: the dataset's pixels).")
    double useCaseResolution;

    @Option(
            names = "--kpi",
            description =
                    "With --use-cases: per-BS traffic, CSV id,time,value (default DATASET/traffic.csv, written by geomend synth).")
    Path kpiFile;

    @Option(
            names = "--lambda",
            description = "With --use-cases: CSV time,lambda of eq. 9 (default DATASET/lambda.csv).")
    Path lambdaFile;

    @Option(
            names = "--population-k",
            split = ",",
            paramLabel = "k",
            description = "With --use-cases (required there): k1,k2,k3,k4 of eq. 9 "
                    + "(no published values found: see geomend population).")
    List<Double> populationK;
    /** --student-epochs, --student-batch, ...: {@link TrainingOptions.StudentPrefix}. */
    final TrainingOptions student = new TrainingOptions();

    @Mixin
    UNetOptions unet;

    @Spec
    CommandSpec spec;

    @Mixin
    ComputeOptions compute;

    private final Map<String, EvalMethods.Factory> table;

    public EvalCommand() {
        this(EvalMethods.standard());
    }

    @Override
    public TrainingOptions student() {
        return student;
    }

    /** With another method table (tests; later issues extend {@link EvalMethods#standard()}). */
    public EvalCommand(Map<String, EvalMethods.Factory> table) {
        this.table = table;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, EvalMethods.Factory> table = new java.util.LinkedHashMap<>(this.table);
        for (Map.Entry<String, Path> e : models.entrySet()) {
            if (!EvalMethods.STUDENTS.contains(e.getKey()))
                throw new IllegalArgumentException("--model: NAME must be deepmend or direct: '" + e.getKey() + "'");
            table.put(e.getKey(), o -> new org.geomend.eval.StudentMethod(e.getKey(), e.getValue(), compute.threads));
        }
        if (labels == null && !models.containsKey("deepmend")) // made only when --methods names it
        table.put("deepmend", o -> shippedStudent());
        Dataset[] loaded =
                new Dataset[1]; // the per-fold students' grid defaults to the dataset's: made after it is loaded
        for (String n : EvalMethods.STUDENTS)
            if (!table.containsKey(n))
                table.put(
                        n,
                        o -> checked(new StudentFoldMethod(n, studentSettings(n, loaded[0]), System.err), loaded[0]));
        List<String> names = EvalMethods.parse(methods, table);
        List<String> perFold = names.stream()
                .filter(n -> EvalMethods.STUDENTS.contains(n)
                        && !models.containsKey(n)
                        && !(n.equals("deepmend") && labels == null))
                .toList();
        if (labels != null && !perFold.contains("deepmend"))
            System.err.println("geomend eval: --labels is unused (only deepmend trained per fold reads it)");
        if (!perFold.isEmpty()) student.check();
        List<Split> splits = new ArrayList<>();
        for (String s : split.split(",")) {
            if (s.isBlank()) continue;
            Split sp = Split.parse(s);
            if (splits.contains(sp)) throw new IllegalArgumentException("--split: '" + sp.cliName + "' given twice");
            splits.add(sp);
        }
        if (splits.isEmpty()) throw new IllegalArgumentException("--split: no split given");
        if (chunk < 1 || chunk > 4096) throw new IllegalArgumentException("--chunk must be in [1, 4096]: " + chunk);
        if (mapSamples < 0 || mapSamples > 20)
            throw new IllegalArgumentException("--map-samples must be in [0, 20]: " + mapSamples);
        if (!useCases
                && (useCaseCities != null
                        || kpiFile != null
                        || lambdaFile != null
                        || populationK != null
                        || useCaseResolution != 0))
            throw new IllegalArgumentException(
                    "--use-case-cities, --use-case-resolution, --kpi, --lambda and --population-k apply with --use-cases only");
        if (useCases) {
            if (!splits.contains(Split.LOO_CITY))
                throw new IllegalArgumentException("--use-cases needs --split loo-city (the paper's left-out city)");
            if (populationK == null || populationK.size() != 4)
                throw new IllegalArgumentException(
                        "--use-cases needs --population-k k1,k2,k3,k4 (the constants of eq. 9; no published defaults)");
            if (edgeSites.isEmpty()) throw new IllegalArgumentException("--edge-sites: no K given");
            for (int kk : edgeSites)
                if (kk < 1) throw new IllegalArgumentException("--edge-sites: K must be >= 1, not " + kk);
            if (!(imbalance > 0 && imbalance < 1))
                throw new IllegalArgumentException("--imbalance must be in (0, 1), not " + imbalance);
        }
        double[] betas = OracleMethod.parseBetas(oracleBetas);
        EvalMethods.Options mo = new EvalMethods.Options(beta, k, betas);
        Dataset d = Dataset.load(dataset);
        if (useCases
                && useCaseResolution != 0
                && !org.geomend.traffic.DemandRaster.isMultiple(useCaseResolution, d.resolution()))
            throw new IllegalArgumentException("--use-case-resolution must be a positive integer multiple of the "
                    + "dataset's " + d.resolution() + " m pixels, not " + useCaseResolution);
        for (Split sp : splits) sp.folds(d, seed); // fail on a split the dataset cannot support before any work
        loaded[0] = d;
        UseCases uc = useCases ? useCases(d, names) : null;
        List<EvalMethod> ms = new ArrayList<>();
        try {
            for (String n : names) ms.add(table.get(n).create(mo));
            SampleMaps samples = SampleMaps.choose(d, mapSamples, seed);
            System.err.printf(
                    Locale.ROOT,
                    "geomend eval: %s: %d sites, %d with ground truth; methods %s; splits %s%n",
                    dataset,
                    d.size(),
                    d.tested().length,
                    String.join(",", names),
                    splits.stream().map(s -> s.cliName).toList());
            try (GeoKernels kernels = compute.open();
                    ProgressBar bar = new ProgressBar("eval")) {
                Evaluator ev = new Evaluator(d, kernels, chunk, samples, bar::update);
                if (uc != null)
                    ev.listen(
                            Split.LOO_CITY, useCaseCities == null ? null : new java.util.HashSet<>(useCaseCities), uc);
                Evaluator.Results r = ev.run(ms, splits, seed);
                bar.close();
                int threads = kernels instanceof JavaKernels j ? j.threads() : 0;
                String cmd = commandLine(spec);
                Report report = new Report(
                        r,
                        new Report.Meta(
                                cmd,
                                kernels.name(),
                                threads,
                                oracleBetas + " (" + betas.length + " values)",
                                chunk,
                                seed),
                        samples);
                if (uc != null) report.section(uc.write(out.resolve("use-cases"), "use-cases"));
                report.write(out);
                Split s0 = splits.contains(Split.CV5) ? Split.CV5 : splits.get(0);
                int si = r.splits().indexOf(s0);
                StringBuilder line = new StringBuilder();
                for (int j = 0; j < r.methods().size(); j++) {
                    Stats st = Stats.of(r.ks2()[si][j]);
                    double ms0 = 0;
                    for (double v : r.nanos()[si][j]) ms0 += v;
                    line.append(String.format(
                            Locale.ROOT,
                            "%s%s %.3f (%.1f ms/BS)",
                            j == 0 ? "" : ", ",
                            r.methods().get(j),
                            st.median(),
                            ms0 / 1e6 / Math.max(1, r.tested().length)));
                }
                System.err.printf(
                        Locale.ROOT,
                        "geomend eval: median KS2 over %d BSs: %s; %.1f s; wrote %s%n",
                        r.tested().length,
                        line,
                        r.seconds(),
                        out.resolve("summary.md"));
            }
        } finally {
            for (EvalMethod m : ms) m.close();
        }
        return 0;
    }

    /** The use cases' inputs, read and checked before any work. */
    private UseCases useCases(Dataset d, List<String> names) throws java.io.IOException {
        if (useCaseCities != null) {
            List<String> known = Split.LOO_CITY.groups(d);
            for (String c : useCaseCities)
                if (!known.contains(c))
                    throw new IllegalArgumentException(
                            "--use-case-cities: no tested site in city '" + c + "' (cities: " + known + ")");
        }
        Path kf = kpiFile != null ? kpiFile : d.dir().resolve("traffic.csv");
        Path lf = lambdaFile != null ? lambdaFile : d.dir().resolve("lambda.csv");
        for (Path f : new Path[] {kf, lf})
            if (!Files.isRegularFile(f))
                throw new InputException(
                        f,
                        0,
                        "not found: --use-cases reads the per-BS traffic (id,time,value) and lambda(t) (time,lambda) "
                                + "that geomend synth writes into the dataset (or give --kpi / --lambda)");
        org.geomend.traffic.Kpi kpi = org.geomend.traffic.Kpi.read(kf, d.size(), d::indexOf, false);
        Map<String, Double> lambda = org.geomend.traffic.Population.readLambda(lf);
        org.geomend.traffic.Population.Constants k = new org.geomend.traffic.Population.Constants(
                populationK.get(0), populationK.get(1), populationK.get(2), populationK.get(3));
        org.geomend.edge.Metis metis = org.geomend.edge.Metis.load();
        int[] ks = edgeSites.stream().mapToInt(Integer::intValue).toArray();
        return new UseCases(
                d,
                names,
                kpi,
                lambda,
                lf,
                new UseCases.Options(ks, imbalance, k, (int) seed, useCaseResolution),
                metis,
                System.err);
    }

    /** How {@code name} trains per fold (checked by the caller); its models go to {@code --out/models/}. */
    private StudentFoldMethod.Settings studentSettings(String name, Dataset d) {
        student.check();
        Path labelFile = null;
        if (name.equals("deepmend")) {
            labelFile = Files.isDirectory(labels) ? labels.resolve("labels.arrow") : labels;
            if (!Files.isRegularFile(labelFile))
                throw new InputException(labelFile, 0, "no teacher labels (run geomend teacher --out DIR first)");
        }
        return new StudentFoldMethod.Settings(
                unet.config(d),
                student.epochs,
                student.batch,
                student.lr,
                student.seed,
                student.valFraction,
                labelFile,
                out.resolve("models"),
                compute.backend,
                unet.conv,
                compute.threads,
                student.keepBest(),
                student.userWeight);
    }

    /** deepmend without --model or --labels: the shipped student, named in one line. */
    private EvalMethod shippedStudent() {
        try {
            Path dir = ShippedModel.directory();
            System.err.println("geomend eval: no --model deepmend=DIR nor --labels: using " + ShippedModel.DESCRIPTION);
            return new org.geomend.eval.StudentMethod("deepmend", dir, compute.threads);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static StudentFoldMethod checked(StudentFoldMethod m, Dataset d) {
        try {
            return m.checkLabels(d);
        } catch (java.io.IOException e) {
            m.close();
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The command line as the user gave it (picocli's parse result, each argument quoted for a POSIX shell where it
     * needs it), for the report.
     */
    static String commandLine(CommandSpec spec) {
        CommandSpec root = spec;
        while (root.parent() != null) root = root.parent();
        StringBuilder b = new StringBuilder(root == spec ? "geomend " + spec.name() : "geomend");
        for (String a : root.commandLine().getParseResult().originalArgs())
            b.append(' ').append(shellQuote(a));
        return b.toString();
    }

    /** {@code a} as a POSIX shell word: unchanged when it needs no quoting, else in single quotes. */
    static String shellQuote(String a) {
        if (!a.isEmpty() && a.matches("[A-Za-z0-9_@%+=:,./-]+")) return a;
        return "'" + a.replace("'", "'\\''") + "'";
    }
}
