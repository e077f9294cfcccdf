package org.geomend.usecases;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.geomend.dataset.Dataset;
import org.geomend.edge.EdgePlanner;
import org.geomend.edge.Metis;
import org.geomend.eval.Evaluator;
import org.geomend.eval.Split;
import org.geomend.io.AtomicFiles;
import org.geomend.io.CsvField;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.report.Plots;
import org.geomend.report.Stats;
import org.geomend.traffic.DemandRaster;
import org.geomend.traffic.Kpi;
import org.geomend.traffic.Population;
import org.geomend.traffic.TrafficSweep;

/**
 * DeepMEND Fig. 10 on the left-out cities of {@code loo-city}, fed by the maps of {@link Evaluator}.
 *
 * <p>Per fold (one city), for every method m and for the ground truth: the demand raster {@code D_m(l, t) = sum_i
 * traffic_i(t) P_m(l|i)} over the city's test BSs, on one grid (the union of their SPEC windows), float64 ({@link
 * DemandRaster}). At the fold's end:
 * <ul>
 *   <li><b>(a) edge sites</b>: for each K, {@link EdgePlanner#plan} on the method's daily demand (sum over t); the
 *       planned loads are its own, the actual loads the ground truth's daily demand summed over each site's pixels.
 *       Ground-truth demand on a pixel the plan leaves without a site (the method put no demand there) goes to the
 *       nearest edge site (Euclidean, to the site's barycentre): that traffic must be served too; its share is
 *       {@code unplanned_share}. {@code jain_*}: Jain's index {@code (sum L)^2 / (K sum L^2)};
 *       {@code max_imbalance}: eq. 5's {@code max(max L / mean - 1, 1 - min L / mean)} of the planned loads (METIS
 *       bounds the upper side by epsilon), {@code actual_imbalance} the same of the actual loads. A K above the
 *       method's pixels with demand gives NaN.</li>
 *   <li><b>(b) population</b>: eq. 9 per hour, {@code p = Population.density(D / pixel km^2, lambda(t), k)} from
 *       D_m and from D_true. {@code mape(t) = 100 / |P| sum_{l in P} |p_m(l, t) - p_true(l, t)| / p_true(l, t)} over
 *       {@code P = {l : p_true(l, t) > 0}} (the pixels where the ground-truth demand is positive; a method's
 *       population outside P is not in the MAPE but is in the total), and {@code total_error(t) = 100 (sum_l p_m -
 *       sum_l p_true) / sum_l p_true} (signed); {@code wape(t) = 100 sum_l |p_m - p_true| / sum_l p_true} over every pixel
 *       (the error weighted by the true population, not dominated by thinly populated pixels). The ratio {@code p_m / p_true = (d_m / d_true)^(k3 lambda + k4)}
 *       does not depend on k1, k2.</li>
 * </ul>
 * The ground truth is a method row ({@code truth}): its fairness is what planning on the true demand achieves, its
 * MAPE 0 by construction. Sites of the city with traffic but no map (no ground truth, so not tested, or a map
 * without mass) are counted per method in {@code coverage.csv}, with their traffic.
 *
 * <p>Memory: one city at a time, {@code (methods + 1) x T x width x height} doubles for the city's union grid (24
 * hourly steps on a 200 x 200 px city: 7.7 MB per method).
 */
public final class UseCases implements Evaluator.FoldListener {

    /**
     * The parameters; {@code resolution}: the pixel side (metres) the demand rasters are summed onto before planning
     * and eq. 9, an integer multiple of the dataset's (0 = the dataset's own).
     */
    public record Options(int[] ks, double imbalance, Population.Constants k, int seed, double resolution) {}

    public static final String TRUTH = "truth";

    private final Dataset data;
    private final List<String> methods; // the eval methods, then TRUTH
    private final Kpi kpi;
    private final double[] lambda; // per kpi time
    private final Options opt;
    private final Metis metis;
    private final PrintStream log;
    private final StringBuilder fairness = new StringBuilder(
            "city,method,K,jain_planned,jain_actual,max_imbalance,actual_imbalance,unplanned_share\n");
    private final StringBuilder mape = new StringBuilder("city,method,time,mape,wape,total_error\n");
    private final StringBuilder coverage = new StringBuilder(
            "city,method,sites_with_traffic,mapped_sites,unmapped_sites,traffic_total,unmapped_traffic,raster_total\n");
    private final List<String> cities = new ArrayList<>();
    /** [city][method][K index] and [city][method][t]. */
    private final List<double[][]> jainActual = new ArrayList<>(),
            mapes = new ArrayList<>(),
            wapes = new ArrayList<>(),
            totals = new ArrayList<>();

    private final List<int[]> unmappedSites = new ArrayList<>();

    private DemandRaster[] rasters; // the fold's: per method, then the truth
    private String city;

    public UseCases(
            Dataset data,
            List<String> methods,
            Kpi kpi,
            Map<String, Double> lambdaByTime,
            Path lambdaFile,
            Options opt,
            Metis metis,
            PrintStream log) {
        this.data = data;
        this.methods = new ArrayList<>(methods);
        this.methods.add(TRUTH);
        this.kpi = kpi;
        this.opt = opt;
        this.metis = metis;
        this.log = log;
        String[] times = kpi.times();
        this.lambda = new double[times.length];
        for (int t = 0; t < times.length; t++) {
            Double l = lambdaByTime.get(times[t]);
            if (l == null)
                throw new org.geomend.io.InputException(
                        lambdaFile,
                        0,
                        "no lambda for time '" + times[t] + "' of " + kpi.file() + " (its times: "
                                + String.join(",", times) + ")");
            lambda[t] = l;
        }
    }

    @Override
    public void foldStart(Split.Fold fold) {
        city = data.city(fold.test()[0]);
        GridSpec[] windows = new GridSpec[data.size()];
        for (int s : fold.test()) windows[s] = data.windowOf(s);
        GridSpec grid = TrafficSweep.union(windows, fold.test());
        rasters = new DemandRaster[methods.size()];
        for (int j = 0; j < rasters.length; j++) rasters[j] = new DemandRaster(grid, kpi.times().length);
    }

    @Override
    public void truth(int site, GridSpec grid, GridBuffer map, long offset) {
        add(methods.size() - 1, site, grid, map, offset);
    }

    @Override
    public void map(int method, int site, GridSpec grid, GridBuffer map, long offset) {
        add(method, site, grid, map, offset);
    }

    private void add(int j, int site, GridSpec grid, GridBuffer map, long offset) {
        double[] v = kpi.values()[site];
        if (v != null) rasters[j].add(grid, map.segment(), offset, v); // a tested site without KPI rows has no traffic
    }

    @Override
    public void foldEnd(Split.Fold fold) {
        int M = methods.size(), T = kpi.times().length, truthIdx = M - 1;
        if (opt.resolution() > 0) for (int j = 0; j < M; j++) rasters[j] = rasters[j].coarsen(opt.resolution());
        DemandRaster truth = rasters[truthIdx];
        GridSpec grid = truth.grid();
        // the city's sites with traffic
        int withTraffic = 0;
        double cityTraffic = 0;
        for (int s = 0; s < data.size(); s++)
            if (kpi.values()[s] != null && data.city(s).equals(city)) {
                withTraffic++;
                cityTraffic += kpi.siteTotal(s);
            }
        float[] trueDaily = truth.daily();
        double[][] ja = new double[M][opt.ks().length],
                mp = new double[M][T],
                wp = new double[M][T],
                te = new double[M][T];
        int[] unm = new int[M];
        double area = grid.resolution() * grid.resolution() / 1e6;
        for (int j = 0; j < M; j++) {
            DemandRaster r = rasters[j];
            String name = methods.get(j);
            double rasterTotal = 0;
            for (int t = 0; t < T; t++) rasterTotal += r.total(t);
            unm[j] = withTraffic - r.mappedSites();
            coverage.append(String.format(
                    Locale.ROOT,
                    "%s,%s,%d,%d,%d,%s,%s,%s%n",
                    CsvField.of(city),
                    name,
                    withTraffic,
                    r.mappedSites(),
                    unm[j],
                    num(cityTraffic),
                    num(cityTraffic - r.mappedTotal()),
                    num(rasterTotal)));
            // (a) edge sites
            float[] daily = r.daily();
            int pixels = 0;
            for (float v : daily) if (v > 0) pixels++;
            for (int q = 0; q < opt.ks().length; q++) {
                int K = opt.ks()[q];
                if (K > pixels) {
                    fairness.append(
                            String.format(Locale.ROOT, "%s,%s,%d,NaN,NaN,NaN,NaN,NaN%n", CsvField.of(city), name, K));
                    ja[j][q] = Double.NaN;
                    continue;
                }
                EdgePlanner.Plan plan = EdgePlanner.plan(metis, grid, daily, K, opt.imbalance(), opt.seed());
                if (log != null)
                    log.printf(
                            Locale.ROOT,
                            "geomend eval: use cases, city %s, %s: K=%d edge sites on %d pixels with demand in %.1f s%n",
                            city,
                            name,
                            K,
                            pixels,
                            plan.seconds());
                double[] unplanned = {0};
                double[] actual = actualLoads(plan, trueDaily, unplanned);
                double sum = 0;
                for (double a : actual) sum += a;
                ja[j][q] = EdgePlanner.jain(actual);
                fairness.append(String.format(
                        Locale.ROOT,
                        "%s,%s,%d,%.6f,%.6f,%.6f,%.6f,%.6f%n",
                        CsvField.of(city),
                        name,
                        K,
                        plan.jain(),
                        ja[j][q],
                        plan.imbalance(),
                        imbalance(actual),
                        sum > 0 ? unplanned[0] / sum : 0.0));
            }
            // (b) population
            for (int t = 0; t < T; t++) {
                double[] dm = r.band(t), dt = truth.band(t);
                double err = 0, abs = 0, pm = 0, pt = 0;
                long n = 0;
                for (int p = 0; p < dt.length; p++) {
                    double a = Population.density(dm[p] / area, lambda[t], opt.k()),
                            b = Population.density(dt[p] / area, lambda[t], opt.k());
                    pm += a;
                    pt += b;
                    abs += Math.abs(a - b);
                    if (b > 0) {
                        err += Math.abs(a - b) / b;
                        n++;
                    }
                }
                mp[j][t] = n == 0 ? Double.NaN : 100 * err / n;
                wp[j][t] = pt > 0 ? 100 * abs / pt : Double.NaN;
                te[j][t] = pt > 0 ? 100 * (pm - pt) / pt : Double.NaN;
                mape.append(String.format(
                        Locale.ROOT,
                        "%s,%s,%s,%.6f,%.6f,%.6f%n",
                        CsvField.of(city),
                        name,
                        CsvField.of(kpi.times()[t]),
                        mp[j][t],
                        wp[j][t],
                        te[j][t]));
            }
        }
        cities.add(city);
        jainActual.add(ja);
        mapes.add(mp);
        wapes.add(wp);
        totals.add(te);
        unmappedSites.add(unm);
        if (log != null) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < M; j++)
                b.append(String.format(
                        Locale.ROOT,
                        "%s%s Jain %.3f at K=%d, MAPE %.1f %%",
                        j == 0 ? "" : "; ",
                        methods.get(j),
                        ja[j][ja[j].length - 1],
                        opt.ks()[opt.ks().length - 1],
                        mean(mp[j])));
            log.printf(
                    Locale.ROOT,
                    "geomend eval: use cases, city %s (%d x %d px): %s%n",
                    city,
                    grid.width(),
                    grid.height(),
                    b);
        }
        rasters = null;
    }

    /**
     * The ground truth's daily demand summed over each edge site's pixels; pixels without a site go to the nearest
     * site (their sum added to {@code unplanned[0]}).
     */
    static double[] actualLoads(EdgePlanner.Plan plan, float[] truth, double[] unplanned) {
        GridSpec g = plan.grid();
        int K = plan.k(), w = g.width();
        int[] a = plan.assignment();
        double[] out = new double[K];
        for (int p = 0; p < a.length; p++) {
            double v = truth[p];
            if (v == 0) continue;
            int s = a[p];
            if (s < 0) {
                double x = g.centreX(p % w), y = g.centreY(p / w), best = Double.POSITIVE_INFINITY;
                for (int q = 0; q < K; q++) {
                    double dx = plan.siteX()[q] - x, dy = plan.siteY()[q] - y, d2 = dx * dx + dy * dy;
                    if (d2 < best) {
                        best = d2;
                        s = q;
                    }
                }
                unplanned[0] += v;
            }
            out[s] += v;
        }
        return out;
    }

    static double imbalance(double[] loads) {
        double sum = 0;
        for (double l : loads) sum += l;
        double mean = sum / loads.length, worst = 0;
        for (double l : loads) worst = Math.max(worst, Math.max(l / mean - 1, 1 - l / mean));
        return worst;
    }

    public List<String> cities() {
        return List.copyOf(cities);
    }

    /**
     * Writes fairness.csv, population_mape.csv, coverage.csv and the two figures into {@code dir} (each to a
     * temporary name, renamed when all are written) and returns the Markdown section of summary.md ({@code
     * relative}: how summary.md names {@code dir}).
     */
    public String write(Path dir, String relative) throws IOException {
        if (cities.isEmpty()) throw new IllegalStateException("no city was run");
        Files.createDirectories(dir);
        int M = methods.size(), T = kpi.times().length, Q = opt.ks().length;
        double[][] medJain = new double[M][Q],
                medMape = new double[M][T],
                medWape = new double[M][T],
                medTotal = new double[M][T];
        for (int j = 0; j < M; j++) {
            for (int q = 0; q < Q; q++) medJain[j][q] = median(jainActual, j, q);
            for (int t = 0; t < T; t++) {
                medMape[j][t] = median(mapes, j, t);
                medWape[j][t] = median(wapes, j, t);
                medTotal[j][t] = median(totals, j, t);
            }
        }
        try (AtomicFiles.Batch batch = new AtomicFiles.Batch(dir)) {
            batch.writeString("fairness.csv", fairness.toString());
            batch.writeString("population_mape.csv", mape.toString());
            batch.writeString("coverage.csv", coverage.toString());
            String where = cities.size() == 1 ? "city " + cities.get(0) : "median over " + cities.size() + " cities";
            double[] xs = Arrays.stream(opt.ks()).asDoubleStream().toArray();
            List<Plots.Series> sa = new ArrayList<>(), sb = new ArrayList<>();
            for (int j = 0; j < M; j++) {
                sa.add(new Plots.Series(methods.get(j), medJain[j]));
                sb.add(new Plots.Series(methods.get(j), medMape[j]));
            }
            Plots.lines(
                    batch.file("fig10a_fairness.png"),
                    "Jain's fairness of the actual loads (" + where + ")",
                    "edge sites K",
                    "Jain's index",
                    xs,
                    sa);
            double[] hours = new double[T];
            for (int t = 0; t < T; t++) hours[t] = t;
            Plots.lines(
                    batch.file("fig10b_population_mape.png"),
                    "Hourly MAPE of the eq. 9 population (" + where + ")",
                    "time step (" + kpi.times()[0] + " .. " + kpi.times()[T - 1] + ")",
                    "MAPE (%)",
                    hours,
                    sb);
            batch.commit();
        }
        return markdown(relative, medJain, medMape, medWape, medTotal);
    }

    private String markdown(
            String rel, double[][] medJain, double[][] medMape, double[][] medWape, double[][] medTotal) {
        int M = methods.size(), T = kpi.times().length, Q = opt.ks().length;
        StringBuilder sb = new StringBuilder("## Use cases (DeepMEND section VI, Fig. 10) on the left-out cities\n\n");
        sb.append(String.format(
                Locale.ROOT,
                "- cities (loo-city folds): %s; %s; traffic `%s` (%d time steps), lambda(t) of eq. 9; "
                        + "demand rasters on pixels of %s m; "
                        + "edge sites planned by METIS with imbalance %.3f, seed %d; eq. 9 constants k1..k4 = %s, %s, %s, %s%n",
                String.join(", ", cities),
                cities.size() == 1 ? "one city" : "tables: median over the cities",
                kpi.file(),
                T,
                opt.resolution() > 0 ? num(opt.resolution()) : num(data.resolution()) + " (the dataset's)",
                opt.imbalance(),
                opt.seed(),
                num(opt.k().k1()),
                num(opt.k().k2()),
                num(opt.k().k3()),
                num(opt.k().k4())));
        sb.append(
                "- demand D_m(l, t) = sum_i traffic_i(t) P_m(l|i) over the city's test BSs (float64, the union of their windows); "
                        + "`truth` = the ground-truth maps, planning on it is the best achievable actual fairness\n");
        sb.append(
                "- (a) plan K edge sites on the method's daily demand, actual loads = the ground truth's daily demand per site "
                        + "(pixels the plan leaves without a site go to the nearest site): Jain's index of the actual loads\n");
        sb.append(
                "- (b) MAPE(t) = mean over pixels with ground-truth population > 0 of |p_m - p_true| / p_true, p from eq. 9; "
                        + "WAPE(t) = sum |p_m - p_true| / sum p_true (every pixel, weighted by the true population); "
                        + "total error = (sum p_m - sum p_true) / sum p_true\n");
        int[] unm = unmappedSites.get(0);
        sb.append(String.format(
                Locale.ROOT,
                "- sites with traffic but no map (not tested or a map without mass), counted in `%s/coverage.csv`: %s%n%n",
                rel,
                cities.size() == 1 ? methods.get(0) + " " + unm[0] : "per city and method"));
        sb.append(
                "Jain's fairness of the actual loads against the number of edge sites K (paper Fig. 10a: DeepMEND about 0.95 at hundreds of sites):\n\n| Method |");
        for (int k : opt.ks()) sb.append(" K=").append(k).append(" |");
        sb.append("\n|---|").append("---|".repeat(Q)).append('\n');
        for (int j = 0; j < M; j++) {
            sb.append("| ").append(methods.get(j)).append(" |");
            for (int q = 0; q < Q; q++) sb.append(String.format(Locale.ROOT, " %.3f |", medJain[j][q]));
            sb.append('\n');
        }
        sb.append(
                "\nHourly MAPE of the eq. 9 population against the one from the ground-truth demand (paper Fig. 10b: DeepMEND about 15 %, "
                        + "25-50 % below the benchmarks):\n\n| Method | mean MAPE over hours (%) | min | max | mean WAPE (%) | mean total error (%) |\n|---|---|---|---|---|---|\n");
        for (int j = 0; j < M; j++) {
            double[] v = medMape[j];
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f | %.1f | %.1f | %.1f | %+.1f |%n",
                    methods.get(j),
                    mean(v),
                    Arrays.stream(v).filter(x -> !Double.isNaN(x)).min().orElse(Double.NaN),
                    Arrays.stream(v).filter(x -> !Double.isNaN(x)).max().orElse(Double.NaN),
                    mean(medWape[j]),
                    mean(medTotal[j])));
        }
        sb.append("\nFiles: [`")
                .append(rel)
                .append("/fairness.csv`](")
                .append(rel)
                .append("/fairness.csv), [`")
                .append(rel)
                .append("/population_mape.csv`](")
                .append(rel)
                .append("/population_mape.csv), [`")
                .append(rel)
                .append("/coverage.csv`](")
                .append(rel)
                .append("/coverage.csv), [`")
                .append(rel)
                .append("/fig10a_fairness.png`](")
                .append(rel)
                .append("/fig10a_fairness.png), [`")
                .append(rel)
                .append("/fig10b_population_mape.png`](")
                .append(rel)
                .append("/fig10b_population_mape.png)\n\n");
        return sb.toString();
    }

    private static double median(List<double[][]> perCity, int j, int i) {
        double[] v = perCity.stream()
                .mapToDouble(a -> a[j][i])
                .filter(x -> !Double.isNaN(x))
                .toArray();
        return v.length == 0 ? Double.NaN : Stats.median(v);
    }

    private static double mean(double[] v) {
        double s = 0;
        int n = 0;
        for (double x : v)
            if (!Double.isNaN(x)) {
                s += x;
                n++;
            }
        return n == 0 ? Double.NaN : s / n;
    }

    private static String num(double v) {
        return Double.toString(v);
    }
}
