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
import org.geomend.kernels.nbl.NblScoring;
import org.geomend.nbl.Adapters;
import org.geomend.nbl.Evaluation;
import org.geomend.nbl.Locator;
import org.geomend.nbl.MapBuilder;
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
        subcommands = {NblCommand.Import.class, NblCommand.Build.class, NblCommand.Locate.class, NblCommand.Eval.class})
public final class NblCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing sub-command (import, build, locate or eval)");
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
                defaultValue = "19",
                description = "slippy-map zoom 16..21 (default ${DEFAULT-VALUE})")
        int zoom;

        @Option(names = "--out", required = true, description = "map file")
        Path out;

        @Option(names = "--cells", description = "CSV cell,lat,lon of cell positions (for the PD term)")
        Path cells;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            MapBuilder b = new MapBuilder(zoom, cells == null ? null : readCells(cells), threads(), System.err);
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

        @Override
        public Integer call() throws Exception {
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
                l.locate(records, est, !noDensity, out);
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

        @Option(names = "--out", required = true, description = "output directory")
        Path out;

        @Override
        public Integer call() throws Exception {
            String[] z = zooms.split("-");
            int z0 = Integer.parseInt(z[0].trim()), z1 = Integer.parseInt(z[z.length - 1].trim());
            if (testFraction <= 0 || testFraction >= 1)
                throw new IllegalArgumentException("--test-fraction must be in (0, 1)");
            String name = dataset != null
                    ? dataset
                    : files.get(0).getFileName().toString().replaceAll("\\.csv$", "");
            try (NblScoring s = scoring()) {
                new Evaluation(name, files, z0, z1, testFraction, block, seed, threads(), s, System.err).run(out);
            }
            return 0;
        }
    }
}
