package org.geomend.voronoiboost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.geomend.io.AtomicFiles;
import org.geomend.io.InputException;

/**
 * A trained VoronoiBoost model: the gradient-boosted regressor (LightGBM, least squares, see {@link #lightGbmParams})
 * mapping {@code [tau] + features} ({@link CellFeatures#NAMES}) to the scale s_tau, and the geometry settings it was
 * trained with (scaling origin, clip margin), which the map drawing must reuse.
 *
 * <p><b>File</b> ({@link #save}/{@link #load}): a ZIP holding {@code voronoiboost.json} (format, taus, feature
 * names, settings, hyper-parameters, the boosting library and its version, what it was trained on) and
 * {@code lightgbm.txt} (the trees in LightGBM's own text model format). Written to a temporary name, then renamed.
 * Files of the first format ({@code geomend-voronoiboost-1}, a Smile model in {@code gbt.ser}) are refused with a
 * request to retrain.
 */
public final class VoronoiBoostModel {

    /** The published masses. */
    public static final double[] TAUS = {0.25, 0.5, 0.75, 0.85, 0.95};

    static final String FORMAT = "geomend-voronoiboost-2";

    /** The boosting library, as the model file names it. */
    static final String LIBRARY = "LightGBM (com.microsoft.ml.lightgbm:lightgbmlib) " + LightGbm.VERSION;

    static final String TREES_ENTRY = "lightgbm.txt";

    /** Geometry the model's scales refer to. */
    public record Settings(ScaledCell.Origin origin, double clipMargin) {
        public Settings {
            if (!(clipMargin > 0))
                throw new IllegalArgumentException("--clip-margin must be > 0 metres: " + clipMargin);
        }

        /** Scaling about the station; cells clipped 2 km outside the inventory's bounding box. */
        public static Settings defaults() {
            return new Settings(ScaledCell.Origin.STATION, 2_000);
        }
    }

    /**
     * The boosting parameters (loss: least squares), as they were for Smile's GradientTreeBoost up to geomend 0.1 and
     * as LightGBM takes them ({@link #lightGbmParams}): trees, the tree depth, the leaves per tree, the smallest leaf
     * (rows), the learning rate, the share of rows sampled (without replacement) for each tree, the seed.
     */
    public record Hyper(
            int trees, int maxDepth, int maxNodes, int nodeSize, double shrinkage, double subsample, long seed) {
        public Hyper {
            if (trees < 1 || maxDepth < 2 || maxNodes < 2 || nodeSize < 1)
                throw new IllegalArgumentException("bad boosting parameters: " + trees + " trees, depth " + maxDepth
                        + ", " + maxNodes + " nodes, node size " + nodeSize);
            if (!(shrinkage > 0 && shrinkage <= 1) || !(subsample > 0 && subsample <= 1))
                throw new IllegalArgumentException("shrinkage and subsample must be in (0, 1]");
        }

        public static Hyper defaults() {
            return new Hyper(300, 8, 128, 5, 0.05, 0.7, 1);
        }
    }

    /** Scales after the published post-processing: the kept taus, ascending, and their strictly ascending scales. */
    public record Kept(double[] taus, double[] scales) {
        public boolean all(int n) {
            return taus.length == n;
        }
    }

    private final double[] taus;
    private final Settings settings;
    private final Hyper hyper;
    private final LightGbm.Booster gbt;
    private final Map<String, String> info;

    VoronoiBoostModel(double[] taus, Settings settings, Hyper hyper, LightGbm.Booster gbt, Map<String, String> info) {
        this.taus = taus.clone();
        this.settings = settings;
        this.hyper = hyper;
        this.gbt = gbt;
        this.info = Map.copyOf(info);
    }

    public double[] taus() {
        return taus.clone();
    }

    public Settings settings() {
        return settings;
    }

    public Hyper hyper() {
        return hyper;
    }

    /** What the model was trained on (free-form, for reports). */
    public Map<String, String> info() {
        return info;
    }

    /** Raw predicted scales, [row][tau], for rows of features ([row][{@link CellFeatures#COUNT}]). */
    public double[][] predict(double[][] features) {
        int n = features.length, t = taus.length, c = 1 + CellFeatures.COUNT;
        double[] x = new double[n * t * c];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < t; k++) System.arraycopy(row(taus[k], features[i]), 0, x, (i * t + k) * c, c);
        double[] y = gbt.predict(x, n * t);
        double[][] out = new double[n][t];
        for (int i = 0; i < n; i++) System.arraycopy(y, i * t, out[i], 0, t);
        return out;
    }

    /**
     * The published post-processing of one site's raw scales: rounded to 3 decimals, then, from the largest tau
     * down, a tau is kept when its scale is below the last kept one (the published code compares with the next
     * larger tau whether kept or not, which can keep a non-monotone pair; we compare with the last kept). Scales
     * that are not positive are dropped too. When nothing is left, the plain Voronoi cell (tau 1 at scale 1).
     */
    public static Kept monotone(double[] taus, double[] raw) {
        List<Integer> keep = new ArrayList<>();
        double last = Double.POSITIVE_INFINITY;
        for (int k = taus.length - 1; k >= 0; k--) {
            double s = Math.round(raw[k] * 1000) / 1000.0;
            if (s > 0 && s < last) {
                keep.add(0, k);
                last = s;
            }
        }
        if (keep.isEmpty()) return new Kept(new double[] {1.0}, new double[] {1.0});
        double[] t = new double[keep.size()], s = new double[keep.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = taus[keep.get(i)];
            s[i] = Math.round(raw[keep.get(i)] * 1000) / 1000.0;
        }
        return new Kept(t, s);
    }

    static double[] row(double tau, double[] features) {
        if (features.length != CellFeatures.COUNT)
            throw new IllegalArgumentException(features.length + " features, the model takes " + CellFeatures.COUNT);
        double[] r = new double[1 + CellFeatures.COUNT];
        r[0] = tau;
        System.arraycopy(features, 0, r, 1, CellFeatures.COUNT);
        return r;
    }

    /** The regressor's inputs: {@code tau}, then {@link CellFeatures#NAMES}. */
    static List<String> columns() {
        List<String> c = new ArrayList<>();
        c.add("tau");
        c.addAll(CellFeatures.NAMES);
        return c;
    }

    /**
     * LightGBM's parameters for {@code h}. The mapping from the former Smile GradientTreeBoost options: trees ->
     * {@code num_iterations} (one boosting round per tree), maxDepth -> {@code max_depth}, maxNodes (Smile's
     * maximum number of leaves) -> {@code num_leaves} (both grow the tree best-first, the split with the largest
     * loss reduction next), nodeSize (Smile's smallest leaf) -> {@code min_data_in_leaf}, shrinkage ->
     * {@code learning_rate}, subsample -> {@code bagging_fraction} with {@code bagging_freq=1} (a new sample without
     * replacement for every tree, as Smile), seed -> {@code seed} (LightGBM derives its bagging and binning seeds
     * from it). Least squares ({@code objective=regression}), starting from the mean target as Smile. Deterministic:
     * one thread, {@code deterministic=true}, {@code force_row_wise=true}. LightGBM splits on feature histograms
     * ({@code max_bin}, default 255) where Smile searched exact thresholds; bins are built from all rows (fewer than
     * {@code bin_construct_sample_cnt}). One LightGBM-only setting, {@link #PATH_SMOOTH}.
     */
    static String lightGbmParams(Hyper h) {
        return String.format(
                Locale.ROOT,
                "objective=regression boosting=gbdt num_iterations=%d max_depth=%d num_leaves=%d "
                        + "min_data_in_leaf=%d learning_rate=%s bagging_fraction=%s bagging_freq=%d seed=%d num_threads=1 "
                        + "deterministic=true force_row_wise=true max_bin=%d path_smooth=%d feature_pre_filter=false verbosity=-1",
                h.trees(),
                h.maxDepth(),
                h.maxNodes(),
                h.nodeSize(),
                Double.toString(h.shrinkage()),
                Double.toString(h.subsample()),
                h.subsample() < 1 ? 1 : 0,
                h.seed(),
                MAX_BIN,
                PATH_SMOOTH);
    }

    static final int MAX_BIN = 255;

    /**
     * LightGBM's {@code path_smooth}: a leaf of n rows predicts (n * its mean + 20 * its parent's) / (n + 20), so small
     * leaves shrink towards their parent while leaves of hundreds of rows barely move. Not in Smile; chosen (among
     * 0, 10, 20, 40, and min_data_in_leaf 2-40, max_bin 255-4095, 256 leaves, feature_fraction_bynode 0.5) as the value
     * that kept both the leave-one-city-out errors on the published scales and the cv5 eval medians of the Smile
     * model (bench/results/2026-12-07-voronoiboost-smile-vs-lightgbm.md); without it the Lyon fold was 0.04 worse.
     */
    static final int PATH_SMOOTH = 20;

    /**
     * Fits the regressor on rows {@code [tau] + features} with targets {@code y} (LightGBM, least squares).
     */
    public static VoronoiBoostModel fit(
            double[][] x, double[] y, double[] taus, Settings settings, Hyper hyper, Map<String, String> info) {
        if (x.length != y.length || x.length == 0)
            throw new IllegalArgumentException("no training rows (or rows and targets differ)");
        int c = 1 + CellFeatures.COUNT;
        double[] rows = new double[x.length * c];
        float[] label = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != c) throw new IllegalArgumentException("row " + i + " has " + x[i].length + " columns");
            System.arraycopy(x[i], 0, rows, i * c, c);
            label[i] = (float) y[i];
        }
        LightGbm.Booster gbt = LightGbm.train(rows, label, x.length, columns(), lightGbmParams(hyper), hyper.trees());
        Map<String, String> i2 = new LinkedHashMap<>(info);
        i2.put("rows", Integer.toString(x.length));
        return new VoronoiBoostModel(taus, settings, hyper, gbt, i2);
    }

    /** Writes the model to {@code file} (through a temporary name in the same directory). */
    public void save(Path file) throws IOException {
        ObjectMapper om = org.geomend.io.Json.MAPPER;
        ObjectNode meta = om.createObjectNode();
        meta.put("format", FORMAT);
        ArrayNode t = meta.putArray("taus");
        for (double v : taus) t.add(v);
        ArrayNode f = meta.putArray("features");
        for (String s : CellFeatures.NAMES) f.add(s);
        meta.put("origin", settings.origin().cliName());
        meta.put("clip_margin_m", settings.clipMargin());
        ObjectNode h = meta.putObject("boosting");
        h.put("library", LIBRARY);
        h.put("parameters", lightGbmParams(hyper));
        h.put("trees", hyper.trees());
        h.put("max_depth", hyper.maxDepth());
        h.put("max_nodes", hyper.maxNodes());
        h.put("node_size", hyper.nodeSize());
        h.put("shrinkage", hyper.shrinkage());
        h.put("subsample", hyper.subsample());
        h.put("seed", hyper.seed());
        ObjectNode in = meta.putObject("trained_on");
        info.forEach(in::put);
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        AtomicFiles.write(abs, os -> {
            ZipOutputStream z = new ZipOutputStream(os);
            z.putNextEntry(new ZipEntry("voronoiboost.json"));
            z.write(om.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
            z.closeEntry();
            z.putNextEntry(new ZipEntry(TREES_ENTRY));
            z.write(gbt.text().getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
            z.finish();
        });
    }

    /** Reads a model written by {@link #save}; a file that is not one is an {@link InputException}. */
    public static VoronoiBoostModel load(Path file) throws IOException {
        byte[] json = null, trees = null;
        boolean smile = false;
        try (InputStream is = Files.newInputStream(file);
                ZipInputStream z = new ZipInputStream(is)) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                if (e.getName().equals("voronoiboost.json")) json = z.readAllBytes();
                else if (e.getName().equals(TREES_ENTRY)) trees = z.readAllBytes();
                else if (e.getName().equals("gbt.ser")) smile = true;
            }
        } catch (java.util.zip.ZipException e) {
            throw new InputException(file, 0, "not a VoronoiBoost model (not a ZIP file): " + e.getMessage());
        }
        if (smile)
            throw new InputException(
                    file,
                    0,
                    "a VoronoiBoost model of an older geomend (Smile regressor, gbt.ser); this build uses "
                            + "LightGBM and cannot read it: train it again with geomend voronoiboost train");
        if (json == null || trees == null)
            throw new InputException(
                    file,
                    0,
                    "not a VoronoiBoost model (needs voronoiboost.json and " + TREES_ENTRY
                            + "; see geomend voronoiboost train)");
        JsonNode meta;
        try {
            meta = org.geomend.io.Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new InputException(file, 0, "voronoiboost.json is not JSON: " + e.getMessage());
        }
        if (!FORMAT.equals(meta.path("format").asText()))
            throw new InputException(
                    file,
                    0,
                    "unknown model format '" + meta.path("format").asText() + "' (this build reads " + FORMAT + ")");
        List<String> names = new ArrayList<>();
        meta.path("features").forEach(n -> names.add(n.asText()));
        if (!names.equals(CellFeatures.NAMES))
            throw new InputException(
                    file, 0, "the model's features " + names + " are not this build's " + CellFeatures.NAMES);
        double[] taus = new double[meta.path("taus").size()];
        for (int i = 0; i < taus.length; i++) taus[i] = meta.path("taus").get(i).asDouble();
        if (taus.length == 0) throw new InputException(file, 0, "the model has no taus");
        Settings s;
        Hyper h;
        try {
            s = new Settings(
                    ScaledCell.Origin.parse(meta.path("origin").asText()),
                    meta.path("clip_margin_m").asDouble());
            JsonNode b = meta.path("boosting");
            h = new Hyper(
                    b.path("trees").asInt(),
                    b.path("max_depth").asInt(),
                    b.path("max_nodes").asInt(),
                    b.path("node_size").asInt(),
                    b.path("shrinkage").asDouble(),
                    b.path("subsample").asDouble(),
                    b.path("seed").asLong());
        } catch (IllegalArgumentException e) {
            throw new InputException(file, 0, "bad model settings: " + e.getMessage());
        }
        Map<String, String> info = new LinkedHashMap<>();
        meta.path("trained_on")
                .fields()
                .forEachRemaining(en -> info.put(en.getKey(), en.getValue().asText()));
        LightGbm.Booster gbt;
        try {
            gbt = LightGbm.load(new String(trees, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new InputException(
                    file, 0, TREES_ENTRY + ": " + e.getMessage().replace('\n', ' '));
        }
        if (gbt.features() != 1 + CellFeatures.COUNT)
            throw new InputException(
                    file,
                    0,
                    TREES_ENTRY + " takes " + gbt.features() + " inputs, this build's model "
                            + (1 + CellFeatures.COUNT));
        return new VoronoiBoostModel(taus, s, h, gbt, info);
    }
}
