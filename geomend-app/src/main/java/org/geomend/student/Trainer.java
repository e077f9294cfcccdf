package org.geomend.student;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.dataset.Dataset;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.AtomicFiles;
import org.geomend.io.Futures;
import org.geomend.io.InputException;
import org.geomend.io.MapData;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;
import org.geomend.report.Plots;
import org.geomend.report.Stats;

/**
 * The training loop of {@code geomend train}: L1 loss in the transformed space (masked to the window; each pixel
 * weighted by {@link #lossWeights}, all 1 for the paper's plain L1), Adam
 * (beta1 0.9, beta2 0.999, eps 1e-7: Keras' defaults), one pass over the shuffled training sites per epoch, the
 * next batch built on a background thread while the current one trains, validation KS2 against the ground truth on
 * the held-out sites after every epoch, then a checkpoint ({@code checkpoint.safetensors}: weights, Adam moments,
 * epoch and step), the weights and config, {@code train.csv} and {@code train.png}, each written atomically.
 *
 * <p>Reproducible: the network is initialised from the seed, the validation split is drawn from the seed, the
 * shuffle of epoch e from {@code Random(seed * 1000003 + e)} (so the RNG state is just (seed, epoch)), and the Java
 * kernels are bit-reproducible: a run resumed from a checkpoint ends with the same weights as an uninterrupted one.
 */
public final class Trainer {

    private static final float BETA1 = 0.9f, BETA2 = 0.999f, EPS = 1e-7f;

    /** One epoch's line of {@code train.csv}. */
    public record EpochLog(int epoch, double trainLoss, double valKs2Median, double valKs2Mean, double seconds) {
        String csv() {
            return String.format(
                    Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.2f", epoch, trainLoss, valKs2Median, valKs2Mean, seconds);
        }
    }

    private final TrainOptions o;
    private final NnKernels nn;
    private final GeoKernels geo;
    private final BufferAllocator alloc;
    private final PrintStream log;
    private final String prefix;

    public Trainer(TrainOptions o, NnKernels nn, GeoKernels geo, BufferAllocator alloc, PrintStream log) {
        this(o, nn, geo, alloc, log, "");
    }

    /** With {@code prefix} before every line it logs ({@code geomend eval}: the method, split and fold). */
    public Trainer(
            TrainOptions o, NnKernels nn, GeoKernels geo, BufferAllocator alloc, PrintStream log, String prefix) {
        this.o = o;
        this.nn = nn;
        this.geo = geo;
        this.alloc = alloc;
        this.log = log;
        this.prefix = prefix;
    }

    /** The label file: {@code o.labels()}, or the dataset's ground truth when null (Direct). */
    private Path labelsFile(Dataset data) {
        return o.labels() == null ? data.mapsFile() : o.labels();
    }

    /**
     * Trains (or resumes) on every site with a map in the label file (the first {@code maxSites} of them when set)
     * and returns the log of every epoch.
     */
    public List<EpochLog> run() throws IOException {
        Dataset data = Dataset.load(o.dataset());
        Path labelsFile = labelsFile(data);
        // labelled sites: every site with a map in the label file; validation needs ground truth too
        List<Integer> labelled = new ArrayList<>();
        try (ArrowMapReader r = ArrowMapReader.open(labelsFile)) {
            for (String id : r.ids()) {
                Integer i = data.indexOf(id);
                if (i == null)
                    throw new InputException(labelsFile, 0, "map '" + id + "' has no site in " + data.sitesFile());
                labelled.add(i);
            }
        }
        labelled.sort(null);
        if (o.maxSites() > 0 && labelled.size() > o.maxSites()) labelled = labelled.subList(0, o.maxSites());
        return run(data, labelled.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Trains (or resumes) on {@code sites} of {@code data} (dataset indices, each with a map in the label file):
     * {@code valFraction} of them, drawn with the seed, are held out for validation (those with ground truth), the
     * rest trained on. {@code geomend eval} calls this with a fold's training sites; {@code o.dataset()} and
     * {@code o.maxSites()} are not read here.
     */
    public List<EpochLog> run(Dataset data, int[] sites) throws IOException {
        UNetConfig cfg = o.config();
        Path labelsFile = labelsFile(data);
        List<Integer> val = validationSites(data, sites, o.seed(), o.valFraction()), train = new ArrayList<>();
        java.util.Set<Integer> held = new java.util.HashSet<>(val);
        for (int s : sites) if (!held.contains(s)) train.add(s);
        train.sort(null);
        if (train.isEmpty()) throw new InputException(labelsFile, 0, "no training sites");
        log.printf(
                Locale.ROOT,
                "%strain: %d training sites, %d validation sites, %d x %d at %.0f m (network side %d), labels %s%n",
                prefix,
                train.size(),
                val.size(),
                cfg.window(),
                cfg.window(),
                cfg.resolution(),
                cfg.padded(cfg.window()),
                labelsFile);

        Files.createDirectories(o.out());
        List<EpochLog> history = new ArrayList<>();
        try (UNet net = new UNet(nn, cfg, o.seed());
                Moments mom = new Moments(nn, net)) {
            log.printf(
                    Locale.ROOT,
                    "%strain: %d parameters, depth %d, filters %d, factor %s, kernel %d, %d conv(s) per level%n",
                    prefix,
                    net.parameterCount(),
                    cfg.depth(),
                    cfg.filters(),
                    cfg.factor(),
                    cfg.kernel(),
                    cfg.convs());
            int startEpoch = 1;
            long step = 0;
            Path ckpt = o.out().resolve(ModelFiles.CHECKPOINT);
            if (o.resume() && Files.isRegularFile(ckpt)) {
                Safetensors.Contents c = Safetensors.read(ckpt);
                UNetConfig saved = UNetConfig.read(o.out().resolve(ModelFiles.CONFIG));
                if (!saved.equals(cfg))
                    throw new InputException(
                            ckpt, 0, "the checkpoint's config differs from this run's options: " + saved);
                String uw = c.metadata().getOrDefault("user_weight", "0");
                if (Double.parseDouble(uw) != o.userWeight())
                    throw new InputException(
                            ckpt,
                            0,
                            "the checkpoint was trained with user weight " + uw + ", this run asks " + o.userWeight()
                                    + " (--user-weight)");
                ModelFiles.setWeights(net, c.tensors(), ckpt, "");
                mom.load(c.tensors(), ckpt);
                startEpoch = Integer.parseInt(c.metadata().get("epoch")) + 1;
                step = Long.parseLong(c.metadata().get("step"));
                history.addAll(readLog(o.out().resolve("train.csv"), startEpoch - 1));
                log.printf("%strain: resuming after epoch %d (step %d)%n", prefix, startEpoch - 1, step);
            }
            try (Batches batches = new Batches(data, labelsFile, cfg)) {
                for (int s : train)
                    if (!batches.rowOf.containsKey(data.id(s)))
                        throw new InputException(
                                labelsFile,
                                0,
                                "no label for training site " + data.id(s) + " ("
                                        + data.sitesFile().getFileName() + ":" + data.line(s) + ")");
                for (int epoch = startEpoch; epoch <= o.epochs(); epoch++) {
                    long t0 = System.nanoTime();
                    List<Integer> order = new ArrayList<>(train);
                    java.util.Collections.shuffle(order, new Random(o.seed() * 1000003L + epoch));
                    List<int[]> plan = new ArrayList<>();
                    for (int s = 0; s < order.size(); s += o.batch())
                        plan.add(order.subList(s, Math.min(order.size(), s + o.batch())).stream()
                                .mapToInt(Integer::intValue)
                                .toArray());
                    double lossSum = 0;
                    Future<Batch> next = batches.prefetch(plan.get(0));
                    for (int b = 0; b < plan.size(); b++) {
                        Batch cur = Futures.await(next);
                        if (b + 1 < plan.size()) next = batches.prefetch(plan.get(b + 1));
                        lossSum += step(net, mom, cur, ++step);
                    }
                    double[] ks2 = validate(net, data, val);
                    EpochLog e = new EpochLog(
                            epoch, lossSum / plan.size(), Stats.median(ks2), mean(ks2), (System.nanoTime() - t0) / 1e9);
                    history.add(e);
                    boolean keep = keeps(history);
                    checkpoint(net, mom, epoch, step, history, keep);
                    log.printf(
                            Locale.ROOT,
                            "%sepoch %d/%d: loss %.5f, validation KS2 median %.4f mean %.4f (%.1f s)%s%n",
                            prefix,
                            epoch,
                            o.epochs(),
                            e.trainLoss(),
                            e.valKs2Median(),
                            e.valKs2Mean(),
                            e.seconds(),
                            o.keepBest() && keep && !Double.isNaN(e.valKs2Median())
                                    ? "; best so far: model.safetensors"
                                    : "");
                }
            }
        }
        return history;
    }

    /** One optimisation step on a batch; returns the loss. */
    private double step(UNet net, Moments mom, Batch b, long step) {
        UNetConfig cfg = net.config();
        int p = cfg.padded(cfg.window());
        HostIo.upload(nn, b.x, net.input(b.n, p, p));
        Tensor out = net.forward();
        double loss;
        try (Tensor t = nn.allocate(b.n, 1, p, p);
                Tensor m = nn.allocate(b.n, 1, p, p)) {
            HostIo.upload(nn, b.target, t);
            HostIo.upload(nn, b.mask, m);
            loss = nn.l1Loss(out, t, m, net.outputGradient());
        }
        net.backward();
        List<UNet.Param> ps = net.params();
        for (int i = 0; i < ps.size(); i++)
            nn.adamStep(
                    ps.get(i).value(), ps.get(i).grad(), mom.m[i], mom.v[i], (float) o.lr(), BETA1, BETA2, EPS, (int)
                            step);
        return loss;
    }

    /** KS2 of the network's map against the ground truth (resampled to the training grid) for every validation site. */
    private double[] validate(UNet net, Dataset data, List<Integer> val) throws IOException {
        if (val.isEmpty()) return new double[0];
        UNetConfig cfg = net.config();
        int w = cfg.window(), px = w * w;
        StudentModel model = new StudentModel(net, geo, alloc, o.batch()); // not closed: the network is the trainer's
        int[] sites = val.stream().mapToInt(Integer::intValue).toArray();
        GridSpec[] wins = new GridSpec[sites.length];
        for (int i = 0; i < sites.length; i++) wins[i] = window(data, sites[i], cfg);
        float[] pred = new float[sites.length * px];
        model.predict(data.positions(), sites, wins, null, pred, 0);
        double[] out = new double[sites.length];
        try (ArrowMapReader truth = data.openMaps();
                GridBuffer pb = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, px);
                GridBuffer tb = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, px)) {
            for (int i = 0; i < sites.length; i++) {
                MapData m = truth.read(data.mapRow(sites[i]));
                float[] t = normalised(TargetTransform.resample(m.values(), m.grid(), wins[i]));
                pb.copyFrom(Arrays.copyOfRange(pred, i * px, (i + 1) * px), 0);
                tb.copyFrom(t, 0);
                out[i] = geo.ks2(pb, 0, tb, 0, w, w);
            }
        }
        return out;
    }

    /**
     * The validation sites that {@link #run(Dataset, int[])} holds out of {@code sites}: the sites sorted, shuffled with
     * {@code Random(seed)}, then the first {@code round(fraction * n)} of them that have ground truth, in that order.
     */
    public static List<Integer> validationSites(Dataset data, int[] sites, long seed, double fraction) {
        int[] sorted = sites.clone();
        Arrays.sort(sorted);
        List<Integer> pool = new ArrayList<>();
        for (int s : sorted) pool.add(s);
        java.util.Collections.shuffle(pool, new Random(seed));
        int nVal = (int) Math.round(fraction * pool.size());
        List<Integer> val = new ArrayList<>();
        for (int i : pool) if (val.size() < nVal && data.mapRow(i) >= 0) val.add(i);
        return val;
    }

    /**
     * The L1 loss's weight of each pixel of a label map {@code y} (normalised to sum 1): {@code 1 + lambda * N * y}
     * with N the map's pixels, so the weights average {@code 1 + lambda} over the window and the part {@code lambda /
     * (1 + lambda)} of them is spread like the users. {@code lambda} 0: all 1, the paper's plain L1. Why: with equal
     * weights the few pixels that hold most users (47 % of the mass within 1 km of the BS, 20 of 22,500 pixels at 400
     * m) barely count, and the student learns the tail and spreads its users far too wide
     * (bench/results/2026-12-04-student-user-weight/README.md).
     */
    static float[] lossWeights(float[] y, double lambda) {
        float[] w = new float[y.length];
        double scale = lambda * y.length;
        for (int i = 0; i < y.length; i++) w[i] = (float) (1 + scale * y[i]);
        return w;
    }

    static GridSpec window(Dataset data, int site, UNetConfig cfg) {
        return GridSpec.window(data.positions().x()[site], data.positions().y()[site], cfg.window(), cfg.resolution());
    }

    /** Scales {@code a} in place to sum 1 (float64 sum; left as it is when the sum is not positive) and returns it. */
    public static float[] normalised(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        if (s > 0) for (int i = 0; i < a.length; i++) a[i] = (float) (a[i] / s);
        return a;
    }

    /**
     * Whether the last epoch of {@code history} becomes {@code model.safetensors}: always with {@code keepBest} off or
     * without validation sites, else when its validation KS2 median is below every earlier epoch's (ties keep the
     * earlier epoch). From the history alone, so a resumed run keeps the same epoch as an uninterrupted one.
     */
    boolean keeps(List<EpochLog> history) {
        return kept(history, o.keepBest()) == history.get(history.size() - 1);
    }

    /** The epoch of {@code history} that {@code model.safetensors} holds (see {@link #keeps}). */
    public static EpochLog kept(List<EpochLog> history, boolean keepBest) {
        EpochLog last = history.get(history.size() - 1);
        if (!keepBest || Double.isNaN(last.valKs2Median())) return last;
        EpochLog k = history.get(0);
        for (EpochLog e : history) if (e.valKs2Median() < k.valKs2Median()) k = e; // ties: the earlier epoch
        return k;
    }

    private void checkpoint(UNet net, Moments mom, int epoch, long step, List<EpochLog> history, boolean keep)
            throws IOException {
        if (keep) ModelFiles.save(net, o.out());
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>(ModelFiles.weights(net));
        t.putAll(mom.entries());
        Map<String, String> md = new LinkedHashMap<>();
        md.put("format", "geomend-unet-checkpoint-1");
        md.put("epoch", Integer.toString(epoch));
        md.put("step", Long.toString(step));
        md.put("seed", Long.toString(o.seed()));
        md.put("user_weight", Double.toString(o.userWeight()));
        md.put(
                "rng",
                "shuffle of epoch e drawn from java.util.Random(seed * 1000003 + e); validation split from Random(seed)");
        Safetensors.write(o.out().resolve(ModelFiles.CHECKPOINT), t, md);
        StringBuilder csv = new StringBuilder("epoch,train_loss,val_ks2_median,val_ks2_mean,seconds\n");
        for (EpochLog e : history) csv.append(e.csv()).append('\n');
        AtomicFiles.writeString(o.out().resolve("train.csv"), csv.toString());
        double[] xs = new double[history.size()], loss = new double[xs.length], ks = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = history.get(i).epoch();
            loss[i] = history.get(i).trainLoss();
            ks[i] = history.get(i).valKs2Median();
        }
        Plots.lines(
                o.out().resolve("train.png"),
                "geomend train: loss and validation KS2 per epoch",
                "epoch",
                "value",
                xs,
                List.of(
                        new Plots.Series("train L1 loss (transformed)", loss),
                        new Plots.Series("validation KS2 (median)", ks)));
    }

    private static List<EpochLog> readLog(Path csv, int upTo) throws IOException {
        List<EpochLog> out = new ArrayList<>();
        if (!Files.isRegularFile(csv)) return out;
        try (org.geomend.io.CsvReader r = org.geomend.io.CsvReader.open(csv)) {
            while (r.next()) {
                if (r.get(0).startsWith("epoch")) continue;
                if (r.size() < 5) throw r.error("expected 5 fields, found " + r.size());
                double epoch = r.requiredNumber(0, "epoch");
                if (epoch != Math.rint(epoch)) throw r.error("epoch is not an integer: '" + r.get(0) + "'");
                EpochLog e = new EpochLog(
                        (int) epoch,
                        r.requiredNumber(1, "train_loss"),
                        r.requiredNumber(2, "val_ks2_median"),
                        r.requiredNumber(3, "val_ks2_mean"),
                        r.requiredNumber(4, "seconds"));
                if (e.epoch() <= upTo) out.add(e);
            }
        }
        return out;
    }

    static double mean(double[] a) {
        if (a.length == 0) return Double.NaN;
        double s = 0;
        for (double v : a) s += v;
        return s / a.length;
    }

    /** Adam's first and second moments, one pair per parameter ({@code adam.m.NAME}, {@code adam.v.NAME} in checkpoints). */
    private static final class Moments implements AutoCloseable {
        final NnKernels nn;
        final Tensor[] m, v;
        final List<UNet.Param> ps;

        Moments(NnKernels nn, UNet net) {
            this.nn = nn;
            ps = net.params();
            m = new Tensor[ps.size()];
            v = new Tensor[ps.size()];
            for (int i = 0; i < ps.size(); i++) {
                m[i] = nn.allocate(ps.get(i).value().shape());
                v[i] = nn.allocate(ps.get(i).value().shape());
            }
        }

        Map<String, Safetensors.Entry> entries() {
            Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
            for (int i = 0; i < ps.size(); i++) {
                out.put("adam.m." + ps.get(i).name(), new Safetensors.Entry(m[i].shape(), HostIo.download(nn, m[i])));
                out.put("adam.v." + ps.get(i).name(), new Safetensors.Entry(v[i].shape(), HostIo.download(nn, v[i])));
            }
            return out;
        }

        void load(Map<String, Safetensors.Entry> t, Path file) {
            for (int i = 0; i < ps.size(); i++) {
                for (String kind : new String[] {"m", "v"}) {
                    String name = "adam." + kind + "." + ps.get(i).name();
                    Safetensors.Entry e = t.get(name);
                    Tensor dst = kind.equals("m") ? m[i] : v[i];
                    if (e == null || !Arrays.equals(e.shape(), dst.shape()))
                        throw new InputException(file, 0, "checkpoint has no valid '" + name + "'");
                    HostIo.upload(nn, e.data(), dst);
                }
            }
        }

        @Override
        public void close() {
            for (Tensor t : m) t.close();
            for (Tensor t : v) t.close();
        }
    }

    /** A training batch in host memory: features [n,3,P,P], transformed targets and masks [n,1,P,P]. */
    record Batch(int n, float[] x, float[] target, float[] mask) {}

    /** Builds batches (features, labels resampled to the training grid) on one background thread. */
    private final class Batches implements AutoCloseable {
        final Dataset data;
        final ArrowMapReader labels;
        final UNetConfig cfg;
        final ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "geomend-train-prefetch");
            t.setDaemon(true);
            return t;
        });
        final Map<String, Integer> rowOf = new HashMap<>();

        Batches(Dataset data, Path labelsFile, UNetConfig cfg) throws IOException {
            this.data = data;
            this.labels = ArrowMapReader.open(labelsFile);
            this.cfg = cfg;
            List<String> ids = labels.ids();
            for (int i = 0; i < ids.size(); i++) rowOf.put(ids.get(i), i);
        }

        Future<Batch> prefetch(int[] sites) {
            return exec.submit(() -> build(sites));
        }

        Batch build(int[] sites) throws IOException {
            int w = cfg.window(), p = cfg.padded(w), ppx = p * p, off = Features.offset(p, w);
            int n = sites.length;
            float[] x = new float[n * 3 * ppx], t = new float[n * ppx], m = new float[n * ppx];
            for (int b = 0; b < n; b++) {
                GridSpec win = window(data, sites[b], cfg);
                Features.compute(
                        geo,
                        alloc,
                        data.positions(),
                        sites[b],
                        Features.padded(win, cfg),
                        cfg.features(),
                        x,
                        b * 3 * ppx);
                MapData lab = labels.read(rowOf.get(data.id(sites[b])));
                float[] y = normalised(TargetTransform.resample(lab.values(), lab.grid(), win));
                float[] wt = lossWeights(y, o.userWeight());
                for (int r = 0; r < w; r++)
                    for (int c = 0; c < w; c++) {
                        int q = b * ppx + (off + r) * p + off + c;
                        t[q] = TargetTransform.forward(y[r * w + c]);
                        m[q] = wt[r * w + c];
                    }
            }
            return new Batch(n, x, t, m);
        }

        @Override
        public void close() throws IOException {
            exec.shutdownNow();
            labels.close();
        }
    }
}
