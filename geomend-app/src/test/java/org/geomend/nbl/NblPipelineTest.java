package org.geomend.nbl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.geomend.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NblPipelineTest {

    @TempDir
    Path tmp;

    /** {@code geomend nbl ARGS} through {@code Main}, as users run it; stderr goes to {@link #lastErr}. */
    int cli(String... args) {
        Cli.Result r = Cli.nbl(args);
        lastErr = r.err();
        return r.code();
    }

    String lastErr = "";

    /** {@code nbl eval --measurements data --dataset syn --out out MORE...}. */
    int eval(Path data, Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(
                List.of("eval", "--measurements", data.toString(), "--dataset", "syn", "--out", out.toString()));
        a.addAll(List.of(more));
        return cli(a.toArray(String[]::new));
    }

    /** Two cells on a small grid, RSRP falling with the distance to each; records at known points. */
    Path synthetic(String name, int n, long seed) throws IOException {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        StringWriter sw = new StringWriter();
        try (MeasurementCsv.Writer w = new MeasurementCsv.Writer(sw)) {
            for (int i = 0; i < n; i++) {
                double lat = 45.40 + r.nextDouble() * 0.01, lon = -75.70 + r.nextDouble() * 0.01;
                double d1 = Tiles.haversine(lat, lon, 45.40, -75.70), d2 = Tiles.haversine(lat, lon, 45.41, -75.69);
                w.row(
                        "s:" + i,
                        "",
                        lat,
                        lon,
                        "A",
                        -60 - 30 * Math.log10(d1 + 10) + r.nextGaussian(),
                        Double.NaN,
                        d1 + r.nextGaussian() * 20);
                w.row(
                        "s:" + i,
                        "",
                        lat,
                        lon,
                        "B",
                        -60 - 30 * Math.log10(d2 + 10) + r.nextGaussian(),
                        -50 - 20 * Math.log10(d2 + 10),
                        Double.NaN);
            }
        }
        Path p = tmp.resolve(name);
        Files.writeString(p, sw.toString());
        return p;
    }

    /** {@link #synthetic} with the records dealt into {@code sessions} sessions ({@code sK:i}). */
    Path sessions(String name, int n, long seed, int sessions) throws IOException {
        Path p = synthetic(name, n, seed);
        List<String> lines = Files.readAllLines(p);
        StringBuilder sb = new StringBuilder(lines.get(0)).append('\n');
        for (String l : lines.subList(1, lines.size())) {
            int i = Integer.parseInt(l.substring(2, l.indexOf(',')));
            sb.append("s").append(i * sessions / n).append(l.substring(1)).append('\n');
        }
        Files.writeString(p, sb.toString());
        return p;
    }

    @Test
    void sessionSplitTestsEveryRecordOnceOnUnseenSessions() throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path data = sessions("s.csv", 1200, 7, 4);
        Path out = tmp.resolve("ev");
        assertEquals(0, eval(data, out, "--zooms", "18", "--split", "sessions"), lastErr);
        assertTrue(lastErr.contains("4 folds over 4 sessions"), lastErr);
        List<String> s = Files.readAllLines(out.resolve("summary.csv"));
        String wa = s.stream()
                .filter(l -> l.startsWith("syn,18,wa,yes,all,"))
                .findFirst()
                .orElseThrow();
        String[] f = wa.split(",", -1);
        assertEquals(1200, Integer.parseInt(f[5])); // every record tested once, all placed
        assertEquals(1.0, Double.parseDouble(f[9]), 1e-9);
        double within = Double.parseDouble(f[11]);
        assertTrue(within > 0.2 && within < 1, wa);
        // records of one session are all in the same fold
        List<Evaluation.Rec> recs = Evaluation.load(List.of(data));
        for (boolean[] t : Evaluation.folds(recs, new Evaluation.Protocol(Evaluation.Split.sessions, 2, 0.2, 30, 1))) {
            java.util.Map<String, java.util.Set<Boolean>> seen = new java.util.HashMap<>();
            for (int i = 0; i < t.length; i++)
                seen.computeIfAbsent(Evaluation.session(recs.get(i).id()), k -> new java.util.HashSet<>())
                        .add(t[i]);
            for (var e : seen.values()) assertEquals(1, e.size());
        }
        assertEquals(2, cli("eval", "--measurements", data.toString(), "--split", "random", "--out", out.toString()));
        assertTrue(lastErr.contains("unknown --split 'random'"), lastErr);
    }

    @Test
    void ablateWritesOneRowPerVariantAndSet() throws IOException {
        Path a = sessions("a.csv", 600, 8, 3), b = sessions("b.csv", 600, 9, 3);
        Path out = tmp.resolve("abl");
        assertEquals(
                0,
                cli("ablate", "--set", "one=" + a, "--set", "two=" + b, "--zoom", "18", "--out", out.toString()),
                lastErr);
        List<String> csv = Files.readAllLines(out.resolve("ablation.csv"));
        int variants = Ablation.standard(18).size();
        assertEquals(1 + 2 * variants, csv.size());
        assertTrue(csv.get(1).startsWith("one,plain,"), csv.get(1));
        assertTrue(csv.get(1)
                .endsWith(",0.0000," + csv.get(1).substring(csv.get(1).lastIndexOf(',') + 1)));
        String md = Files.readString(out.resolve("ablation.md"));
        assertTrue(md.contains("| variant | one | two | worst change |") && md.contains("| plain | "), md);
        assertEquals(2, cli("ablate", "--set", "broken", "--out", out.toString()));
        assertTrue(lastErr.contains("--set must be NAME=FILE"), lastErr);
    }

    @Test
    void multiResolutionShrinksSparseTilesTowardsTheirParent() throws IOException {
        // cell A: many samples of -80 dBm in one zoom-19 tile, one sample of -100 dBm in a sibling tile
        double lat = 45.40, lon = -75.70;
        double dl = 360.0 / (1 << 19) * 0.3; // well inside one zoom-19 tile
        StringWriter sw = new StringWriter();
        int x0 = Tiles.tileX(lon, 19);
        // the sibling tile in the same zoom-18 parent
        double lonB = lon + ((x0 & 1) == 0 ? 1 : -1) * 360.0 / (1 << 19);
        try (MeasurementCsv.Writer w = new MeasurementCsv.Writer(sw)) {
            for (int i = 0; i < 40; i++)
                w.row("s:" + i, "", lat, lon + (i % 3) * dl * 0.1, "A", -80 + (i % 2), Double.NaN, Double.NaN);
            w.row("s:x", "", lat, lonB, "A", -100, Double.NaN, Double.NaN);
        }
        Path p = tmp.resolve("mr.csv");
        Files.writeString(p, sw.toString());
        assertEquals(x0 >> 1, Tiles.tileX(lonB, 19) >> 1);
        NblMap single =
                new MapBuilder(MapOptions.plain(19), null, 1, null).build(MapBuilder.RowSource.files(List.of(p)));
        NblMap multi = new MapBuilder(MapOptions.plain(19).withLevels(1, 4), null, 1, null)
                .build(MapBuilder.RowSource.files(List.of(p)));
        assertEquals(single.numEntries(), multi.numEntries()); // same tiles, statistics shrunk
        int sparse = -1;
        for (int e = 0; e < single.numEntries(); e++) if (single.entNR(e) == 1) sparse = e;
        assertTrue(sparse >= 0);
        assertEquals(-100f, single.entMuR(sparse), 1e-4);
        assertEquals(1f, single.entSdR(sparse), 1e-6); // the plain floor
        // 1 sample against 4 pseudo-samples of the parent (41 samples, mean about -81): mean ~ -84.8, sigma widened
        assertTrue(multi.entMuR(sparse) > -86 && multi.entMuR(sparse) < -83, "mu " + multi.entMuR(sparse));
        assertTrue(multi.entSdR(sparse) > 5, "sd " + multi.entSdR(sparse));
        assertThrows(IllegalArgumentException.class, () -> MapOptions.plain(19).withLevels(10, 2));
        assertThrows(IllegalArgumentException.class, () -> MapOptions.plain(19).withLevels(2, 0));
    }

    @Test
    void smoothingShrinksASparseTileTowardsItsNeighboursAndPooledSigmaIsTheCells() throws IOException {
        // cell A: 40 samples alternating -80 / -84 dBm in one zoom-19 tile, one sample of -100 dBm in the next tile
        double lat = 45.40, lon = -75.70;
        double dl = 360.0 / (1 << 19) * 0.3;
        StringWriter sw = new StringWriter();
        double lonB = lon + 360.0 / (1 << 19);
        try (MeasurementCsv.Writer w = new MeasurementCsv.Writer(sw)) {
            for (int i = 0; i < 40; i++)
                w.row("s:" + i, "", lat, lon + (i % 3) * dl * 0.1, "A", -80 - 4 * (i % 2), Double.NaN, Double.NaN);
            w.row("s:x", "", lat, lonB, "A", -100, Double.NaN, Double.NaN);
        }
        Path p = tmp.resolve("sm.csv");
        Files.writeString(p, sw.toString());
        assertEquals(Tiles.tileX(lon, 19) + 1, Tiles.tileX(lonB, 19));
        MapBuilder.RowSource src = MapBuilder.RowSource.files(List.of(p));
        NblMap single = new MapBuilder(MapOptions.plain(19), null, 1, null).build(src);
        NblMap smooth = new MapBuilder(MapOptions.plain(19).withSmooth(1, 4), null, 1, null).build(src);
        NblMap pooled = new MapBuilder(MapOptions.plain(19).withPooled(2), null, 1, null).build(src);
        assertEquals(2, single.numEntries());
        assertEquals(2, smooth.numEntries());
        int sparse = single.entNR(0) == 1 ? 0 : 1, dense = 1 - sparse;
        assertEquals(-100f, single.entMuR(sparse), 1e-4);
        assertEquals(1f, single.entSdR(sparse), 1e-6); // the plain floor
        // the sparse tile: 1 sample against 4 pseudo-samples of its neighbour (mean -82): -85.6, sigma widened
        assertEquals(-85.6f, smooth.entMuR(sparse), 1e-3);
        assertTrue(smooth.entSdR(sparse) > 5, "sd " + smooth.entSdR(sparse));
        // the dense one: 40 samples against 4 pseudo-samples of -100: (40 * -82 - 400) / 44
        assertEquals((40 * -82.0 - 400) / 44, smooth.entMuR(dense), 1e-3);
        // pooled: the cell's deviation (the dense tile's, sqrt(40 * 4 / 39)) as the prior of the sparse tile
        assertEquals(Math.sqrt(160.0 / 39), pooled.entSdR(sparse), 1e-4);
        assertEquals(single.entMuR(sparse), pooled.entMuR(sparse), 0);
        assertThrows(IllegalArgumentException.class, () -> MapOptions.plain(19).withSmooth(4, 2));
        assertThrows(IllegalArgumentException.class, () -> MapOptions.plain(19).withSmooth(1, 0));
    }

    @Test
    void badModelOptionsAreOneLineUsageErrors() throws IOException {
        Path train = synthetic("train.csv", 200, 1);
        Path map = tmp.resolve("m.map");
        String[][] bad = {
            {"build", "--levels", "12", "--zoom", "19"},
            {"build", "--levels", "2", "--shrink", "-1"},
            {"build", "--sd-floor", "0"},
            {"build", "--preset", "fancy"},
            {"locate", "--candidates", "some"},
            {"locate", "--miss", "0"},
            {"locate", "--rssi", "maybe"},
            {"locate", "--temperature", "0"},
            {"locate", "--power", "0"},
            {"locate", "--shift", "-5"},
            {"locate", "--shift", "100", "--shift-spreads", "1"},
            {"locate", "--shift", "100", "--shift-iters", "0"},
            {"locate", "--shift-from", "centre"},
            {"locate", "--preset", "plain", "--shift-iters", "3"},
        };
        for (String[] b : bad) {
            List<String> a = new java.util.ArrayList<>(List.of(b));
            if (b[0].equals("build")) a.addAll(List.of("--measurements", train.toString(), "--out", map.toString()));
            else
                a.addAll(List.of(
                        "--map",
                        map.toString(),
                        "--records",
                        train.toString(),
                        "--out",
                        tmp.resolve("o.csv").toString()));
            if (b[0].equals("locate"))
                assertEquals(0, cli("build", "--measurements", train.toString(), "--out", map.toString()));
            assertEquals(2, cli(a.toArray(String[]::new)), String.join(" ", b) + ": " + lastErr);
            assertEquals(
                    1,
                    lastErr.strip().lines().filter(l -> l.startsWith("geomend")).count(),
                    lastErr);
        }
        assertFalse(Files.exists(tmp.resolve("o.csv")));
    }

    @Test
    void buildLocateRoundTrip() throws IOException {
        Path train = synthetic("train.csv", 4000, 1), test = synthetic("test.csv", 300, 2);
        Path map = tmp.resolve("m.map"), out = tmp.resolve("est.csv");
        assertEquals(
                0,
                cli(
                        "build",
                        "--measurements",
                        train.toString(),
                        "--zoom",
                        "18",
                        "--out",
                        map.toString(),
                        "--threads",
                        "2"),
                lastErr);
        assertTrue(lastErr.contains("estimated"), lastErr);
        NblMap m = NblMap.read(map);
        assertEquals(2, m.numCells());
        assertTrue(m.hasFpd() && m.fpdSamples() == 4000);
        // streamed, multi-threaded build equals a single-threaded one
        NblMap one = new MapBuilder(18, null, 1, null).build(MapBuilder.RowSource.files(List.of(train)));
        assertEquals(one.numEntries(), m.numEntries());
        for (int e = 0; e < m.numEntries(); e++) {
            assertEquals(one.entMuR(e), m.entMuR(e), 1e-4);
            assertEquals(one.entSdR(e), m.entSdR(e), 1e-4);
        }
        // immutable: the kernel view is one instance built from copies, the accessors hand out copies
        assertSame(m.arrays(), m.arrays());
        float mu0 = m.entMuR(0);
        m.arrays().entMuR()[0] = mu0 + 1;
        assertEquals(mu0, m.entMuR(0));
        float[] f = m.fpd();
        f[0] = -1;
        assertNotEquals(-1f, m.fpd()[0]);
        assertThrows(UnsupportedOperationException.class, () -> m.cellIndex().put("x", 0));
        for (String est : new String[] {"wa", "mle"}) {
            assertEquals(
                    0,
                    cli(
                            "locate",
                            "--map",
                            map.toString(),
                            "--records",
                            test.toString(),
                            "--estimator",
                            est,
                            "--out",
                            out.toString(),
                            "--backend",
                            "cuda"),
                    lastErr);
            // --backend cuda runs everywhere: on a device (no notice), else on Java after exactly one notice
            if (lastErr.contains("cuda backend unavailable"))
                assertEquals(
                        1, lastErr.lines().filter(l -> l.contains("using java")).count(), lastErr);
            List<String> lines = Files.readAllLines(out);
            assertEquals("record,lat,lon,candidates,radius_m,error_m", lines.get(0));
            assertEquals(301, lines.size());
            double[] err = lines.stream()
                    .skip(1)
                    .mapToDouble(l -> Double.parseDouble(l.split(",")[5]))
                    .sorted()
                    .toArray();
            assertTrue(err[err.length / 2] < 150, est + " median error " + err[err.length / 2]);
            // the radius is a spread in metres: positive, and not absurd for a 1 km square
            double[] rad = lines.stream()
                    .skip(1)
                    .mapToDouble(l -> Double.parseDouble(l.split(",")[4]))
                    .sorted()
                    .toArray();
            assertTrue(
                    rad[0] >= 0 && rad[rad.length / 2] > 1 && rad[rad.length / 2] < 1000,
                    est + " radius " + rad[rad.length / 2]);
        }
        assertFalse(Files.exists(tmp.resolve("est.csv.partial")));
    }

    @Test
    void unplaceableRecordsKeepTheirRow() throws IOException {
        Path train = synthetic("train.csv", 500, 1);
        Path map = tmp.resolve("m.map"), rec = tmp.resolve("r.csv"), out = tmp.resolve("o.csv");
        assertEquals(0, cli("build", "--measurements", train.toString(), "--zoom", "17", "--out", map.toString()));
        Files.writeString(rec, MeasurementCsv.HEADER + "\nx1,,,,ZZZ,-80,,\nx2,,,,A,-90,,\n");
        assertEquals(
                0,
                cli("locate", "--map", map.toString(), "--records", rec.toString(), "--out", out.toString()),
                lastErr);
        List<String> lines = Files.readAllLines(out);
        assertEquals("record,lat,lon,candidates,radius_m", lines.get(0));
        assertEquals("x1,,,0,", lines.get(1));
        assertTrue(lines.get(2).matches("x2,[-0-9.]+,[-0-9.]+,[1-9][0-9]*,[0-9.]+"), lines.get(2));
    }

    @Test
    void badInputGivesExitTwoNamingFileAndLine() throws IOException {
        Path bad = tmp.resolve("bad.csv");
        Files.writeString(bad, MeasurementCsv.HEADER + "\nr1,,45.4,-75.7,A,-80,,\nr2,,45.4,-75.7,A,loud,,\n");
        assertEquals(
                2,
                cli(
                        "build",
                        "--measurements",
                        bad.toString(),
                        "--zoom",
                        "19",
                        "--out",
                        tmp.resolve("m").toString()));
        assertTrue(lastErr.contains("bad.csv:3") && lastErr.contains("rsrp"), lastErr);
        Files.writeString(bad, "record,lat,lon\n");
        assertEquals(
                2,
                cli(
                        "build",
                        "--measurements",
                        bad.toString(),
                        "--out",
                        tmp.resolve("m").toString()));
        assertTrue(lastErr.contains("bad.csv:1") && lastErr.contains("missing column"), lastErr);
        Files.writeString(bad, MeasurementCsv.HEADER + "\nr1,,95.4,-75.7,A,-80,,\n");
        assertEquals(
                2,
                cli(
                        "build",
                        "--measurements",
                        bad.toString(),
                        "--out",
                        tmp.resolve("m").toString()));
        assertEquals(
                2,
                cli(
                        "build",
                        "--measurements",
                        bad.toString(),
                        "--zoom",
                        "12",
                        "--out",
                        tmp.resolve("m").toString()));
        assertEquals(
                2,
                cli(
                        "build",
                        "--measurements",
                        tmp.resolve("nope.csv").toString(),
                        "--out",
                        tmp.resolve("m").toString()));
        assertEquals(
                2,
                cli(
                        "locate",
                        "--map",
                        bad.toString(),
                        "--records",
                        bad.toString(),
                        "--out",
                        tmp.resolve("o").toString()));
        assertEquals(2, cli("frobnicate"));
        // records must be adjacent
        Path train = synthetic("train.csv", 200, 1), map = tmp.resolve("m.map");
        assertEquals(0, cli("build", "--measurements", train.toString(), "--out", map.toString()));
        Files.writeString(bad, MeasurementCsv.HEADER + "\nr1,,,,A,-80,,\nr2,,,,A,-80,,\nr1,,,,B,-80,,\n");
        assertEquals(
                2,
                cli(
                        "locate",
                        "--map",
                        map.toString(),
                        "--records",
                        bad.toString(),
                        "--out",
                        tmp.resolve("o").toString()));
        assertTrue(lastErr.contains("bad.csv:4"), lastErr);
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void walksignalOnUnseenWalksBeatsTheCellIdBaselineWithACalibratedRadius() throws IOException {
        Path d = NblDataTest.measurements();
        assumeTrue(d != null && Files.isDirectory(d.resolve("walksignal-ottawa")), "shared/data not found");
        System.setProperty("java.awt.headless", "true");
        Path w = tmp.resolve("walk.csv"), out = tmp.resolve("ev");
        assertEquals(
                0,
                cli(
                        "import",
                        "--from",
                        "walksignal",
                        "--out",
                        w.toString(),
                        d.resolve("walksignal-ottawa").toString()));
        assertEquals(
                0,
                cli(
                        "eval",
                        "--measurements",
                        w.toString(),
                        "--dataset",
                        "w",
                        "--split",
                        "sessions",
                        "--zooms",
                        "21",
                        "--out",
                        out.toString()),
                lastErr);
        assertTrue(lastErr.contains("18 folds over 18 sessions"), lastErr);
        List<String> s = Files.readAllLines(out.resolve("summary.csv"));
        String[] cid = s.stream()
                .filter(l -> l.startsWith("w,-,cellid,-,all,"))
                .findFirst()
                .orElseThrow()
                .split(",", -1);
        String[] wa = s.stream()
                .filter(l -> l.startsWith("w,21,wa,yes,all,"))
                .findFirst()
                .orElseThrow()
                .split(",", -1);
        // every walk held out once: the records placed are those whose serving cell another walk saw
        assertTrue(Double.parseDouble(wa[9]) > 0.9, String.join(",", wa));
        assertTrue(Double.parseDouble(wa[6]) < 0.9 * Double.parseDouble(cid[6]), "WA " + wa[6] + " cell-ID " + cid[6]);
        double within = Double.parseDouble(wa[11]);
        assertTrue(within > 0.35 && within < 0.8, "within radius " + within);
    }

    @Test
    void adaptersOnTheRealFiles() throws IOException {
        Path d = NblDataTest.measurements();
        assumeTrue(d != null, "shared/data not found");
        Path w = tmp.resolve("walk.csv");
        assertEquals(
                0,
                cli(
                        "import",
                        "--from",
                        "walksignal",
                        "--out",
                        w.toString(),
                        d.resolve("walksignal-ottawa").toString()),
                lastErr);
        assertTrue(lastErr.contains("2621 input rows -> 2621 records"), lastErr);
        long rows = MeasurementCsv.read(w, r -> {
            assertTrue(r.lat > 45 && r.lat < 46 && r.lon > -76 && r.lon < -75, r.lat + "," + r.lon);
            assertTrue(
                    Double.isNaN(r.ta)
                            || Math.abs(r.ta / Adapters.TA_METRES - Math.rint(r.ta / Adapters.TA_METRES)) < 1e-9,
                    "ta " + r.ta);
        });
        assertEquals(2621, rows);
        Path u = tmp.resolve("uav.csv");
        assertEquals(
                0,
                cli(
                        "import",
                        "--from",
                        "uav",
                        "--out",
                        u.toString(),
                        d.resolve("uav-malaysia-dev/alt-20m.csv").toString(),
                        d.resolve("uav-malaysia-dev/alt-25m.csv").toString()),
                lastErr);
        assertTrue(
                lastErr.matches("(?s).*bad rows \\{.*field count=\\d+.*"),
                lastErr); // footer lines are counted, not dropped silently
        int[] multi = {0};
        String[] last = {""};
        MeasurementCsv.read(u, r -> {
            if (r.record.equals(last[0])) multi[0]++;
            last[0] = r.record;
            assertTrue(r.cell.startsWith("pci-"));
        });
        assertTrue(multi[0] > 1000, "multi-cell rows " + multi[0]);
        Path zip = d.resolve("uccmisl-cork-5g-production.zip");
        if (Files.exists(zip)) {
            Path c = tmp.resolve("cork.csv");
            assertEquals(0, cli("import", "--from", "cork", "--out", c.toString(), zip.toString()), lastErr);
            assertTrue(lastErr.contains("188711 input rows"), lastErr);
            assertTrue(lastErr.contains("rsrp out of range=73"), lastErr);
        }
        assertEquals(
                2, cli("import", "--from", "nope", "--out", tmp.resolve("x").toString(), d.toString()));
    }

    @Test
    void evalWritesSummaryAndPlots() throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path data = synthetic("all.csv", 1500, 5);
        Path out = tmp.resolve("ev");
        assertEquals(0, eval(data, out, "--zooms", "18-19", "--block", "5"), lastErr);
        List<String> s = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals(
                "dataset,zoom,estimator,density,cells_in_record,n,median_error_m,p90_error_m,median_uncertainty,"
                        + "placed_share,median_radius_m,within_radius",
                s.get(0));
        assertTrue(s.stream().anyMatch(l -> l.startsWith("syn,-,cellid,-,all,")));
        assertTrue(s.stream().anyMatch(l -> l.startsWith("syn,19,wa,yes,2,")));
        assertEquals(1 + 4 + 2 * 2 * 2 * 4, s.size());
        for (String f : new String[] {
            "fig8_wa_vs_mle_error.png",
            "fig9_zoom_uncertainty.png",
            "fig10_cells_error.png",
            "fig11_density_error.png",
            "fig9_median_uncertainty_vs_zoom.png"
        }) assertTrue(Files.size(out.resolve(f)) > 1000, f);
    }
}
