package org.geomend.nbl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.geomend.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arrow IPC measurements (read and write), the CSV fast paths (numbers, ids, line endings) and output formatting. */
class NblInputFormatsTest {

    @TempDir
    Path tmp;

    String lastErr = "";

    /** {@code geomend nbl ARGS} through {@code Main}, as users run it; stderr goes to {@link #lastErr}. */
    int cli(String... args) {
        Cli.Result r = Cli.nbl(args);
        lastErr = r.err();
        return r.code();
    }

    /** Rows of a file as text, to compare formats. */
    static List<String> rows(Path f) throws IOException {
        List<String> out = new ArrayList<>();
        MeasurementCsv.read(
                f,
                r -> out.add(
                        String.join("|", r.record, r.time, d(r.lat), d(r.lon), r.cell, d(r.rsrp), d(r.rssi), d(r.ta))));
        return out;
    }

    static String d(double v) {
        return Double.toString(v);
    }

    Path synthetic(String name, int n, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(MeasurementCsv.HEADER).append('\n');
        for (int i = 0; i < n; i++) {
            double lat = 51.89 + r.nextDouble() * 0.01, lon = -8.48 + r.nextDouble() * 0.01;
            double d1 = Tiles.haversine(lat, lon, 51.89, -8.48), d2 = Tiles.haversine(lat, lon, 51.9, -8.47);
            String t = "2020-01-0" + (1 + i % 9) + "T10:00:00";
            sb.append(String.format(
                    Locale.ROOT,
                    "s:%d,%s,%.7f,%.7f,A,%.2f,,%.1f%n",
                    i,
                    t,
                    lat,
                    lon,
                    -60 - 30 * Math.log10(d1 + 10) + r.nextGaussian(),
                    d1));
            if (i % 3 != 0)
                sb.append(String.format(
                        Locale.ROOT,
                        "s:%d,%s,%.7f,%.7f,B,%.2f,%.1f,%n",
                        i,
                        t,
                        lat,
                        lon,
                        -60 - 30 * Math.log10(d2 + 10) + r.nextGaussian(),
                        -50 - 20 * Math.log10(d2 + 10)));
        }
        Path p = tmp.resolve(name);
        Files.writeString(p, sb);
        return p;
    }

    static void toArrow(Path csv, Path arrow) throws IOException {
        try (MeasurementArrow.Writer w = new MeasurementArrow.Writer(arrow)) {
            MeasurementCsv.read(csv, r -> w.row(r.record, r.time, r.lat, r.lon, r.cell, r.rsrp, r.rssi, r.ta));
        }
    }

    @Test
    void arrowRoundTripGivesTheSameRowsAndTheSameEstimates() throws IOException {
        Path train = synthetic("train.csv", 3000, 1), test = synthetic("test.csv", 400, 2);
        Path trainA = tmp.resolve("train.arrow"),
                testA = tmp.resolve("test.data"); // detected by magic bytes, not the name
        toArrow(train, trainA);
        toArrow(test, testA);
        assertTrue(MeasurementArrow.isArrow(testA));
        assertFalse(MeasurementArrow.isArrow(test));
        assertEquals(rows(test), rows(testA));
        assertEquals(rows(train), rows(trainA));
        Path mapC = tmp.resolve("c.nbl"), mapA = tmp.resolve("a.nbl");
        assertEquals(
                0,
                cli(
                        "build",
                        "--measurements",
                        train.toString(),
                        "--zoom",
                        "19",
                        "--out",
                        mapC.toString(),
                        "--threads",
                        "2"),
                lastErr);
        assertEquals(
                0,
                cli(
                        "build",
                        "--measurements",
                        trainA.toString(),
                        "--zoom",
                        "19",
                        "--out",
                        mapA.toString(),
                        "--threads",
                        "2"),
                lastErr);
        Path outC = tmp.resolve("c.csv"), outA = tmp.resolve("a.csv");
        assertEquals(
                0,
                cli(
                        "locate",
                        "--map",
                        mapC.toString(),
                        "--records",
                        test.toString(),
                        "--out",
                        outC.toString(),
                        "--backend",
                        "java"),
                lastErr);
        assertEquals(
                0,
                cli(
                        "locate",
                        "--map",
                        mapA.toString(),
                        "--records",
                        testA.toString(),
                        "--out",
                        outA.toString(),
                        "--backend",
                        "java"),
                lastErr);
        List<String> a = Files.readAllLines(outA), c = Files.readAllLines(outC);
        assertEquals(401, c.size());
        assertEquals(c, a);
    }

    @Test
    void arrowStreamFormatIsReadToo() throws IOException {
        Path csv = synthetic("s.csv", 50, 4), stream = tmp.resolve("s.bin");
        try (var alloc = org.geomend.kernels.Memory.child("NblInputFormatsTest");
                var root = org.apache.arrow.vector.VectorSchemaRoot.create(MeasurementArrow.schema(), alloc);
                var out = Files.newOutputStream(stream);
                var w = new org.apache.arrow.vector.ipc.ArrowStreamWriter(root, null, out)) {
            w.start();
            List<String[]> rows = new ArrayList<>();
            MeasurementCsv.read(
                    csv,
                    r -> rows.add(
                            new String[] {r.record, r.time, d(r.lat), d(r.lon), r.cell, d(r.rsrp), d(r.rssi), d(r.ta)
                            }));
            root.allocateNew();
            for (int i = 0; i < rows.size(); i++) {
                String[] v = rows.get(i);
                ((org.apache.arrow.vector.VarCharVector) root.getVector("record"))
                        .setSafe(i, v[0].getBytes(StandardCharsets.UTF_8));
                ((org.apache.arrow.vector.VarCharVector) root.getVector("time"))
                        .setSafe(i, v[1].getBytes(StandardCharsets.UTF_8));
                ((org.apache.arrow.vector.VarCharVector) root.getVector("cell"))
                        .setSafe(i, v[4].getBytes(StandardCharsets.UTF_8));
                String[] num = {"", "", "lat", "lon", "", "rsrp", "rssi", "ta"};
                for (int c : new int[] {2, 3, 5, 6, 7}) {
                    var vec = (org.apache.arrow.vector.Float8Vector) root.getVector(num[c]);
                    double x = Double.parseDouble(v[c]);
                    if (Double.isNaN(x)) vec.setNull(i);
                    else vec.setSafe(i, x);
                }
            }
            root.setRowCount(rows.size());
            w.writeBatch();
            w.end();
        }
        assertTrue(MeasurementArrow.isArrow(stream));
        assertEquals(rows(csv), rows(stream));
    }

    @Test
    void importWritesArrowWhenTheNameSaysSo() throws IOException {
        Path d = NblDataTest.measurements();
        assumeTrue(d != null, "shared/data not found");
        Path csv = tmp.resolve("uav.csv"), arrow = tmp.resolve("uav.arrow");
        String src = d.resolve("uav-malaysia-dev/alt-20m.csv").toString();
        assertEquals(0, cli("import", "--from", "uav", "--out", csv.toString(), src), lastErr);
        assertEquals(0, cli("import", "--from", "uav", "--out", arrow.toString(), src), lastErr);
        assertFalse(Files.exists(tmp.resolve("uav.arrow.partial")));
        byte[] head = Files.readAllBytes(arrow);
        assertEquals("ARROW1", new String(head, 0, 6, StandardCharsets.US_ASCII));
        List<String> rc = rows(csv), ra = rows(arrow);
        assertTrue(rc.size() > 1000, "rows " + rc.size());
        assertEquals(rc, ra);
    }

    @Test
    void badArrowInputNamesTheFileAndRow() throws IOException {
        Path ok = synthetic("ok.csv", 5, 3);
        // a position out of range on data row 3
        Path bad = tmp.resolve("bad.arrow");
        try (MeasurementArrow.Writer w = new MeasurementArrow.Writer(bad)) {
            w.row("r1", "", 51.9, -8.4, "A", -80, Double.NaN, Double.NaN);
            w.row("r2", "", 51.9, -8.4, "A", -81, Double.NaN, Double.NaN);
            w.row("r3", "", 95.0, -8.4, "A", -82, Double.NaN, Double.NaN);
        }
        assertEquals(
                2,
                cli(
                        "build",
                        "--measurements",
                        bad.toString(),
                        "--out",
                        tmp.resolve("m").toString()));
        assertTrue(
                lastErr.contains("bad.arrow: row 3: position out of range")
                        && lastErr.strip().lines().count() == 1,
                lastErr);
        // records must be adjacent: row 3 repeats r1
        try (MeasurementArrow.Writer w = new MeasurementArrow.Writer(bad)) {
            w.row("r1", "", Double.NaN, Double.NaN, "A", -80, Double.NaN, Double.NaN);
            w.row("r2", "", Double.NaN, Double.NaN, "A", -81, Double.NaN, Double.NaN);
            w.row("r1", "", Double.NaN, Double.NaN, "B", -82, Double.NaN, Double.NaN);
        }
        Path map = tmp.resolve("m.nbl");
        assertEquals(0, cli("build", "--measurements", ok.toString(), "--out", map.toString()), lastErr);
        assertEquals(
                2,
                cli(
                        "locate",
                        "--map",
                        map.toString(),
                        "--records",
                        bad.toString(),
                        "--out",
                        tmp.resolve("o.csv").toString(),
                        "--backend",
                        "java"));
        assertTrue(lastErr.contains("bad.arrow: row 3: record 'r1' appears again"), lastErr);
        assertFalse(Files.exists(tmp.resolve("o.csv")));
        // not Arrow at all, though named so
        Files.writeString(bad, MeasurementCsv.HEADER + "\n");
        assertEquals(
                2,
                cli(
                        "locate",
                        "--map",
                        map.toString(),
                        "--records",
                        bad.toString(),
                        "--out",
                        tmp.resolve("o.csv").toString(),
                        "--backend",
                        "java"));
        assertTrue(
                lastErr.contains("bad.arrow: not a readable Arrow IPC file")
                        && lastErr.strip().lines().count() == 1,
                lastErr);
        // a missing column
        Path noCell = tmp.resolve("nocell.arrow");
        org.apache.arrow.vector.types.pojo.Schema s = MeasurementArrow.schema();
        var fields = new ArrayList<>(s.getFields());
        fields.removeIf(f -> f.getName().equals("cell"));
        try (var alloc = org.geomend.kernels.Memory.child("NblInputFormatsTest");
                var root = org.apache.arrow.vector.VectorSchemaRoot.create(
                        new org.apache.arrow.vector.types.pojo.Schema(fields), alloc);
                var ch = java.nio.channels.FileChannel.open(
                        noCell, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                var w = new org.apache.arrow.vector.ipc.ArrowFileWriter(root, null, ch)) {
            w.start();
            w.end();
        }
        assertEquals(
                2,
                cli(
                        "build",
                        "--measurements",
                        noCell.toString(),
                        "--out",
                        tmp.resolve("m2").toString()));
        assertTrue(lastErr.contains("nocell.arrow: missing column 'cell'"), lastErr);
        assertEquals(
                2,
                cli(
                        "build",
                        "--measurements",
                        tmp.resolve("absent.arrow").toString(),
                        "--out",
                        tmp.resolve("m3").toString()));
        assertTrue(lastErr.contains("absent.arrow"), lastErr);
    }

    @Test
    void csvNumbersParseExactlyAsDoubleParseDouble() throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        List<String> vals = new ArrayList<>(List.of(
                "-75.7000001",
                "1e3",
                ".5",
                "5.",
                "+3",
                "-0",
                "0",
                "00012.50",
                "-110.12345678901234",
                "123456789012345",
                "1234567890123456",
                "0.000000000000000000001",
                "3.0000000000000000000001",
                "4.9E-324",
                "-87.25"));
        for (int i = 0; i < 3000; i++) {
            double v = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-3, 8));
            vals.add(
                    switch (i % 4) {
                        case 0 -> Double.toString(v);
                        case 1 -> String.format(Locale.ROOT, "%.7f", v);
                        case 2 -> String.format(Locale.ROOT, "%.2f", v);
                        default -> Long.toString((long) v);
                    });
        }
        StringBuilder sb = new StringBuilder("\uFEFF" + MeasurementCsv.HEADER + "\r\n");
        for (int i = 0; i < vals.size(); i++)
            sb.append("r")
                    .append(i)
                    .append(",, 51.5 ,-8.25,c")
                    .append(i % 7)
                    .append(',')
                    .append(vals.get(i))
                    .append(",,\r\n");
        Path f = tmp.resolve("nums.csv");
        Files.writeString(f, sb, StandardCharsets.UTF_8);
        List<Double> got = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        MeasurementCsv.read(f, row -> {
            got.add(row.rsrp);
            cells.add(row.cell);
            assertEquals(51.5, row.lat);
            assertTrue(Double.isNaN(row.ta));
        });
        assertEquals(vals.size(), got.size());
        for (int i = 0; i < vals.size(); i++) {
            assertEquals(
                    Double.doubleToRawLongBits(Double.parseDouble(vals.get(i))),
                    Double.doubleToRawLongBits(got.get(i)),
                    vals.get(i));
            assertEquals("c" + (i % 7), cells.get(i));
        }
        // bad numbers still name the line
        Files.writeString(
                f,
                MeasurementCsv.HEADER + "\nr1,,51.5,-8.25,A,-80,,\nr2,,51.5,-8.25,A,1.2.3,,\nr3,,51.5,-8.25,A,-,,\n");
        assertEquals(
                2,
                cli(
                        "build",
                        "--measurements",
                        f.toString(),
                        "--out",
                        tmp.resolve("m").toString()));
        assertTrue(lastErr.contains("nums.csv:3: rsrp is not a number: '1.2.3'"), lastErr);
        Files.writeString(f, MeasurementCsv.HEADER + "\nr1,,51.5,-8.25,A,NaN,,\n");
        assertEquals(
                2,
                cli(
                        "build",
                        "--measurements",
                        f.toString(),
                        "--out",
                        tmp.resolve("m").toString()));
        assertTrue(lastErr.contains("nums.csv:2: rsrp is not finite: 'NaN'"), lastErr);
    }

    @Test
    void longLinesAndAFinalLineWithoutNewline() throws IOException {
        String longCell = "x".repeat(3 << 20); // longer than the reader's buffer
        Path f = tmp.resolve("long.csv");
        Files.writeString(f, MeasurementCsv.HEADER + "\nr1,,1,2," + longCell + ",-80,,\nr2,,1,2,B,-81,-60,12.5");
        List<String> got = new ArrayList<>();
        MeasurementCsv.read(f, row -> got.add(row.record + ":" + row.cell.length() + ":" + row.rssi + ":" + row.ta));
        assertEquals(List.of("r1:" + longCell.length() + ":NaN:NaN", "r2:1:-60.0:12.5"), got);
    }

    @Test
    void roundedOutputIsWhatDoubleToStringWrites() {
        SplittableRandom r = new SplittableRandom(9);
        double[] special = {0, -0.0, 1e-9, -1e-9, 0.001, 0.00099999, 9999999.99999, 1e7, 52, -8.5, 123.45, 1e300};
        for (double v : special)
            for (int dg : new int[] {2, 7})
                assertEquals(
                        String.valueOf(Locator.round(v, dg)),
                        Locator.appendRounded(new StringBuilder(), v, dg).toString(),
                        v + " @" + dg);
        for (int i = 0; i < 200_000; i++) {
            double v = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-4, 9));
            int dg = i % 2 == 0 ? 7 : 2;
            assertEquals(
                    String.valueOf(Locator.round(v, dg)),
                    Locator.appendRounded(new StringBuilder(), v, dg).toString(),
                    v + " @" + dg);
        }
    }
}
