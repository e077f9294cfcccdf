package org.geomend.nbl;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.geomend.io.AtomicFiles;
import org.geomend.kernels.nbl.NblOptions;
import org.geomend.kernels.nbl.NblResult;
import org.geomend.kernels.nbl.NblScoring;
import org.geomend.report.Plots;
import org.geomend.report.Stats;

/**
 * {@code nbl eval} (paper VI): GPS-tagged records are split into map-building and test records, either by
 * blocks of {@code block} consecutive records of a session (the record id up to its last ':'; {@code
 * --split block}, one split) or by whole sessions ({@code --split sessions}: grouped cross-validation, each
 * fold's test records are sessions the map never saw, every record is tested once; see {@link #folds}).
 * For each fold and zoom a map is built from the training part and the test records are located with WA
 * and MLE, with and without P(l), with the model's {@link MapOptions} and {@link NblOptions}. The cell-ID baseline places a record at
 * the centroid of its serving cell's training samples. Localization uncertainty = error / coverage range
 * of the serving cell (see {@link MapBuilder}: sqrt(2) x RMS distance of its training samples to their
 * centroid, at least 50 m). The uncertainty radius of each estimate ({@link NblResult#spread}, around
 * the MLE tile: {@code sqrt(spread^2 + |mle - wa|^2)}) is checked for calibration: the share of placed test
 * records whose error is within it. Writes {@code summary.csv} and CDF plots (PNG) like figures 8-11.
 */
public final class Evaluation {

    static final String[] CATS = {"all", "1", "2", "3+"};

    /** How test records are chosen. */
    public enum Split {
        block,
        sessions
    }

    /**
     * The protocol: {@code split}; for {@code block}, the test fraction, block length and seed; for
     * {@code sessions}, {@code folds} (0: one fold per session, leave-one-session-out; else sessions sorted by
     * name go round-robin into that many folds, leave-one-session-out when there are no more sessions).
     */
    public record Protocol(Split split, int folds, double testFraction, int block, long seed) {
        public Protocol {
            if (split == null) throw new IllegalArgumentException("--split must be block or sessions");
            if (folds < 0 || folds > 10_000) throw new IllegalArgumentException("--folds must be 0..10000");
            if (!(testFraction > 0 && testFraction < 1))
                throw new IllegalArgumentException("--test-fraction must be in (0, 1)");
        }
    }

    private final String dataset;
    private final List<Path> files;
    private final int z0, z1, threads;
    private final Protocol protocol;
    private final MapOptions mapOptions;
    private final NblOptions scoreOptions;
    private final NblScoring scoring;
    private final PrintStream log;

    public Evaluation(
            String dataset,
            List<Path> files,
            int z0,
            int z1,
            Protocol protocol,
            MapOptions mapOptions,
            NblOptions scoreOptions,
            int threads,
            NblScoring scoring,
            PrintStream log) {
        if (z0 < Tiles.MIN_ZOOM || z1 > Tiles.MAX_ZOOM || z0 > z1)
            throw new IllegalArgumentException("zooms must be within 16-21");
        for (int z = z0; z <= z1; z++) mapOptions.withZoom(z); // validates levels against every zoom
        this.dataset = dataset;
        this.files = files;
        this.z0 = z0;
        this.z1 = z1;
        this.protocol = protocol;
        this.mapOptions = mapOptions;
        this.scoreOptions = scoreOptions;
        this.threads = threads;
        this.scoring = scoring;
        this.log = log;
    }

    record Rec(
            String id, String time, double lat, double lon, String[] cell, double[] rsrp, double[] rssi, double[] ta) {}

    static List<Rec> load(List<Path> files) throws IOException {
        List<Rec> out = new ArrayList<>();
        List<String> c = new ArrayList<>();
        List<double[]> v = new ArrayList<>();
        String[] cur = {null, null};
        double[] pos = {0, 0};
        for (Path f : files) {
            MeasurementCsv.read(f, row -> {
                if (!row.record.equals(cur[0])) {
                    if (cur[0] != null) out.add(make(cur, pos, c, v));
                    cur[0] = row.record;
                    cur[1] = row.time;
                    pos[0] = row.lat;
                    pos[1] = row.lon;
                    c.clear();
                    v.clear();
                }
                c.add(row.cell);
                v.add(new double[] {row.rsrp, row.rssi, row.ta});
            });
        }
        if (cur[0] != null) out.add(make(cur, pos, c, v));
        return out;
    }

    private static Rec make(String[] cur, double[] pos, List<String> c, List<double[]> v) {
        int n = c.size();
        double[] p = new double[n], q = new double[n], t = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = v.get(i)[0];
            q[i] = v.get(i)[1];
            t[i] = v.get(i)[2];
        }
        return new Rec(cur[0], cur[1], pos[0], pos[1], c.toArray(new String[0]), p, q, t);
    }

    static String session(String id) {
        int i = id.lastIndexOf(':');
        return i > 0 ? id.substring(0, i) : "";
    }

    /**
     * The folds of the protocol, each a test mask over {@code recs}: one block split, or grouped folds of
     * whole sessions (every record tested exactly once).
     */
    static List<boolean[]> folds(List<Rec> recs, Protocol p) {
        if (p.split() == Split.block) return List.of(split(recs, p.testFraction(), p.block(), p.seed()));
        List<String> groups =
                recs.stream().map(r -> session(r.id())).distinct().sorted().toList();
        if (groups.size() < 2)
            throw new IllegalArgumentException(
                    "--split sessions needs at least 2 sessions (record ids SESSION:N), found " + groups.size());
        int k = p.folds() == 0 || p.folds() >= groups.size() ? groups.size() : p.folds();
        Map<String, Integer> foldOf = new java.util.HashMap<>();
        for (int i = 0; i < groups.size(); i++) foldOf.put(groups.get(i), i % k);
        List<boolean[]> out = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            boolean[] t = new boolean[recs.size()];
            for (int i = 0; i < t.length; i++)
                t[i] = foldOf.get(session(recs.get(i).id())) == f;
            out.add(t);
        }
        return out;
    }

    /** Sessions (groups) of the records. */
    static int groups(List<Rec> recs) {
        return (int) recs.stream().map(r -> session(r.id())).distinct().count();
    }

    /** Test records: blocks of consecutive records of a session drawn with probability testFraction. */
    static boolean[] split(List<Rec> recs, double fraction, int block, long seed) {
        boolean[] test = new boolean[recs.size()];
        String last = null;
        int k = 0;
        boolean cur = false;
        for (int i = 0; i < recs.size(); i++) {
            String s = session(recs.get(i).id());
            if (!s.equals(last) || k == block) {
                long h = seed * 0x9E3779B97F4A7C15L + s.hashCode() * 31L + i;
                cur = new SplittableRandom(h).nextDouble() < fraction;
                k = 0;
                last = s;
            }
            test[i] = cur;
            k++;
        }
        return test;
    }

    /**
     * Per test record of one configuration (appended fold after fold): error (m, NaN: not placed),
     * localization uncertainty (error / serving cell range), the estimate's uncertainty radius (m) and the
     * record's cell count.
     */
    static final class Outcome {
        double[] err = new double[256], unc = new double[256], radius = new double[256];
        int[] cells = new int[256];
        int n;

        void add(double e, double u, double rad, int c) {
            if (n == err.length) {
                int m = 2 * n;
                err = Arrays.copyOf(err, m);
                unc = Arrays.copyOf(unc, m);
                radius = Arrays.copyOf(radius, m);
                cells = Arrays.copyOf(cells, m);
            }
            err[n] = e;
            unc[n] = u;
            radius[n] = rad;
            cells[n++] = c;
        }

        double[] err(String cat) {
            return pick(err, cat);
        }

        double[] unc(String cat) {
            return pick(unc, cat);
        }

        int count(String cat) {
            int k = 0;
            for (int i = 0; i < n; i++) if (match(cells[i], cat)) k++;
            return k;
        }

        /** Share of the placed records of {@code cat} whose error is within their radius (NaN: none). */
        double withinRadius(String cat) {
            int k = 0, in = 0;
            for (int i = 0; i < n; i++)
                if (match(cells[i], cat) && !Double.isNaN(err[i]) && !Double.isNaN(radius[i])) {
                    k++;
                    if (err[i] <= radius[i]) in++;
                }
            return k == 0 ? Double.NaN : (double) in / k;
        }

        double[] radius(String cat) {
            return pick(radius, cat);
        }

        private double[] pick(double[] v, String cat) {
            return java.util.stream.IntStream.range(0, n)
                    .filter(i -> match(cells[i], cat))
                    .mapToDouble(i -> v[i])
                    .toArray();
        }
    }

    static boolean match(int cells, String cat) {
        return switch (cat) {
            case "all" -> true;
            case "3+" -> cells >= 3;
            default -> cells == Integer.parseInt(cat);
        };
    }

    /** Records with a GPS position (the others cannot be scored). */
    static List<Rec> usable(List<Rec> all) {
        List<Rec> usable = new ArrayList<>();
        for (Rec r : all) if (!Double.isNaN(r.lat()) && !Double.isNaN(r.lon())) usable.add(r);
        return usable;
    }

    /** The training records as a row source for {@link MapBuilder}. */
    static MapBuilder.RowSource source(List<Rec> train) {
        return c -> {
            MeasurementCsv.Row row = new MeasurementCsv.Row();
            for (Rec r : train) {
                row.record = r.id();
                row.time = r.time();
                row.lat = r.lat();
                row.lon = r.lon();
                for (int i = 0; i < r.cell().length; i++) {
                    row.cell = r.cell()[i];
                    row.rsrp = r.rsrp()[i];
                    row.rssi = r.rssi()[i];
                    row.ta = r.ta()[i];
                    c.accept(row);
                }
            }
        };
    }

    /** The test records as a kernel batch against {@code map}. */
    static RecordBatch batch(NblMap map, List<Rec> test) {
        RecordBatch rb = new RecordBatch(map.cellIndex(), Math.max(16, test.size()));
        for (Rec r : test) {
            for (int i = 0; i < r.cell().length; i++)
                rb.row(r.id(), r.lat(), r.lon(), r.cell()[i], r.rsrp()[i], r.rssi()[i], r.ta()[i]);
            rb.endRecord();
        }
        return rb;
    }

    /** The uncertainty radius of an estimate: the spread around WA, or around the MLE tile. */
    static double radius(NblResult out, int r, boolean wa) {
        double s = out.spread[r];
        if (wa || Double.isNaN(s)) return s;
        double scale = Math.cos(Tiles.latOfMerc(out.mleY[r]) * Math.PI / 180);
        double dx = (out.mleX[r] - out.waX[r]) * scale, dy = (out.mleY[r] - out.waY[r]) * scale;
        return Math.sqrt(s * s + dx * dx + dy * dy);
    }

    /** Appends record r's outcome with estimator WA or MLE. */
    static void add(Outcome o, RecordBatch rb, NblMap map, NblResult out, int r, boolean wa) {
        boolean placed = out.candidates[r] > 0;
        fill(
                o,
                r,
                rb,
                map,
                placed,
                wa ? out.waX[r] : out.mleX[r],
                wa ? out.waY[r] : out.mleY[r],
                placed ? radius(out, r, wa) : Double.NaN);
    }

    public void run(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        long t0 = System.nanoTime();
        List<Rec> all = load(files);
        List<Rec> usable = usable(all);
        List<boolean[]> folds = folds(usable, protocol);
        log.printf(
                Locale.ROOT,
                "nbl eval %s: %d records (%d without GPS, not used), %s split: %s; zooms %d-%d, map %s; scoring %s%n",
                dataset,
                all.size(),
                all.size() - usable.size(),
                protocol.split(),
                protocol.split() == Split.block
                        ? "1 split"
                        : folds.size() + " folds over " + groups(usable) + " sessions",
                z0,
                z1,
                mapOptions.toString().replaceFirst("zoom=\\d+ ", ""),
                scoreOptions);
        Map<String, Outcome> res = new LinkedHashMap<>();
        Outcome baseline = new Outcome();
        for (int z = z0; z <= z1; z++)
            for (String est : new String[] {"wa", "mle"})
                for (boolean dens : new boolean[] {true, false}) res.put(key(z, est, dens), new Outcome());
        int fi = 0;
        for (boolean[] isTest : folds) {
            fi++;
            List<Rec> train = new ArrayList<>(), test = new ArrayList<>();
            for (int i = 0; i < usable.size(); i++) (isTest[i] ? test : train).add(usable.get(i));
            log.printf(
                    Locale.ROOT,
                    "  fold %d/%d: %d map-building, %d test records%n",
                    fi,
                    folds.size(),
                    train.size(),
                    test.size());
            for (int z = z0; z <= z1; z++) {
                NblMap map = new MapBuilder(mapOptions.withZoom(z), null, threads, null).build(source(train));
                RecordBatch rb = batch(map, test);
                Locator loc = new Locator(map, scoring);
                int n = rb.size();
                for (boolean dens : new boolean[] {true, false}) {
                    NblResult out = loc.score(rb, scoreOptions.withDensity(dens), null);
                    Outcome wa = res.get(key(z, "wa", dens)), mle = res.get(key(z, "mle", dens));
                    for (int r = 0; r < n; r++) {
                        add(wa, rb, map, out, r, true);
                        add(mle, rb, map, out, r, false);
                    }
                    if (dens && folds.size() == 1) {
                        long unplaced = Arrays.stream(out.candidates, 0, n)
                                .filter(c -> c == 0)
                                .count();
                        log.printf(
                                Locale.ROOT,
                                "  zoom %d: map %d cells, %d tiles, %d entries; %d of %d test records not placed (no known cell)%n",
                                z,
                                map.numCells(),
                                map.numTiles(),
                                map.numEntries(),
                                unplaced,
                                n);
                    }
                }
                if (z == z0)
                    for (int r = 0; r < n; r++) {
                        int sv = rb.serving[r];
                        boolean ok = sv >= 0;
                        fill(
                                baseline,
                                r,
                                rb,
                                map,
                                ok,
                                ok ? Tiles.mercX(map.centroidLon(sv)) : 0,
                                ok ? Tiles.mercY(map.centroidLat(sv)) : 0,
                                Double.NaN);
                    }
            }
        }
        StringBuilder sum = new StringBuilder(
                "dataset,zoom,estimator,density,cells_in_record,n,median_error_m,p90_error_m,median_uncertainty,"
                        + "placed_share,median_radius_m,within_radius\n");
        for (String cat : CATS) row(sum, "-", "cellid", "-", cat, baseline);
        for (int z = z0; z <= z1; z++)
            for (String est : new String[] {"wa", "mle"})
                for (boolean dens : new boolean[] {true, false})
                    for (String cat : CATS)
                        row(sum, String.valueOf(z), est, dens ? "yes" : "no", cat, res.get(key(z, est, dens)));
        Path s = outDir.resolve("summary.csv");
        AtomicFiles.writeString(s, sum.toString());
        plots(outDir, res, baseline);
        log.printf(
                Locale.ROOT,
                "nbl eval %s: wrote %s and plots in %.1f s%n",
                dataset,
                s,
                (System.nanoTime() - t0) * 1e-9);
    }

    private static void fill(
            Outcome o, int r, RecordBatch rb, NblMap map, boolean placed, double x, double y, double radius) {
        if (!placed) {
            o.add(Double.NaN, Double.NaN, Double.NaN, rb.cellsInRecord[r]);
            return;
        }
        double e = Tiles.haversine(rb.truthLat[r], rb.truthLon[r], Tiles.latOfMerc(y), Tiles.lonOfMerc(x));
        int s = rb.serving[r];
        o.add(e, s >= 0 ? e / map.rangeM(s) : Double.NaN, radius, rb.cellsInRecord[r]);
    }

    static String key(int z, String est, boolean dens) {
        return z + "/" + est + "/" + dens;
    }

    private void row(StringBuilder sb, String zoom, String est, String dens, String cat, Outcome o) {
        double[] e = clean(o.err(cat)), u = clean(o.unc(cat)), rad = clean(o.radius(cat));
        int all = o.count(cat);
        sb.append(String.format(
                Locale.ROOT,
                "%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s%n",
                dataset,
                zoom,
                est,
                dens,
                cat,
                e.length,
                f(Stats.quantile(e, 0.5)),
                f(Stats.quantile(e, 0.9)),
                f4(Stats.quantile(u, 0.5)),
                all == 0 ? "" : f4((double) e.length / all),
                f(Stats.quantile(rad, 0.5)),
                f4(o.withinRadius(cat))));
    }

    static double[] clean(double[] v) {
        return Arrays.stream(v).filter(d -> !Double.isNaN(d)).sorted().toArray();
    }

    static String f(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.1f", v);
    }

    static String f4(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private void plots(Path dir, Map<String, Outcome> res, Outcome base) throws IOException {
        int zm = Math.max(z0, Math.min(z1, 19));
        String t = dataset + ", zoom " + zm;
        Outcome wa = res.get(key(zm, "wa", true)), mle = res.get(key(zm, "mle", true));
        for (boolean unc : new boolean[] {false, true}) {
            String suf = unc ? "uncertainty" : "error";
            String xl =
                    unc ? "localization uncertainty (error / serving cell coverage range)" : "localization error (m)";
            Plots.cdf(
                    dir.resolve("fig8_wa_vs_mle_" + suf + ".png"),
                    "WA vs MLE: " + t,
                    xl,
                    List.of(
                            new Plots.Series("WA", v(wa, unc, "all")),
                            new Plots.Series("MLE", v(mle, unc, "all")),
                            new Plots.Series("cell-ID baseline", v(base, unc, "all"))));
            List<Plots.Series> zs = new ArrayList<>();
            for (int z = z0; z <= z1; z++)
                zs.add(new Plots.Series("WA, zoom " + z, v(res.get(key(z, "wa", true)), unc, "all")));
            Plots.cdf(dir.resolve("fig9_zoom_" + suf + ".png"), "Coverage map zoom: " + dataset, xl, zs);
            List<Plots.Series> cs = new ArrayList<>();
            for (String c : new String[] {"1", "2", "3+"})
                cs.add(new Plots.Series("WA, " + c + " cell(s)", v(wa, unc, c)));
            Plots.cdf(dir.resolve("fig10_cells_" + suf + ".png"), "Cells in the record: " + t, xl, cs);
            Outcome wan = res.get(key(zm, "wa", false));
            Plots.cdf(
                    dir.resolve("fig11_density_" + suf + ".png"),
                    "Location density P(l): " + t,
                    xl,
                    List.of(
                            new Plots.Series("1 cell, with P(l)", v(wa, unc, "1")),
                                    new Plots.Series("1 cell, without P(l)", v(wan, unc, "1")),
                            new Plots.Series("2 cells, with P(l)", v(wa, unc, "2")),
                                    new Plots.Series("2 cells, without P(l)", v(wan, unc, "2"))));
        }
        double[] xs = new double[z1 - z0 + 1];
        double[] mu = new double[xs.length];
        for (int z = z0; z <= z1; z++) {
            xs[z - z0] = z;
            mu[z - z0] = Stats.quantile(clean(res.get(key(z, "wa", true)).unc("all")), 0.5);
        }
        Plots.lines(
                dir.resolve("fig9_median_uncertainty_vs_zoom.png"),
                "Median uncertainty vs zoom (WA, with P(l)): " + dataset,
                "zoom",
                "median localization uncertainty",
                xs,
                List.of(new Plots.Series("WA", mu)));
    }

    private static double[] v(Outcome o, boolean unc, String cat) {
        return unc ? o.unc(cat) : o.err(cat);
    }
}
