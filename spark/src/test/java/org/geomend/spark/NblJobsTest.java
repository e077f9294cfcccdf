package org.geomend.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.geomend.cli.Main;
import org.geomend.io.CsvField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NBL jobs on embedded Spark ({@code local[2]}) against the single-machine commands on the same data: the map of
 * {@code spark nbl-build} is the file {@code nbl build --threads 1} writes, byte for byte (several input files, more
 * shuffle partitions than cores); the part files of {@code spark nbl-locate} are {@code nbl locate}'s output on each
 * input file; bad input stops the job with the row's one line and exit 2, leaves no {@code _SUCCESS}, and
 * {@code --bad-rows} writes and counts the rows instead.
 */
class NblJobsTest {

    @TempDir
    static Path dir;

    static Path a, b;

    /** Two files of GPS-tagged records (1-3 cells each, RSSI and TA sometimes missing, a row without position). */
    @BeforeAll
    static void data() throws IOException {
        Random r = new Random(17);
        a = dir.resolve("a.csv");
        b = dir.resolve("b.csv");
        int rec = 0;
        for (Path f : List.of(a, b)) {
            StringBuilder sb = new StringBuilder("record,time,lat,lon,cell,rsrp,rssi,ta\n");
            for (int i = 0; i < 700; i++, rec++) {
                double lat = 45.40 + 0.02 * r.nextDouble(), lon = -75.70 + 0.03 * r.nextDouble();
                boolean noPos = rec == 11;
                int cells = 1 + r.nextInt(3);
                for (int k = 0; k < cells; k++) {
                    int cell = (int) (Math.abs(lat - 45.40) * 400 + Math.abs(lon + 75.70) * 300 + k * 7) % 23;
                    sb.append("r")
                            .append(rec)
                            .append(',')
                            .append(1000 + rec)
                            .append(',')
                            .append(noPos ? "" : String.format(Locale.ROOT, "%.6f", lat))
                            .append(',')
                            .append(noPos ? "" : String.format(Locale.ROOT, "%.6f", lon))
                            .append(",c")
                            .append(cell)
                            .append(',')
                            .append(String.format(Locale.ROOT, "%.1f", -70 - 40 * r.nextDouble()))
                            .append(',')
                            .append(
                                    r.nextInt(3) == 0
                                            ? ""
                                            : String.format(Locale.ROOT, "%.1f", -50 - 30 * r.nextDouble()))
                            .append(',')
                            .append(r.nextInt(4) == 0 ? "" : String.format(Locale.ROOT, "%.2f", 2000 * r.nextDouble()))
                            .append('\n');
                }
            }
            Files.writeString(f, sb);
        }
    }

    record Run(int code, String err) {}

    static synchronized Run spark(String... args) {
        return capture(() -> SparkMain.execute(withMaster(args)));
    }

    static String[] withMaster(String... args) {
        List<String> l = new ArrayList<>(List.of(args));
        l.add(1, "--master");
        l.add(2, "local[2]");
        return l.toArray(String[]::new);
    }

    static synchronized Run geomend(String... args) {
        return capture(() -> Main.execute(args));
    }

    static Run capture(java.util.function.IntSupplier body) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = body.getAsInt();
            return new Run(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
            old.print(buf.toString(StandardCharsets.UTF_8));
        }
    }

    static String p(Path x) {
        return x.toString();
    }

    @Test
    void buildIsNblBuildsMapBitForBitAndLocateIsNblLocate() throws IOException {
        Path single = dir.resolve("single.nbl"), out = dir.resolve("map-out");
        assertEquals(
                0,
                geomend(
                                "nbl",
                                "build",
                                "--threads",
                                "1",
                                "--zoom",
                                "18",
                                "--sd-floor",
                                "2.5",
                                "--measurements",
                                p(a),
                                p(b),
                                "--out",
                                p(single))
                        .code());
        Run run = spark(
                "nbl-build",
                "--measurements",
                p(a),
                p(b),
                "--zoom",
                "18",
                "--sd-floor",
                "2.5",
                "--partitions",
                "3",
                "--out",
                p(out));
        assertEquals(0, run.code(), run.err());
        assertArrayEquals(Files.readAllBytes(single), Files.readAllBytes(out.resolve("map.nbl")), "map.nbl");
        assertTrue(Files.exists(out.resolve(JobOutput.SUCCESS)));
        assertFalse(Files.exists(out.resolve(JobOutput.TEMPORARY)));
        // the Parquet tables hold the map: as many rows as cells, tiles and entries
        org.geomend.nbl.NblMap m = org.geomend.nbl.NblMap.read(single);
        SparkSession s = SparkSession.active();
        assertEquals(m.numCells(), s.read().parquet(p(out.resolve("cells"))).count());
        assertEquals(m.numTiles(), s.read().parquet(p(out.resolve("tiles"))).count());
        assertEquals(m.numEntries(), s.read().parquet(p(out.resolve("entries"))).count());
        long records = s.read()
                .parquet(p(out.resolve("tiles")))
                .agg(org.apache.spark.sql.functions.sum("records"))
                .first()
                .getLong(0);
        assertEquals(m.totalRecords(), records);

        for (String est : List.of("wa", "mle")) {
            Path est1 = dir.resolve("est-" + est + "-a.csv"), est2 = dir.resolve("est-" + est + "-b.csv");
            for (Path[] io : new Path[][] {{a, est1}, {b, est2}}) {
                String[] cmd = {
                    "nbl",
                    "locate",
                    "--backend",
                    "java",
                    "--map",
                    p(single),
                    "--records",
                    p(io[0]),
                    "--estimator",
                    est,
                    "--candidates",
                    "any",
                    "--out",
                    p(io[1])
                };
                assertEquals(0, geomend(cmd).code());
            }
            Path eo = dir.resolve("est-" + est);
            Run l = spark(
                    "nbl-locate",
                    "--backend",
                    "java",
                    "--map",
                    p(out),
                    "--records",
                    p(a),
                    p(b),
                    "--estimator",
                    est,
                    "--candidates",
                    "any",
                    "--out",
                    p(eo));
            assertEquals(0, l.code(), l.err());
            assertEquals(Files.readString(est1), Files.readString(eo.resolve("part-00000.csv")), est);
            assertEquals(Files.readString(est2), Files.readString(eo.resolve("part-00001.csv")), est);
            assertTrue(Files.readString(est1).startsWith("record,lat,lon,candidates,radius_m,error_m\n"));
            assertTrue(Files.exists(eo.resolve(JobOutput.SUCCESS)));
        }
    }

    @Test
    void badRowStopsTheJobWithItsLineAndNoSuccessMarker() throws IOException {
        Path bad = dir.resolve("bad.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(a));
        lines.set(4, lines.get(4).replaceFirst(",c(\\d+),[^,]*,", ",c$1,loud,"));
        Files.write(bad, lines);
        Path out = dir.resolve("bad-out");
        Run run = spark("nbl-build", "--measurements", p(b), p(bad), "--out", p(out));
        assertEquals(2, run.code(), run.err());
        String last = run.err().strip().lines().reduce((x, y) -> y).orElse("");
        assertTrue(last.startsWith("geomend spark nbl-build: " + bad + ":5: "), last);
        assertTrue(last.contains("rsrp"), last);
        assertFalse(Files.exists(out.resolve(JobOutput.SUCCESS)), "a failed job leaves no _SUCCESS");
        assertFalse(Files.exists(out.resolve("map.nbl")));

        // --bad-rows: written with the reason, counted, and the map is the map of the other rows
        Path rows = dir.resolve("bad-rows"), out2 = dir.resolve("bad-out2"), good = dir.resolve("good.csv");
        List<String> kept = new ArrayList<>(lines);
        kept.remove(4);
        Files.write(good, kept);
        Run ok = spark("nbl-build", "--measurements", p(bad), "--bad-rows", p(rows), "--out", p(out2));
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.err().contains("1 malformed"), ok.err());
        List<String> written = Files.readAllLines(rows.resolve("part-00000.csv"));
        assertEquals(2, written.size(), written.toString());
        assertEquals(BadRows.HEADER, written.get(0));
        assertTrue(written.get(1).startsWith(CsvField.of(String.valueOf(bad)) + ",5,"), written.get(1));
        Path single = dir.resolve("good.nbl");
        assertEquals(
                0,
                geomend("nbl", "build", "--threads", "1", "--measurements", p(good), "--out", p(single))
                        .code());
        assertArrayEquals(Files.readAllBytes(single), Files.readAllBytes(out2.resolve("map.nbl")));

        // nbl-locate: the same row stops it, or goes to --bad-rows
        Path lo = dir.resolve("bad-locate");
        Run l = spark("nbl-locate", "--map", p(out2), "--records", p(bad), "--out", p(lo));
        assertEquals(2, l.code(), l.err());
        assertTrue(l.err().contains(bad + ":5: "), l.err());
        assertFalse(Files.exists(lo.resolve(JobOutput.SUCCESS)));
        Path lo2 = dir.resolve("bad-locate2"), rows2 = dir.resolve("bad-rows2"), ref = dir.resolve("good-est.csv");
        Run l2 = spark(
                "nbl-locate",
                "--backend",
                "java",
                "--map",
                p(out2),
                "--records",
                p(bad),
                "--bad-rows",
                p(rows2),
                "--out",
                p(lo2));
        assertEquals(0, l2.code(), l2.err());
        assertEquals(
                0,
                geomend("nbl", "locate", "--backend", "java", "--map", p(single), "--records", p(good), "--out", p(ref))
                        .code());
        assertEquals(Files.readString(ref), Files.readString(lo2.resolve("part-00000.csv")));
        assertEquals(2, Files.readAllLines(rows2.resolve("part-00000.csv")).size());
    }

    @Test
    void existingOutputIsRefusedUnlessOverwrite() throws IOException {
        Path out = dir.resolve("exists");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "x");
        Run run = spark("nbl-build", "--measurements", p(a), "--out", p(out));
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("--out " + out + " exists (pass --overwrite"), run.err());
        assertTrue(Files.exists(out.resolve("keep.txt")), "nothing of the existing output is touched");
        Run again = spark("nbl-build", "--measurements", p(a), "--overwrite", "--out", p(out));
        assertEquals(0, again.code(), again.err());
        assertFalse(Files.exists(out.resolve("keep.txt")));
        assertTrue(Files.exists(out.resolve(JobOutput.SUCCESS)));
    }

    /** {@code file} as Parquet (one part file) with the CSV's columns; empty fields become nulls. */
    static Path parquet(Path csv, String name) {
        SparkSession s = SparkMain.session("local[2]", "test");
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("record", "string")
                .add("time", "string")
                .add("lat", "double")
                .add("lon", "double")
                .add("cell", "string")
                .add("rsrp", "double")
                .add("rssi", "double")
                .add("ta", "double");
        Path out = dir.resolve(name);
        s.read()
                .schema(schema)
                .option("header", "true")
                .csv(p(csv))
                .coalesce(1)
                .write()
                .parquet(p(out));
        return out;
    }

    static Path part(Path parquetDir) throws IOException {
        try (var l = Files.list(parquetDir)) {
            return l.filter(f -> f.getFileName().toString().endsWith(".parquet"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    /**
     * Parquet measurements (directories of part files) give nbl-build the CSV's map byte for byte and nbl-locate the
     * CSV's estimates ({@code --format parquet}: the same values); a bad Parquet row is named by file and row, and
     * {@code --bad-rows} writes it with its row.
     */
    @Test
    void parquetInAndOutIsTheCsv() throws IOException {
        Path pa = parquet(a, "a.pq"), pb = parquet(b, "b.pq");
        Path csvMap = dir.resolve("pq-csv-map"), pqMap = dir.resolve("pq-map");
        assertEquals(
                0,
                spark("nbl-build", "--measurements", p(a), p(b), "--out", p(csvMap))
                        .code());
        Run run = spark("nbl-build", "--measurements", p(pa), p(pb), "--out", p(pqMap));
        assertEquals(0, run.code(), run.err());
        assertArrayEquals(Files.readAllBytes(csvMap.resolve("map.nbl")), Files.readAllBytes(pqMap.resolve("map.nbl")));
        Path csvEst = dir.resolve("pq-csv-est"), pqEst = dir.resolve("pq-est");
        String[] common = {"--backend", "java", "--map", p(csvMap), "--candidates", "any", "--records"};
        assertEquals(
                0,
                spark(NblCommandArgs.concat("nbl-locate", common, p(a), p(b), "--out", p(csvEst)))
                        .code());
        Run l = spark(
                NblCommandArgs.concat("nbl-locate", common, p(pa), p(pb), "--format", "parquet", "--out", p(pqEst)));
        assertEquals(0, l.code(), l.err());
        SparkSession s = SparkSession.active();
        for (int part = 0; part < 2; part++) {
            List<String> want = Files.readAllLines(csvEst.resolve(String.format("part-%05d.csv", part)));
            List<org.apache.spark.sql.Row> got = s.read()
                    .parquet(p(pqEst.resolve(String.format("part-%05d.parquet", part))))
                    .collectAsList();
            assertEquals(
                    List.of(want.get(0).split(",")), List.of(got.get(0).schema().fieldNames()));
            assertEquals(want.size() - 1, got.size());
            for (int i = 0; i < got.size(); i++) {
                String[] f = want.get(i + 1).split(",", -1);
                org.apache.spark.sql.Row g = got.get(i);
                assertEquals(f[0], g.getString(0));
                assertEquals(Integer.parseInt(f[3]), g.getInt(3));
                for (int c : new int[] {1, 2, 4, 5})
                    if (f[c].isEmpty()) assertTrue(g.isNullAt(c), want.get(i + 1));
                    else assertEquals(Double.parseDouble(f[c]), g.getDouble(c), want.get(i + 1));
            }
        }
        // a bad Parquet row: lat out of range on data row 4 (line 5 of the CSV)
        Path bad = dir.resolve("pq-bad.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(a));
        String[] f = lines.get(4).split(",", -1);
        f[2] = "200";
        lines.set(4, String.join(",", f));
        Files.write(bad, lines);
        Path pbad = parquet(bad, "bad.pq"), file = part(pbad);
        Run r = spark("nbl-build", "--measurements", p(pbad), "--out", p(dir.resolve("pq-bad-out")));
        assertEquals(2, r.code(), r.err());
        String last = r.err().strip().lines().reduce((x, y) -> y).orElse("");
        assertTrue(last.startsWith("geomend spark nbl-build: " + file + ": row 4: position out of range"), last);
        Path rows = dir.resolve("pq-bad-rows");
        Run ok = spark(
                "nbl-build", "--measurements", p(pbad), "--bad-rows", p(rows), "--out", p(dir.resolve("pq-bad-out2")));
        assertEquals(0, ok.code(), ok.err());
        List<String> written = Files.readAllLines(rows.resolve("part-00000.csv"));
        assertEquals(2, written.size(), written.toString());
        assertTrue(
                written.get(1).startsWith(CsvField.of(String.valueOf(file)) + ",4,")
                        && written.get(1).contains("position out of range"),
                written.get(1));
    }

    /**
     * One file read by several tasks ({@code --split-size} of 8 kB: 8 or more byte ranges at record boundaries): the
     * map and the estimates of one task, and a bad row late in the file named by its own line number.
     */
    @Test
    void splitsOfOneFileGiveWhatOneTaskGives() throws IOException {
        Path whole = dir.resolve("split-whole"), split = dir.resolve("split-map");
        assertEquals(
                0,
                spark("nbl-build", "--measurements", p(a), "--split-size", "0", "--out", p(whole))
                        .code());
        Run run = spark("nbl-build", "--measurements", p(a), "--split-size", "8000", "--out", p(split));
        assertEquals(0, run.code(), run.err());
        java.util.regex.Matcher mt =
                java.util.regex.Pattern.compile("1 files \\((\\d+) tasks\\)").matcher(run.err());
        assertTrue(mt.find() && Integer.parseInt(mt.group(1)) >= 8, run.err());
        assertArrayEquals(Files.readAllBytes(whole.resolve("map.nbl")), Files.readAllBytes(split.resolve("map.nbl")));
        Path single = dir.resolve("split-est.csv"), est = dir.resolve("split-est");
        assertEquals(
                0,
                geomend(
                                "nbl",
                                "locate",
                                "--backend",
                                "java",
                                "--map",
                                p(whole.resolve("map.nbl")),
                                "--records",
                                p(a),
                                "--out",
                                p(single))
                        .code());
        Run l = spark(
                "nbl-locate",
                "--backend",
                "java",
                "--map",
                p(whole),
                "--records",
                p(a),
                "--split-size",
                "8000",
                "--out",
                p(est));
        assertEquals(0, l.code(), l.err());
        StringBuilder joined = new StringBuilder();
        try (var parts = Files.list(est)) {
            for (Path part : parts.filter(f -> f.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) {
                List<String> ls = Files.readAllLines(part);
                for (int i = joined.length() == 0 ? 0 : 1; i < ls.size(); i++)
                    joined.append(ls.get(i)).append('\n');
            }
        }
        assertEquals(Files.readString(single), joined.toString());
        // a bad row on line 1000 (in a later split): its own line number, stopping the job or in --bad-rows
        List<String> lines = new ArrayList<>(Files.readAllLines(a));
        lines.set(999, lines.get(999).replaceFirst(",c(\\d+),[^,]*,", ",c$1,loud,"));
        Path bad = dir.resolve("split-bad.csv");
        Files.write(bad, lines);
        Run r = spark(
                "nbl-locate",
                "--map",
                p(whole),
                "--records",
                p(bad),
                "--split-size",
                "8000",
                "--out",
                p(dir.resolve("split-bad-out")));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(bad + ":1000: "), r.err());
        Path rows = dir.resolve("split-bad-rows");
        Run ok = spark(
                "nbl-build",
                "--measurements",
                p(bad),
                "--split-size",
                "8000",
                "--bad-rows",
                p(rows),
                "--out",
                p(dir.resolve("split-bad-map")));
        assertEquals(0, ok.code(), ok.err());
        StringBuilder all = new StringBuilder();
        try (var parts = Files.list(rows)) {
            for (Path part : parts.sorted().toList()) all.append(Files.readString(part));
        }
        assertTrue(all.toString().contains(CsvField.of(String.valueOf(bad)) + ",1000,"), all.toString());
    }

    /** Argument lists. */
    static final class NblCommandArgs {
        static String[] concat(String job, String[] common, String... more) {
            String[] o = new String[1 + common.length + more.length];
            o[0] = job;
            System.arraycopy(common, 0, o, 1, common.length);
            System.arraycopy(more, 0, o, 1 + common.length, more.length);
            return o;
        }
    }
}
