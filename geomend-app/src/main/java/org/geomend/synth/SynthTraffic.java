package org.geomend.synth;

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
import org.geomend.io.FileNames;
import org.geomend.io.GeoTiffRaster;
import org.geomend.io.Json;
import org.geomend.kernels.GridSpec;

/**
 * Per-BS traffic of the synthetic operator and its ground truth (DeepMEND section VI), from the association the
 * maps come from: every subscriber's network events go to the BS that serves them.
 *
 * <ul>
 *   <li>Subscribers per pixel {@code users(l) = rho(l) * pixel area (km^2) * market share} ({@link PopulationField}),
 *       each with the hourly activity {@code a_env(l)(t)} of the env where they live ({@link SynthParams.Traffic}).</li>
 *   <li>{@code traffic_i(t) = sum over l of users(l) a_env(l)(t) P(i|l)} (network events in hour t), summed over the
 *       raster of site i's own region: the region whose maps include it (a site with a ground-truth map) or, for the
 *       context-ring sites of generated cities (no map), the region of their city. Every site gets traffic; a
 *       context-ring site's counts only the users inside its city's region raster (its coverage may reach beyond it).
 *       With given positions, a pixel in two overlapping tile rasters counts for each tile's own sites only, so no
 *       (site, pixel) pair counts twice.</li>
 *   <li>{@code lambda(t) = sum_i traffic_i(t) / sum_i subscribers_i}, {@code subscribers_i = sum_l users(l) P(i|l)}:
 *       the mean network events per subscriber in hour t (DeepMEND eq. 9's lambda).</li>
 *   <li>Ground-truth demand {@code D(l, t) = sum over the region's sites with maps of traffic_i(t) P_true(l|i)},
 *       {@code P_true} the very float32 values of the ground-truth maps (same normaliser, {@link
 *       SynthGenerator#windowSum}), on the region raster; so {@code sum_l D(l, t)} is the region's mapped traffic.</li>
 * </ul>
 * Files: {@code traffic.csv} ({@code id,time,value}: every site, hours {@code T00}..{@code T23}, events per hour),
 * {@code lambda.csv} ({@code time,lambda}), {@code traffic.json} (the parameters, units, per-region totals),
 * {@code demand/<region>.tif} (float32, one band per hour, each described by its time) and {@code
 * population/<region>.tif} (float32, one band: subscribers resident in each pixel), north-up DEFLATE GeoTIFFs in the layout's
 * CRS on the region raster (the SPEC lattice). CSV and JSON files are written to a temporary name and renamed; the
 * GeoTIFFs likewise, one region at a time (memory: one region raster's 24 bands).
 *
 * <p>Deterministic: one thread, fixed order, the density field a pure function of the seed and the position.
 */
public final class SynthTraffic implements SynthGenerator.RegionListener {

    static final int T = SynthParams.Traffic.HOURS;
    static final int NENV = Env.values().length;

    private final SynthParams.Traffic tp;
    private final SynthGenerator.Layout layout;
    private final Path dir;
    private final PrintStream log;
    private final PopulationField field;
    private final int window;
    private final int[] home;
    private final double[][] uEnv; // [site][env]: sum of users(l) P(i|l) over the site's home raster
    private final List<Map<String, Object>> regions = new ArrayList<>();

    public SynthTraffic(
            SynthParams p, SynthParams.Traffic tp, long seed, SynthGenerator.Layout layout, Path dir, PrintStream log) {
        this.tp = tp;
        this.layout = layout;
        this.dir = dir;
        this.log = log;
        this.window = p.window();
        this.field = new PopulationField(p, tp, seed, layout.sites());
        int n = layout.sites().size();
        home = new int[n];
        java.util.Arrays.fill(home, -1);
        for (int ri = 0; ri < layout.regions().size(); ri++)
            for (int i : layout.regions().get(ri)) home[i] = ri;
        for (int i = 0; i < n; i++)
            if (home[i] < 0)
                home[i] = layout.regionNames().indexOf(layout.sites().get(i).city());
        uEnv = new double[n][NENV];
    }

    /** Traffic of site {@code i} in hour {@code t} (events), from its accumulated subscribers per env. */
    public double traffic(int i, int t) {
        double v = 0;
        for (Env e : Env.values()) v += uEnv[i][e.ordinal()] * tp.activity(e, t);
        return v;
    }

    /** Subscribers site {@code i} serves: {@code sum_l users(l) P(i|l)} over its home raster. */
    public double subscribers(int i) {
        double v = 0;
        for (double u : uEnv[i]) v += u;
        return v;
    }

    @Override
    public void region(int ri, Association.Region reg, int[] owners, int[][] bbox) throws IOException {
        long t0 = System.nanoTime();
        GridSpec g = reg.raster();
        int P = Math.toIntExact(g.pixels()), n = reg.n(), W = g.width();
        String name = layout.regionNames().get(ri);
        SynthParams.CitySpec city = field.city(name);
        float[] users = new float[P];
        byte[] env = new byte[P];
        field.fill(g, city, users, env);
        double residents = 0;
        for (int pix = 0; pix < P; pix++) {
            residents += users[pix];
            double u = users[pix];
            if (u == 0) continue;
            int ev = env[pix];
            for (int e = 0; e < reg.count()[pix]; e++) {
                int i = reg.site()[pix * n + e];
                if (home[i] == ri) uEnv[i][ev] += u * reg.prob()[pix * n + e];
            }
        }
        // the region's mapped sites: traffic, window offset and map normaliser
        int nSites = layout.sites().size();
        double[][] tr = new double[nSites][];
        int[] oc = new int[nSites], or = new int[nSites];
        double[] inv = new double[nSites];
        double[] hourly = new double[T];
        for (int i : owners) {
            tr[i] = new double[T];
            for (int t = 0; t < T; t++) {
                tr[i][t] = traffic(i, t);
                hourly[t] += tr[i][t];
            }
            SynthSite s = layout.sites().get(i);
            GridSpec win = GridSpec.window(s.x(), s.y(), window, g.resolution());
            oc[i] = g.colOffsetOf(win);
            or[i] = g.rowOffsetOf(win);
            double sum = SynthGenerator.windowSum(reg, bbox[i], i, win, null);
            inv[i] = sum > 0 ? 1 / sum : Double.NaN;
        }
        float[][] demand = new float[T][P];
        double[] acc = new double[T];
        for (int pix = 0; pix < P; pix++) {
            int row = pix / W, col = pix % W;
            boolean any = false;
            for (int e = 0; e < reg.count()[pix]; e++) {
                int i = reg.site()[pix * n + e];
                if (tr[i] == null || Double.isNaN(inv[i])) continue;
                int wc = col - oc[i], wr = row - or[i];
                if (wc < 0 || wr < 0 || wc >= window || wr >= window) continue;
                double w = (float) (reg.prob()[pix * n + e] * inv[i]);
                if (!any) {
                    java.util.Arrays.fill(acc, 0);
                    any = true;
                }
                for (int t = 0; t < T; t++) acc[t] += tr[i][t] * w;
            }
            if (any) for (int t = 0; t < T; t++) demand[t][pix] = (float) acc[t];
        }
        // a site associated nowhere in its window has its map's mass on its own pixel (SynthGenerator.extract)
        for (int i : owners)
            if (Double.isNaN(inv[i])) {
                int pix = (or[i] + window / 2) * W + oc[i] + window / 2;
                for (int t = 0; t < T; t++) demand[t][pix] = (float) (demand[t][pix] + tr[i][t]);
            }
        String[] times = new String[T];
        for (int t = 0; t < T; t++) times[t] = SynthParams.Traffic.time(t);
        String stem = FileNames.stem(name) + ".tif";
        Files.createDirectories(dir.resolve("demand"));
        Files.createDirectories(dir.resolve("population"));
        GeoTiffRaster.Options deflate = new GeoTiffRaster.Options(true, 0, null);
        GeoTiffRaster.writeFloat32(
                dir.resolve("population").resolve(stem),
                g,
                layout.crsName(),
                new String[] {"subscribers"},
                new float[][] {users},
                Map.of(),
                deflate);
        GeoTiffRaster.writeFloat32(
                dir.resolve("demand").resolve(stem), g, layout.crsName(), times, demand, Map.of(), deflate);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("demand", "demand/" + stem);
        m.put("population", "population/" + stem);
        m.put("width", g.width());
        m.put("height", g.height());
        m.put("subscribers_resident", residents);
        m.put("mapped_sites", owners.length);
        m.put("mapped_traffic_per_hour", hourly);
        regions.add(m);
        if (log != null)
            log.printf(
                    Locale.ROOT,
                    "synth: region %s: traffic and ground-truth demand, %.0f subscribers, %.1f s%n",
                    name,
                    residents,
                    (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Writes {@code traffic.csv}, {@code lambda.csv} and {@code traffic.json}; returns the files to list in the
     * manifest (name to path, relative to the output directory).
     */
    public Map<String, String> finish() throws IOException {
        List<SynthSite> sites = layout.sites();
        double[] events = new double[T];
        double subs = 0;
        StringBuilder sb = new StringBuilder("id,time,value\n");
        for (SynthSite s : sites) {
            int i = s.index();
            subs += subscribers(i);
            for (int t = 0; t < T; t++) {
                double v = traffic(i, t);
                events[t] += v;
                sb.append(s.id())
                        .append(',')
                        .append(SynthParams.Traffic.time(t))
                        .append(',')
                        .append(SynthGenerator.exact(v))
                        .append('\n');
            }
        }
        AtomicFiles.writeString(dir.resolve("traffic.csv"), sb.toString());
        double[] lambda = new double[T];
        StringBuilder lb = new StringBuilder("time,lambda\n");
        for (int t = 0; t < T; t++) {
            lambda[t] = subs > 0 ? events[t] / subs : 0;
            lb.append(SynthParams.Traffic.time(t))
                    .append(',')
                    .append(SynthGenerator.exact(lambda[t]))
                    .append('\n');
        }
        AtomicFiles.writeString(dir.resolve("lambda.csv"), lb.toString());
        Map<String, Object> j = new LinkedHashMap<>();
        j.put(
                "model",
                "traffic_i(t) = sum_l users(l) a_env(l)(t) P(i|l); users(l) = rho(l) * pixel km^2 * market share;"
                        + " demand D(l,t) = sum_i traffic_i(t) P_true(l|i)");
        Map<String, String> units = new LinkedHashMap<>(); // (Map.of's order changes from run to run)
        units.put("traffic", "network events per hour");
        units.put("lambda", "network events per subscriber per hour");
        units.put("rho", "residents per km^2");
        units.put("population", "subscribers resident in the pixel");
        units.put("demand", "network events per hour per pixel");
        j.put("units", units);
        j.put("time_format", "T00..T23: hour of a weekday, ISO 8601 basic hour; sorts as text");
        j.put("sites", sites.size());
        j.put("subscribers_served", subs);
        j.put("lambda", lambda);
        j.put("regions", regions);
        j.put("params", tp);
        AtomicFiles.writeString(dir.resolve("traffic.json"), Json.pretty(j) + "\n");
        Map<String, String> files = new LinkedHashMap<>();
        files.put("traffic", "traffic.csv");
        files.put("lambda", "lambda.csv");
        files.put("traffic_model", "traffic.json");
        files.put("demand", "demand/");
        files.put("population", "population/");
        return files;
    }
}
