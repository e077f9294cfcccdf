package org.geomend.spark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.geomend.io.CsvReader;
import org.geomend.io.InputException;
import org.geomend.kernels.Backends;
import org.geomend.kernels.nbl.NblBackends;
import org.geomend.kernels.nbl.NblScoring;
import org.geomend.nbl.Locator;
import org.geomend.nbl.MeasurementCsv;
import org.geomend.nbl.NblMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code geomend spark nbl-locate}: records to estimates with {@link Locator}, one task per input file, the map
 * broadcast to every executor (read once per executor JVM). Each task writes {@code OUT/part-NNNNN.csv}, the output
 * of {@code nbl locate} on its file ({@code record,lat,lon,candidates,radius_m[,error_m]}, header included), under
 * {@code _temporary/} first; {@code OUT/_SUCCESS} when all are in place.
 */
@Command(
        name = "nbl-locate",
        mixinStandardHelpOptions = true,
        description = "Locate measurement records on an NBL coverage map (nbl locate's estimates) on Spark.")
final class NblLocateJob implements Callable<Integer> {

    @Mixin
    SparkMain.JobOptions job;

    @Option(names = "--map", required = true, description = "the output directory of spark nbl-build, or a map file")
    Path map;

    @Option(
            names = "--records",
            required = true,
            arity = "1..*",
            description =
                    "measurement files (long CSV, Arrow IPC or Parquet with the CSV's columns), or directories of them; one task per file")
    List<Path> records;

    @Option(names = "--estimator", defaultValue = "wa", description = "wa|mle (default ${DEFAULT-VALUE})")
    String estimator;

    @Option(names = "--no-density", description = "do not weight by the location density P(l)")
    boolean noDensity;

    /** The scoring options of {@code nbl locate} ({@code --preset}, {@code --candidates}, ...). */
    @picocli.CommandLine.Mixin
    org.geomend.cli.NblCommand.Model model;

    @Option(names = "--task-threads", defaultValue = "1", description = "scoring threads per task (default 1)")
    int taskThreads;

    @Option(
            names = "--format",
            defaultValue = "csv",
            description =
                    "csv|parquet: part files of nbl locate's CSV, or Parquet with its columns (default ${DEFAULT-VALUE})")
    String format;

    @Option(
            names = "--split-size",
            defaultValue = "134217728",
            description =
                    "bytes per task of a large CSV input, split at record boundaries (default ${DEFAULT-VALUE}; 0: one task per file); one part per task")
    long splitSize;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    /** What one task did. */
    record Done(long records, long placed, long bad) implements java.io.Serializable {}

    @Override
    public Integer call() throws Exception {
        return SparkMain.job(this::run);
    }

    private Integer run() throws Exception {
        long t0 = System.nanoTime();
        Locator.Estimator est;
        try {
            est = Locator.Estimator.valueOf(estimator);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown --estimator '" + estimator + "' (wa, mle)");
        }
        Path mapFile = Files.isDirectory(map) ? map.resolve("map.nbl") : map;
        NblMap.read(mapFile); // bad input is reported here, before any task runs
        byte[] bytes = Files.readAllBytes(mapFile);
        List<String> inputs = SparkMain.inputFiles(records, "--records");
        String badDir = job.badRowsDir();
        JobOutput output = JobOutput.open(out, job.overwrite, "--out");
        SparkSession s = SparkMain.session(job.master, "nbl-locate");
        StageReport report = StageReport.attach(s);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.sparkContext());
        Broadcast<byte[]> mapB = jsc.broadcast(bytes);
        List<Splits.Split> splits = Splits.plan(jsc, inputs, splitSize, "record");
        String outDir = output.dir().toAbsolutePath().toString(), backend = job.backend;
        boolean parquet = switch (format) {
            case "csv" -> false;
            case "parquet" -> true;
            default -> throw new IllegalArgumentException("--format must be csv or parquet: '" + format + "'");
        };
        org.geomend.kernels.nbl.NblOptions options = model.scoring().withDensity(!noDensity);
        int threads = Math.max(1, taskThreads);
        List<Done> done = jsc.parallelize(splits, splits.size())
                .map(f -> locate(f, mapB, est, options, backend, threads, badDir, outDir, parquet))
                .collect();
        output.commit();
        long n = 0, placed = 0, bad = 0;
        for (Done d : done) {
            n += d.records;
            placed += d.placed;
            bad += d.bad;
        }
        report.print(System.err, "spark nbl-locate");
        double all = (System.nanoTime() - t0) * 1e-9;
        System.err.printf(
                Locale.ROOT,
                "spark nbl-locate: %d files (%d tasks), %d records, %d placed%s; %.2f s (%.0f records/s end to end)%n",
                inputs.size(),
                splits.size(),
                n,
                placed,
                badDir == null ? "" : "; " + bad + " malformed rows, in " + badDir,
                all,
                n / all);
        return 0;
    }

    /**
     * {@code nbl locate}'s CSV output as Parquet: {@code record} string, {@code lat, lon} double (null: not placed),
     * {@code candidates} int, {@code radius_m} and, when the records had positions, {@code error_m} double (null:
     * none), each the CSV's value (read back by {@link CsvReader}).
     */
    static void toParquet(Path csv, Path parquet) throws IOException {
        try (CsvReader in = CsvReader.open(csv)) {
            CsvReader.Header h = in.header();
            List<String> cols = h == null ? List.of("record", "lat", "lon", "candidates", "radius_m") : h.names();
            Types.MessageTypeBuilder mb = Types.buildMessage();
            for (String c : cols)
                if (c.equals("record"))
                    mb.required(PrimitiveTypeName.BINARY)
                            .as(LogicalTypeAnnotation.stringType())
                            .named(c);
                else if (c.equals("candidates"))
                    mb.required(PrimitiveTypeName.INT32).named(c);
                else mb.optional(PrimitiveTypeName.DOUBLE).named(c);
            MessageType schema = mb.named("estimates");
            SimpleGroupFactory groups = new SimpleGroupFactory(schema);
            try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(parquet))
                    .withType(schema)
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .build()) {
                while (h != null && in.next()) {
                    Group g = groups.newGroup();
                    for (int c = 0; c < cols.size(); c++) {
                        String n = cols.get(c);
                        if (n.equals("record")) g.add(c, in.get(c));
                        else if (n.equals("candidates")) g.add(c, (int) in.requiredNumber(c, n));
                        else if (!in.isEmpty(c)) g.add(c, in.number(c, n));
                    }
                    w.write(g);
                }
            }
        }
    }

    /** The map of a broadcast, read once per executor JVM. */
    private static final ConcurrentHashMap<Long, NblMap> MAPS = new ConcurrentHashMap<>();

    private static NblMap map(Broadcast<byte[]> b) throws IOException {
        NblMap m = MAPS.get(b.id());
        if (m != null) return m;
        synchronized (MAPS) {
            m = MAPS.get(b.id());
            if (m == null) {
                Path tmp = Files.createTempFile("geomend-nbl-", ".nbl");
                try {
                    Files.write(tmp, b.value());
                    m = NblMap.read(tmp);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                MAPS.put(b.id(), m);
            }
            return m;
        }
    }

    /** One task: {@code nbl locate} on one file (malformed rows filtered out first when {@code --bad-rows}). */
    static Done locate(
            Splits.Split split,
            Broadcast<byte[]> mapB,
            Locator.Estimator est,
            org.geomend.kernels.nbl.NblOptions options,
            String backend,
            int threads,
            String badDir,
            String outDir,
            boolean parquet)
            throws IOException {
        int part = split.index();
        try (Splits.Opened o = Splits.open(split)) {
            try {
                return ParquetInput.read(
                        o.csv(),
                        (in, pq) ->
                                locate(part, in, pq, o, mapB, est, options, backend, threads, badDir, outDir, parquet));
            } catch (InputException e) {
                throw o.translate(e);
            }
        }
    }

    private static Done locate(
            int part,
            Path in,
            ParquetInput.Csv pq,
            Splits.Opened split,
            Broadcast<byte[]> mapB,
            Locator.Estimator est,
            org.geomend.kernels.nbl.NblOptions options,
            String backend,
            int threads,
            String badDir,
            String outDir,
            boolean parquet)
            throws IOException {
        NblMap m = map(mapB);
        String name = String.format("part-%05d.csv", part);
        Path clean = null;
        long bad = 0;
        try {
            if (badDir != null) {
                clean = Files.createTempFile("geomend-records-", ".csv");
                try (BadRows br = BadRows.forPart(badDir, part);
                        BufferedWriter w = Files.newBufferedWriter(clean, StandardCharsets.UTF_8);
                        MeasurementCsv.Writer cw = new MeasurementCsv.Writer(w)) {
                    br.where = (f, l) -> pq != null ? pq.where(f, l) : split.where(f, l);
                    MeasurementCsv.read(
                            in, r -> cw.row(r.record, r.time, r.lat, r.lon, r.cell, r.rsrp, r.rssi, r.ta), br);
                    bad = br.count;
                }
                in = clean;
            }
            try (NblScoring scoring = Backends.orJava(
                    () -> NblBackends.select(backend, threads, System.err),
                    () -> NblBackends.select("java", threads, null),
                    System.err)) {
                Locator l = new Locator(m, scoring);
                Path dir = Path.of(outDir);
                l.locate(in, est, options, JobOutput.temporary(dir, name));
                if (parquet) {
                    String pqName = name.replace(".csv", ".parquet");
                    toParquet(JobOutput.temporary(dir, name), JobOutput.temporary(dir, pqName));
                    Files.delete(JobOutput.temporary(dir, name));
                    name = pqName;
                }
                JobOutput.publish(dir, name);
                return new Done(l.records, l.placed, bad);
            }
        } finally {
            if (clean != null) Files.deleteIfExists(clean);
        }
    }
}
