package org.geomend.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.geomend.geo.CrsTransform;
import org.geomend.geo.Projections;
import org.geomend.io.GeoTiffRaster;
import org.geomend.io.Json;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geomend traffic} through {@link Main}: total conservation, a hand-computed two-site raster, time order of
 * the bands, {@code --maps} against drawing, the NPY and Arrow outputs, a region leaving sites unmapped, and each
 * bad KPI input (one line, exit 2, no output).
 */
class TrafficCliTest {

    static final int N = 30;

    @TempDir
    static Path dir;

    static Path sites, kpi;
    static String[] ids = new String[N];

    /** A clustered Lambert-93 inventory and a 3-step KPI file with times that sort differently as text and as numbers. */
    @BeforeAll
    static void data() throws IOException {
        SplittableRandom r = new SplittableRandom(11);
        StringBuilder sb = new StringBuilder("id,x,y\n");
        StringBuilder k = new StringBuilder("id,time,value\n");
        for (int i = 0; i < N; i++) {
            ids[i] = "s" + i;
            sb.append(String.format(
                    Locale.ROOT,
                    "%s,%.1f,%.1f%n",
                    ids[i],
                    652_000 + r.nextDouble(6000),
                    6_862_000 + r.nextDouble(4000)));
            for (int t : new int[] {10, 9, 2})
                k.append(String.format(Locale.ROOT, "%s,%d,%.3f%n", ids[i], t, 1 + r.nextDouble(100)));
        }
        sites = dir.resolve("sites.csv");
        Files.writeString(sites, sb);
        kpi = dir.resolve("kpi.csv");
        Files.writeString(kpi, k);
    }

    static List<String> args(Path sitesFile, Path kpiFile, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "traffic",
                "--sites",
                sitesFile.toString(),
                "--kpi",
                kpiFile.toString(),
                "--window",
                "24",
                "--resolution",
                "100",
                "--out",
                out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    static Cli.Result run(List<String> a) {
        return Cli.run(a.toArray(String[]::new));
    }

    static double sum(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return s;
    }

    static Map<String, String> metadata(Path tif) throws IOException {
        try (GeoTiffRaster.Reader r = GeoTiffRaster.open(tif)) {
            return r.metadata();
        }
    }

    @Test
    void totalIsConservedAcrossBlocksAndBandsAreInTimeOrder() throws IOException {
        Path out = dir.resolve("spdi.tif");
        // 16 x 16 blocks: many stripes and bands, windows spanning two stripes are drawn twice
        Cli.Result r = run(
                args(sites, kpi, out, "--method", "spdi", "--beta", "2", "--block-rows", "16", "--block-cols", "16"));
        assertEquals(0, r.code(), r.err());
        GeoTiffRaster.Raster t = GeoTiffRaster.read(out);
        assertArrayEquals(new String[] {"2", "9", "10"}, t.bandDescriptions(), "numeric time order");
        assertEquals("EPSG:2154", t.crs());
        double[] perTime = new double[3];
        for (String line : Files.readAllLines(kpi).subList(1, 1 + 3 * N)) {
            String[] f = line.split(",");
            perTime[
                            switch (f[1]) {
                                case "2" -> 0;
                                case "9" -> 1;
                                default -> 2;
                            }] +=
                    Double.parseDouble(f[2]);
        }
        double input = perTime[0] + perTime[1] + perTime[2];
        for (int b = 0; b < 3; b++)
            assertEquals(perTime[b], sum(t.bands()[b]), 1e-6 * perTime[b], "band " + b + ": float32 file values");
        Map<String, String> m = metadata(out);
        assertEquals(input, Double.parseDouble(m.get("input_total")), 1e-9 * input);
        assertEquals(input, Double.parseDouble(m.get("mapped_total")), 1e-9 * input);
        assertEquals(input, Double.parseDouble(m.get("raster_total")), 1e-9 * input, "float64 raster total");
        assertEquals("0", m.get("unmapped_sites"));
        // the raster is the union of the SPEC windows, on the lattice
        GridSpec g = t.grid();
        assertEquals(0, g.x0() % 100, 0);
        assertEquals(0, g.y0() % 100, 0);
        assertTrue(g.width() > 24 && g.height() > 24);
        assertFalse(Files.exists(dir.resolve("spdi.tif.partial")));
    }

    @Test
    void twoSitesByHand() throws IOException {
        // Voronoi, 4 x 4 windows of 100 m. A at (1050, 1050): window [800, 1200)^2, every centre nearer A than B.
        // B at (1260, 1050): window x [1000, 1400); centres 1050 and 1150 are nearer A, 1250 and 1350 nearer B.
        Path s = dir.resolve("two.csv"), k = dir.resolve("two-kpi.csv"), out = dir.resolve("two.tif");
        Files.writeString(s, "id,x,y\nA,1050,1050\nB,1260,1050\n");
        Files.writeString(k, "id,value\nA,32\nB,24\n");
        Cli.Result r = Cli.run(
                "traffic",
                "--sites",
                s.toString(),
                "--kpi",
                k.toString(),
                "--method",
                "voronoi",
                "--window",
                "4",
                "--resolution",
                "100",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        GeoTiffRaster.Raster t = GeoTiffRaster.read(out);
        assertEquals(new GridSpec(800, 800, 100, 6, 4), t.grid());
        assertArrayEquals(new String[] {"value"}, t.bandDescriptions());
        float[] want = new float[24];
        for (int row = 0; row < 4; row++) for (int c = 0; c < 6; c++) want[row * 6 + c] = c < 4 ? 32f / 16 : 24f / 8;
        assertArrayEquals(want, t.bands()[0]);
    }

    @Test
    void mapsFromGeolocateEqualDrawing() throws IOException {
        Path maps = dir.resolve("maps.arrow"), drawn = dir.resolve("drawn.tif"), read = dir.resolve("read.tif");
        Cli.Result g = Cli.run(
                "geolocate",
                "--sites",
                sites.toString(),
                "--method",
                "spdi",
                "--window",
                "24",
                "--resolution",
                "100",
                "--out",
                maps.toString());
        assertEquals(0, g.code(), g.err());
        assertEquals(
                0,
                run(args(sites, kpi, drawn, "--method", "spdi", "--block-cols", "32"))
                        .code());
        Cli.Result r = run(args(sites, kpi, read, "--method", "spdi", "--maps", maps.toString()));
        assertEquals(0, r.code(), r.err());
        GeoTiffRaster.Raster a = GeoTiffRaster.read(drawn), b = GeoTiffRaster.read(read);
        assertEquals(a.grid(), b.grid());
        for (int t = 0; t < 3; t++)
            for (int i = 0; i < a.bands()[t].length; i++)
                assertEquals(
                        a.bands()[t][i],
                        b.bands()[t][i],
                        1e-6 * Math.abs(a.bands()[t][i]) + 1e-12,
                        "band " + t + " pixel " + i);
        // a site with KPI values but no map in the file is counted, its traffic reported
        Path kpiMore = dir.resolve("kpi-more.csv"), s2 = dir.resolve("sites-more.csv");
        Files.writeString(s2, Files.readString(sites) + "extra,640000.0,6850000.0\n");
        Files.writeString(kpiMore, Files.readString(kpi) + "extra,2,5.5\nextra,9,1.5\n");
        Path out = dir.resolve("more.tif");
        r = run(args(s2, kpiMore, out, "--method", "spdi", "--maps", maps.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.err().contains("1 sites with KPI values have no map (1 not in " + maps + "), traffic 7.0 of"),
                r.err());
        Map<String, String> m = metadata(out);
        assertEquals("7.0", m.get("unmapped_total"));
        assertEquals("1", m.get("unmapped_sites"));
    }

    @Test
    void npyAndArrowHoldTheSameRaster() throws IOException {
        Path tif = dir.resolve("same.tif"), npy = dir.resolve("same.npy"), arrow = dir.resolve("same.arrow");
        for (Path p : List.of(tif, npy, arrow)) {
            String f = p.toString().endsWith(".tif") ? "geotiff" : p.toString().endsWith(".npy") ? "npy" : "arrow";
            Cli.Result r = run(args(
                    sites, kpi, p, "--method", "voronoi", "--format", f, "--block-rows", "16", "--block-cols", "32"));
            assertEquals(0, r.code(), r.err());
        }
        GeoTiffRaster.Raster t = GeoTiffRaster.read(tif);
        int w = t.grid().width(), h = t.grid().height();
        // NPY: (T, H, W), row 0 = north
        Map<?, ?> side = Json.MAPPER.readValue(dir.resolve("same.npy.json").toFile(), Map.class);
        assertEquals(List.of(3, h, w), side.get("shape"));
        assertEquals(List.of("2", "9", "10"), side.get("times"));
        assertEquals("EPSG:2154", side.get("crs"));
        byte[] b = Files.readAllBytes(npy);
        int hdr = 10 + (b[8] & 0xff) + ((b[9] & 0xff) << 8);
        assertTrue(new String(b, 0, hdr, java.nio.charset.StandardCharsets.US_ASCII)
                .contains("'shape': (3, " + h + ", " + w + ")"));
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int band = 0; band < 3; band++)
            for (int row = 0; row < h; row++)
                for (int c = 0; c < w; c++)
                    assertEquals(
                            t.bands()[band][(h - 1 - row) * w + c], bb.getFloat(hdr + 4 * ((band * h + row) * w + c)));
        // Arrow: row, col, one column per time; totals in the footer
        float[][] back = new float[3][w * h];
        try (BufferAllocator alloc = Memory.child("test-traffic-arrow");
                ArrowFileReader in = new ArrowFileReader(FileChannel.open(arrow, StandardOpenOption.READ), alloc)) {
            VectorSchemaRoot root = in.getVectorSchemaRoot();
            assertEquals("EPSG:2154", root.getSchema().getCustomMetadata().get("crs"));
            assertTrue(root.getSchema().getCustomMetadata().get("grid").contains("\"width\": " + w));
            assertEquals(
                    List.of("row", "col", "2", "9", "10"),
                    root.getSchema().getFields().stream().map(f -> f.getName()).toList());
            for (ArrowBlock blk : in.getRecordBlocks()) {
                in.loadRecordBatch(blk);
                IntVector rv = (IntVector) root.getVector("row"), cv = (IntVector) root.getVector("col");
                for (int i = 0; i < root.getRowCount(); i++)
                    for (int band = 0; band < 3; band++)
                        back[band][(h - 1 - rv.get(i)) * w + cv.get(i)] =
                                ((Float4Vector) root.getVector(2 + band)).get(i);
            }
            assertEquals(metadata(tif).get("mapped_total"), in.getMetaData().get("mapped_total"));
        }
        for (int band = 0; band < 3; band++) assertArrayEquals(t.bands()[band], back[band]);
    }

    @Test
    void sitesWithoutMassInTheRegionAreCountedNotSpread() throws IOException {
        // two far-apart sites; the region holds only A's window
        Path s = dir.resolve("reg-sites.csv"), k = dir.resolve("reg-kpi.csv"), out = dir.resolve("reg.tif");
        Files.writeString(s, "id,x,y\nA,652050,6862050\nB,662050,6862050\n");
        Files.writeString(k, "id,value\nA,10\nB,4\n");
        CrsTransform tr = Projections.fromLonLat(Projections.LAMBERT_93);
        double[][] corners = {
            {650_000, 6_860_000}, {655_000, 6_860_000}, {655_000, 6_865_000}, {650_000, 6_865_000}, {650_000, 6_860_000}
        };
        StringBuilder ring = new StringBuilder();
        for (double[] c : corners) {
            double[] ll = tr.inverse(c[0], c[1]);
            ring.append(ring.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "[%.9f,%.9f]", ll[0], ll[1]));
        }
        Path geojson = dir.resolve("a.geojson");
        Files.writeString(geojson, "{\"type\":\"Polygon\",\"coordinates\":[[" + ring + "]]}");
        Cli.Result r = Cli.run(
                "traffic",
                "--sites",
                s.toString(),
                "--kpi",
                k.toString(),
                "--method",
                "spdi",
                "--window",
                "10",
                "--resolution",
                "100",
                "--region",
                geojson.toString(),
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains(
                                "1 sites with KPI values have no map (1 without mass inside the region), traffic 4.0 of 14.0 not spread"),
                r.err());
        Map<String, String> m = metadata(out);
        assertEquals("10.0", m.get("mapped_total"));
        assertEquals("4.0", m.get("unmapped_total"));
        assertEquals(10.0, sum(GeoTiffRaster.read(out).bands()[0]), 1e-5);
    }

    record Bad(String content, String message) {}

    @Test
    void badKpiInputIsOneLineExitTwoAndNoOutput() throws IOException {
        List<Bad> cases = List.of(
                new Bad(
                        "id,value\ns1,3\nnope,4\n",
                        "kpi-bad.csv:3: id 'nope' is not in the inventory (--skip-unknown to count and skip such rows)"),
                new Bad("id,value\ns1,-3\n", "kpi-bad.csv:2: value is negative: -3"),
                new Bad("id,value\ns1,NaN\n", "kpi-bad.csv:2: value is not finite: 'NaN'"),
                new Bad("id,value\ns1,abc\n", "kpi-bad.csv:2: value is not a number: 'abc'"),
                new Bad("id,time,value\ns1,1,3\ns2,1,3\ns1,1,4\n", "kpi-bad.csv:4: second row for id 's1' at time '1'"),
                new Bad("id,time,value\n", "kpi-bad.csv: no KPI rows"),
                new Bad("", "kpi-bad.csv: empty file (expected a header id,value or id,time,value)"),
                new Bad(
                        "site,value\ns1,3\n",
                        "kpi-bad.csv:1: missing column 'id' (KPI header: id,value or id,time,value)"));
        Path bad = dir.resolve("kpi-bad.csv");
        for (Bad c : cases) {
            Files.writeString(bad, c.content());
            Path out = dir.resolve("bad-out.tif");
            Cli.Result r = run(args(sites, bad, out, "--method", "voronoi"));
            assertEquals(2, r.code(), c.content() + r.err());
            List<String> lines =
                    r.errLines().stream().filter(l -> !l.startsWith("WARNING")).toList();
            assertEquals(1, lines.size(), r.err());
            assertTrue(lines.getFirst().endsWith(c.message()), lines.getFirst());
            try (Stream<Path> files = Files.list(dir)) {
                assertTrue(
                        files.noneMatch(p -> p.getFileName().toString().startsWith("bad-out")),
                        "no output for " + c.content());
            }
        }
        // --skip-unknown: counted, reported, not in the totals
        Files.writeString(bad, "id,value\ns1,3\nnope,4\nnope2,1\n");
        Path out = dir.resolve("skip.tif");
        Cli.Result r = run(args(sites, bad, out, "--method", "voronoi", "--skip-unknown"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("skipped 2 KPI rows of 2 ids not in the inventory (traffic 5.0)"), r.err());
        Map<String, String> m = metadata(out);
        assertEquals("3.0", m.get("input_total"));
        assertEquals("2", m.get("unknown_kpi_rows"));
    }
}
