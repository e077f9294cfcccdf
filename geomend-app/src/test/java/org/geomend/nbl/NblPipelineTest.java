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
            assertEquals("record,lat,lon,candidates,error_m", lines.get(0));
            assertEquals(301, lines.size());
            double[] err = lines.stream()
                    .skip(1)
                    .mapToDouble(l -> Double.parseDouble(l.split(",")[4]))
                    .sorted()
                    .toArray();
            assertTrue(err[err.length / 2] < 150, est + " median error " + err[err.length / 2]);
        }
        assertFalse(Files.exists(tmp.resolve("est.csv.tmp")));
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
        assertEquals("record,lat,lon,candidates", lines.get(0));
        assertEquals("x1,,,0", lines.get(1));
        assertTrue(lines.get(2).matches("x2,[-0-9.]+,[-0-9.]+,[1-9][0-9]*"), lines.get(2));
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
        assertEquals(
                0,
                cli(
                        "eval",
                        "--measurements",
                        data.toString(),
                        "--dataset",
                        "syn",
                        "--zooms",
                        "18-19",
                        "--block",
                        "5",
                        "--out",
                        out.toString()),
                lastErr);
        List<String> s = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals(
                "dataset,zoom,estimator,density,cells_in_record,n,median_error_m,p90_error_m,median_uncertainty",
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
