package org.geomend.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.geomend.io.InputException;
import org.geomend.kernels.Backends;
import org.geomend.kernels.nbl.NblBackends;
import org.geomend.kernels.nbl.NblOptions;
import org.geomend.kernels.nbl.NblScoring;
import org.geomend.nbl.Ablation;
import org.geomend.nbl.Adapters;
import org.geomend.nbl.Evaluation;
import org.geomend.nbl.Locator;
import org.geomend.nbl.MapBuilder;
import org.geomend.nbl.MapOptions;
import org.geomend.nbl.MeasurementCsv;
import org.geomend.nbl.NblMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code geomend nbl}: Network-Based Localization (SPEC section 6, issue 6). Errors go to {@link Main}'s
 * handler: exit 2 for bad usage or bad input (one line naming the file and line), 1 for other failures.
 */
@Command(
        name = "nbl",
        mixinStandardHelpOptions = true,
        description =
                "Network-Based Localization: coverage maps from GPS-tagged measurements, record localization, evaluation.",
        subcommands = {
            NblCommand.Import.class,
            NblCommand.Build.class,
            NblCommand.Locate.class,
            NblCommand.Eval.class,
            NblCommand.Ablate.class
        })
public final class NblCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing sub-command (import, build, locate, eval or ablate)");
    }

    /**
     * The model's choices: a preset, then any choice given explicitly (map side and scoring side); a picocli mixin of
     * {@code nbl build|locate|eval|ablate} and of the Spark jobs.
     */
    public static final class Model {
        @Option(
                names = "--preset",
                defaultValue = "default",
                description = "default|plain|legacy: the model the options below start from (default ${DEFAULT-VALUE})")
        String preset;

        @Option(
                names = "--candidates",
                description = "candidate tiles: all (every reported cell has statistics; their union when none) or any")
        String candidates;

        @Option(
                names = "--miss",
                description = "factor of a reported cell without statistics in a candidate tile, per type, (0, 1]")
        Double miss;

        @Option(names = "--rssi", description = "on|off: the RSSI term")
        String rssi;

        @Option(names = "--pd", description = "on|off: the propagation-distance term (where the map holds f_PD)")
        String pd;

        @Option(
                names = "--sigma-prior-weight",
                description = "map: pseudo-samples of the sigma prior per (cell, tile), >= 0")
        Double priorWeight;

        @Option(names = "--sigma-prior", description = "map: the sigma prior, dB")
        Double sigmaPrior;

        @Option(names = "--sd-floor", description = "map: the deviation floor, dB")
        Double sdFloor;

        @Option(
                names = "--levels",
                description = "map: multi-resolution back-off to this many coarser zooms (0: one zoom)")
        Integer levels;

        @Option(
                names = "--shrink",
                description = "map: the parent's weight in pseudo-samples (with --levels; default 2)")
        Double shrink;

        @Option(
                names = "--smooth",
                description =
                        "map: spatial smoothing radius in tiles (1: 3x3, 2: 5x5; 0: none) of a (cell, tile) entry's"
                                + " neighbourhood in the same cell")
        Integer smooth;

        @Option(
                names = "--smooth-k",
                description = "map: the neighbourhood's weight in pseudo-samples (with --smooth; default 3)")
        Double smoothK;

        @Option(
                names = "--pooled-sigma",
                description = "map: pseudo-samples of the cell's deviation pooled over its tiles as the sigma prior"
                        + " (0: off)")
        Double pooledSigma;

        @Option(names = "--density-power", description = "exponent of the location density P(l), [0, 10]")
        Double densityPower;

        @Option(
                names = "--temperature",
                description = "exponent of the likelihood, (0, 10] (below 1 flattens the weights)")
        Double temperature;

        @Option(
                names = "--cutoff",
                description = "weighted average over the candidates of at least this share of the best weight, [0, 1]")
        Double cutoff;

        @Option(names = "--tail", description = "RSRP / RSSI likelihood tail: gauss (eq. 4) or laplace")
        String tail;

        @Option(
                names = "--power",
                description = "the weighted average, mean shift and spread weigh each candidate by its weight to this"
                        + " power, (0, 10]")
        Double power;

        @Option(
                names = "--shift",
                description = "mean-shift radius in metres (0: off): the estimate moves to the weighted average of the"
                        + " candidates within it, --shift-iters times")
        Double shift;

        @Option(
                names = "--shift-spreads",
                description = "mean-shift radius as this many times the record's spread (instead of --shift)")
        Double shiftSpreads;

        @Option(names = "--shift-iters", description = "mean-shift iterations, 1..20 (default: the preset's, or 10)")
        Integer shiftIters;

        @Option(names = "--shift-from", description = "wa|mle: where the mean shift starts (default: the preset's)")
        String shiftFrom;

        private void checkPreset() {
            if (!List.of("default", "plain", "legacy").contains(preset))
                throw new IllegalArgumentException("unknown --preset '" + preset + "' (default, plain, legacy)");
        }

        public NblOptions scoring() {
            checkPreset();
            NblOptions o = switch (preset) {
                case "plain" -> NblOptions.PLAIN;
                case "legacy" -> NblOptions.LEGACY;
                default -> NblOptions.DEFAULT;
            };
            if (candidates != null) o = o.withCandidates(NblOptions.candidates(candidates));
            if (miss != null) o = o.withMiss(miss);
            if (rssi != null) o = o.withRssi(onOff("--rssi", rssi));
            if (pd != null) o = o.withPd(onOff("--pd", pd));
            if (densityPower != null) o = o.withDensityPower(densityPower);
            if (temperature != null) o = o.withTemperature(temperature);
            if (cutoff != null) o = o.withCutoff(cutoff);
            if (tail != null)
                o = switch (tail.toLowerCase(java.util.Locale.ROOT)) {
                    case "gauss" -> o.withLaplace(false);
                    case "laplace" -> o.withLaplace(true);
                    default -> throw new IllegalArgumentException("unknown --tail '" + tail + "' (gauss, laplace)");
                };
            if (power != null) o = o.withPower(power);
            if (shift != null && shiftSpreads != null)
                throw new IllegalArgumentException("--shift and --shift-spreads exclude each other");
            boolean fromMle = o.shiftFromMle();
            if (shiftFrom != null)
                fromMle = switch (shiftFrom.toLowerCase(java.util.Locale.ROOT)) {
                    case "wa" -> false;
                    case "mle" -> true;
                    default -> throw new IllegalArgumentException("unknown --shift-from '" + shiftFrom + "' (wa, mle)");
                };
            int iters = shiftIters != null ? shiftIters : o.shift() > 0 ? o.shiftIters() : 10;
            if (shiftSpreads != null) {
                if (fromMle) throw new IllegalArgumentException("--shift-spreads starts at the weighted average only");
                o = o.withRelativeShift(shiftSpreads, iters);
            } else if (shift != null) o = o.withShift(shift, iters, fromMle);
            else if (shiftIters != null || shiftFrom != null) {
                if (o.shift() <= 0) throw new IllegalArgumentException("--shift-iters / --shift-from need --shift");
                o = o.shiftRelative() ? o.withRelativeShift(o.shift(), iters) : o.withShift(o.shift(), iters, fromMle);
            }
            return o;
        }

        public MapOptions map(int zoom) {
            checkPreset();
            MapOptions m = switch (preset) {
                case "plain" -> MapOptions.plain(zoom);
                case "legacy" -> MapOptions.legacy(zoom);
                default -> MapOptions.defaults(zoom);
            };
            if (pooledSigma != null && priorWeight != null)
                throw new IllegalArgumentException("--pooled-sigma and --sigma-prior-weight exclude each other");
            boolean pooled = pooledSigma != null ? pooledSigma > 0 : m.pooled();
            double weight = pooledSigma != null ? pooledSigma : priorWeight != null ? priorWeight : m.priorWeight();
            return new MapOptions(
                    zoom,
                    weight,
                    sigmaPrior != null ? sigmaPrior : m.sigmaPrior(),
                    sdFloor != null ? sdFloor : m.sdFloor(),
                    levels != null ? levels : m.levels(),
                    shrink != null ? shrink : (levels != null && levels > 0 && m.levels() == 0 ? 2 : m.shrink()),
                    smooth != null ? smooth : m.smooth(),
                    smoothK != null ? smoothK : (smooth != null && smooth > 0 && m.smooth() == 0 ? 3 : m.smoothK()),
                    pooled);
        }

        static boolean onOff(String name, String v) {
            return switch (v) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new IllegalArgumentException(name + " must be on or off, got '" + v + "'");
            };
        }
    }

    abstract static class Common {
        @Option(names = "--backend", defaultValue = "auto", description = "auto|java|cuda (default ${DEFAULT-VALUE})")
        String backend;

        @Option(names = "--threads", defaultValue = "0", description = "worker threads (0: all processors)")
        int threads;

        int threads() {
            return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        }

        /**
         * {@code auto} and {@code cuda}: the CUDA scoring backend when a device starts, else Java with a
         * one-line notice on stderr (never a failure for want of a GPU); {@code java}: Java.
         */
        NblScoring scoring() {
            return Backends.orJava(
                    () -> NblBackends.select(backend, threads(), System.err),
                    () -> NblBackends.select("java", threads(), null),
                    System.err);
        }
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description = "Convert a real measurement set to the long measurement CSV.")
    static final class Import implements Callable<Integer> {
        @Option(names = "--from", required = true, description = "walksignal|cork|uav")
        String from;

        @Option(
                names = "--out",
                required = true,
                description = "output measurements: CSV, or Arrow IPC when the name ends in .arrow")
        Path out;

        @Parameters(arity = "1..*", paramLabel = "INPUT", description = "files or directories of the source set")
        List<Path> inputs;

        @Override
        public Integer call() throws Exception {
            if (!List.of("walksignal", "cork", "uav").contains(from))
                throw new IllegalArgumentException("unknown --from '" + from + "' (walksignal, cork, uav)");
            try (MeasurementCsv.AtomicFile af = new MeasurementCsv.AtomicFile(out)) {
                Adapters.Report rep;
                try (MeasurementCsv.RowWriter w = af.measurementWriter()) {
                    rep = Adapters.run(from, inputs, w);
                }
                af.commit();
                rep.print(System.err, from);
            }
            return 0;
        }
    }

    @Command(
            name = "build",
            mixinStandardHelpOptions = true,
            description = "Build a coverage map from GPS-tagged measurements.")
    static final class Build extends Common implements Callable<Integer> {
        @Option(
                names = "--measurements",
                required = true,
                arity = "1..*",
                description = "measurement files: long CSV or Arrow IPC")
        List<Path> files;

        @Option(
                names = "--zoom",
                defaultValue = "21",
                description = "slippy-map zoom 16..21 (default ${DEFAULT-VALUE}, chosen by the grouped ablation)")
        int zoom;

        @Option(names = "--out", required = true, description = "map file")
        Path out;

        @Option(names = "--cells", description = "CSV cell,lat,lon of cell positions (for the PD term)")
        Path cells;

        @CommandLine.Mixin
        Model model;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            MapOptions mo = model.map(zoom);
            MapBuilder b = new MapBuilder(mo, cells == null ? null : readCells(cells), threads(), System.err);
            NblMap m = b.build(MapBuilder.RowSource.files(files));
            m.write(out);
            System.err.printf(
                    Locale.ROOT,
                    "nbl build: %d rows (%d without position, skipped), %d records -> %d cells, %d tiles, %d (cell, tile) entries, f_PD %s; %.2f s%n",
                    b.rowsRead,
                    b.rowsNoPosition,
                    b.records,
                    m.numCells(),
                    m.numTiles(),
                    m.numEntries(),
                    !m.hasFpd() ? "none (no PD in data)" : "from " + m.fpdSamples() + " PDs",
                    (System.nanoTime() - t0) * 1e-9);
            return 0;
        }
    }

    /** The {@code --cells} file of {@code nbl build}: CSV {@code cell,lat,lon}. */
    public static Map<String, double[]> readCells(Path f) throws IOException {
        Map<String, double[]> m = new HashMap<>();
        try (org.geomend.io.CsvReader r = org.geomend.io.CsvReader.open(f)) {
            org.geomend.io.CsvReader.Header h = r.header();
            if (h == null) throw new InputException(f, 1, "empty cells file, expected header cell,lat,lon");
            String hint = " (expected header with cell,lat,lon)";
            int c = h.require("cell", hint), la = h.require("lat", hint), lo = h.require("lon", hint);
            while (r.next()) {
                if (r.size() <= Math.max(c, Math.max(la, lo)))
                    throw r.error("expected " + h.width() + " fields, found " + r.size());
                double lat = r.requiredNumber(la, "lat"), lon = r.requiredNumber(lo, "lon");
                if (Math.abs(lat) > 90 || Math.abs(lon) > 180) throw r.error("position out of range");
                m.put(r.get(c), new double[] {lat, lon});
            }
        }
        return m;
    }

    @Command(
            name = "locate",
            mixinStandardHelpOptions = true,
            description = "Locate measurement records on a coverage map.")
    static final class Locate extends Common implements Callable<Integer> {
        @Option(names = "--map", required = true)
        Path map;

        @Option(
                names = "--records",
                required = true,
                description = "measurements of the records: long CSV or Arrow IPC")
        Path records;

        @Option(names = "--estimator", defaultValue = "wa", description = "wa|mle (default ${DEFAULT-VALUE})")
        String estimator;

        @Option(names = "--no-density", description = "do not weight by the location density P(l)")
        boolean noDensity;

        @Option(names = "--out", required = true)
        Path out;

        @CommandLine.Mixin
        Model model;

        @Override
        public Integer call() throws Exception {
            NblOptions opt = model.scoring().withDensity(!noDensity);
            Locator.Estimator est;
            try {
                est = Locator.Estimator.valueOf(estimator);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown --estimator '" + estimator + "' (wa, mle)");
            }
            NblMap m = NblMap.read(map);
            try (NblScoring s = scoring()) {
                Locator l = new Locator(m, s);
                long t0 = System.nanoTime();
                l.locate(records, est, opt, out);
                double all = (System.nanoTime() - t0) * 1e-9;
                System.err.printf(
                        Locale.ROOT,
                        "nbl locate: %d records, %d placed; parse %.3f s, score %.3f s (%.0f records/s), write %.3f s, total %.3f s (%.0f records/s end to end)%n",
                        l.records,
                        l.placed,
                        l.parseSeconds,
                        l.scoreSeconds,
                        l.records / Math.max(1e-9, l.scoreSeconds),
                        l.writeSeconds,
                        all,
                        l.records / all);
            }
            return 0;
        }
    }

    @Command(
            name = "eval",
            mixinStandardHelpOptions = true,
            description = "Split GPS-tagged records into map and test sets, evaluate NBL (summary.csv and CDF plots).")
    static final class Eval extends Common implements Callable<Integer> {
        @Option(names = "--measurements", required = true, arity = "1..*")
        List<Path> files;

        @Option(names = "--dataset", description = "name in summary.csv (default: first file's name)")
        String dataset;

        @Option(names = "--zooms", defaultValue = "16-21", description = "zoom range, e.g. 16-21 or 19")
        String zooms;

        @Option(names = "--test-fraction", defaultValue = "0.2")
        double testFraction;

        @Option(
                names = "--block",
                defaultValue = "30",
                description = "consecutive records of a session kept together in the split")
        int block;

        @Option(names = "--seed", defaultValue = "1")
        long seed;

        @CommandLine.Mixin
        Protocol protocol;

        @CommandLine.Mixin
        Model model;

        @Option(names = "--out", required = true, description = "output directory")
        Path out;

        @Override
        public Integer call() throws Exception {
            int[] z = zoomRange(zooms);
            String name = dataset != null
                    ? dataset
                    : files.get(0).getFileName().toString().replaceAll("\\.csv$", "");
            Evaluation.Protocol p = protocol.protocol(testFraction, block, seed);
            MapOptions mo = model.map(z[1]);
            NblOptions so = model.scoring();
            try (NblScoring s = scoring()) {
                new Evaluation(name, files, z[0], z[1], p, mo, so, threads(), s, System.err).run(out);
            }
            return 0;
        }
    }

    /** {@code 16-21} or {@code 19}. */
    static int[] zoomRange(String zooms) {
        String[] z = zooms.split("-");
        try {
            int z0 = Integer.parseInt(z[0].trim()), z1 = Integer.parseInt(z[z.length - 1].trim());
            if (z.length > 2 || z0 < 16 || z1 > 21 || z0 > z1) throw new NumberFormatException();
            return new int[] {z0, z1};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--zooms must be a zoom or a range within 16-21, got '" + zooms + "'");
        }
    }

    /** {@code --split block|sessions} and {@code --folds}. */
    static final class Protocol {
        @Option(
                names = "--split",
                defaultValue = "block",
                description =
                        "block: blocks of consecutive records of a session; sessions: whole sessions held out (grouped cross-validation) (default ${DEFAULT-VALUE})")
        String split;

        @Option(
                names = "--folds",
                defaultValue = "0",
                description =
                        "with --split sessions: 0 leaves one session out at a time; N > 0 deals the sessions into N folds")
        int folds;

        Evaluation.Protocol protocol(double testFraction, int block, long seed) {
            Evaluation.Split sp;
            try {
                sp = Evaluation.Split.valueOf(split);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown --split '" + split + "' (block, sessions)");
            }
            return new Evaluation.Protocol(sp, folds, testFraction, block, seed);
        }
    }

    @Command(
            name = "ablate",
            mixinStandardHelpOptions = true,
            description =
                    "Every modelling choice measured on unseen sessions: the plain recipe and each choice varied, per set (ablation.csv, ablation.md).")
    static final class Ablate extends Common implements Callable<Integer> {
        @Option(
                names = "--set",
                required = true,
                arity = "1..*",
                description = "NAME=FILE[,FILE...]: a measurement set (repeatable)")
        List<String> sets;

        @Option(
                names = "--zoom",
                defaultValue = "19",
                description = "zoom of the plain recipe (default ${DEFAULT-VALUE})")
        int zoom;

        @Option(
                names = "--folds",
                defaultValue = "0",
                description = "0 leaves one session out at a time; N > 0 deals the sessions into N folds")
        int folds;

        @Option(
                names = "--only",
                description =
                        "run only the variants whose name contains this text (and the plain recipe, the baseline)")
        String only;

        @Option(names = "--out", required = true, description = "output directory")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (zoom < 16 || zoom > 21) throw new IllegalArgumentException("--zoom must be 16..21, got " + zoom);
            Evaluation.Protocol p = new Evaluation.Protocol(Evaluation.Split.sessions, folds, 0.2, 30, 1);
            List<Ablation.Set> ss = new java.util.ArrayList<>();
            for (String s : sets) {
                int i = s.indexOf('=');
                if (i <= 0 || i == s.length() - 1)
                    throw new IllegalArgumentException("--set must be NAME=FILE[,FILE...], got '" + s + "'");
                List<Path> fs = new java.util.ArrayList<>();
                for (String f : s.substring(i + 1).split(",")) fs.add(Path.of(f));
                ss.add(new Ablation.Set(s.substring(0, i), fs));
            }
            List<Ablation.Variant> vs = Ablation.standard(zoom);
            if (only != null) {
                List<Ablation.Variant> keep = new java.util.ArrayList<>(List.of(vs.get(0)));
                for (Ablation.Variant v : vs.subList(1, vs.size())) if (v.name().startsWith(only)) keep.add(v);
                vs = keep;
            }
            try (NblScoring s = scoring()) {
                new Ablation(ss, p, vs, threads(), s, System.err).run(out);
            }
            return 0;
        }
    }
}
