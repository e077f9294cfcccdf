package org.geomend.cli;

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
import java.util.SplittableRandom;
import org.geomend.geo.CrsTransform;
import org.geomend.geo.Projections;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.GeoTiffMapReader;
import org.geomend.io.MapData;
import org.geomend.io.NpyMapReader;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Reference;
import org.geomend.kernels.SitePositions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geomend geolocate} end to end, through {@link Main#execute}: every output format read back and
 * compared with the float64 reference of the formula, {@code --ids}, {@code --region}, sparse drop mass,
 * legacy classes, and bad input (exit 2, file and line named, no output left behind).
 */
class GeolocateCliTest {

    static final int W = 48;
    static final double RES = 100;
    static final int N = 36;
    static double[] xs = new double[N], ys = new double[N];

    @TempDir
    static Path dir;

    static Path sites;

    /** A clustered inventory in Lambert-93 (x,y, the generic format's default CRS) with one co-located pair. */
    @BeforeAll
    static void inventory() throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        StringBuilder sb = new StringBuilder("id,x,y,env\n");
        for (int i = 0; i < N; i++) {
            boolean core = i % 3 != 0;
            xs[i] = 652_000 + (core ? r.nextDouble(1500) : r.nextDouble(7000) - 2500);
            ys[i] = 6_862_000 + (core ? r.nextDouble(1500) : r.nextDouble(7000) - 2500);
            sb.append(String.format(Locale.ROOT, "s%d,%.1f,%.1f,%n", i, xs[i], ys[i]));
            xs[i] = Double.parseDouble(String.format(Locale.ROOT, "%.1f", xs[i]));
            ys[i] = Double.parseDouble(String.format(Locale.ROOT, "%.1f", ys[i]));
        }
        sb.append(String.format(Locale.ROOT, "dup,%.1f,%.1f,urban%n", xs[4], ys[4]));
        sites = dir.resolve("sites.csv");
        Files.writeString(sites, sb);
    }

    record Result(int code, String err) {}

    static Result run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setErr(ps);
            var cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(ps, true));
            code = cl.execute(args);
        } finally {
            System.setErr(old);
        }
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }

    static String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "geolocate",
                "--sites",
                sites.toString(),
                "--window",
                Integer.toString(W),
                "--resolution",
                Double.toString(RES),
                "--backend",
                "java",
                "--threads",
                "2",
                "--tile",
                "40",
                "--batch",
                "5"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static SitePositions positions() {
        return new SitePositions(xs.clone(), ys.clone());
    }

    static double l1(double[] ref, float[] got) {
        double s = 0;
        for (int p = 0; p < ref.length; p++) s += Math.abs(ref[p] - got[p]);
        return s;
    }

    static double mass(float[] v) {
        double s = 0;
        for (float f : v) s += f;
        return s;
    }

    @Test
    void spdiArrowDenseMatchesFloat64Reference() throws IOException {
        Path out = dir.resolve("spdi.arrow");
        Result r = run(args("--method", "spdi", "--beta", "2.5", "--k", "4", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("merged 1 row"), r.err());
        try (ArrowMapReader in = ArrowMapReader.open(out)) {
            assertFalse(in.sparse());
            assertEquals(N, in.rowCount());
            assertTrue(
                    in.metadata().get("geomend").replace(" ", "").contains("\"method\":\"spdi\""),
                    in.metadata().toString());
            for (int i : new int[] {0, 4, 17, N - 1}) {
                MapData m = in.read("s" + i);
                GridSpec g = GridSpec.window(xs[i], ys[i], W, RES);
                assertEquals(g, m.grid());
                double[] ref = Reference.normalise(Reference.spdiMap(positions(), i, g, 2.5, 4, null), null);
                assertTrue(l1(ref, m.values()) <= 1e-4, "site " + i + ": L1 " + l1(ref, m.values()));
            }
        }
        assertFalse(Files.exists(dir.resolve("spdi.arrow.partial")));
        assertTrue(
                r.err().contains(GeolocateCommand.human(Files.size(out)) + " written"),
                "the summary gives the file's size: " + r.err());
    }

    /** {@code --backend cuda} runs everywhere: on the CUDA backend with a device, else on Java after a one-line notice. */
    @Test
    void cudaBackendFallsBackToJavaWithoutADevice() throws IOException {
        Path npy = dir.resolve("cuda-or-java");
        Result r = run(
                "geolocate",
                "--sites",
                sites.toString(),
                "--window",
                Integer.toString(W),
                "--resolution",
                Double.toString(RES),
                "--backend",
                "cuda",
                "--threads",
                "2",
                "--method",
                "voronoi",
                "--format",
                "npy",
                "--out",
                npy.toString(),
                "--ids",
                "s3");
        assertEquals(0, r.code(), r.err());
        if (r.err().contains("cuda backend unavailable"))
            assertEquals(
                    1, r.err().lines().filter(l -> l.contains("using java")).count(), r.err());
        MapData m = NpyMapReader.read(npy.resolve("s3.npy"));
        double[] ref = Reference.normalise(Reference.voronoiMap(positions(), 3, m.grid(), null), null);
        assertTrue(l1(ref, m.values()) < 1e-4);
    }

    @Test
    void voronoiGeoTiffAndNpyReadBackInPlace() throws IOException {
        Path tif = dir.resolve("tif"), npy = dir.resolve("npy");
        assertEquals(
                0,
                run(args("--method", "voronoi", "--format", "geotiff", "--out", tif.toString()))
                        .code());
        assertEquals(
                0,
                run(args("--method", "voronoi", "--format", "npy", "--out", npy.toString(), "--ids", "s3,s9"))
                        .code());
        for (int i : new int[] {3, 9}) {
            GridSpec g = GridSpec.window(xs[i], ys[i], W, RES);
            double[] ref = Reference.normalise(Reference.voronoiMap(positions(), i, g, null), null);
            MapData a = GeoTiffMapReader.read(tif.resolve("s" + i + ".tif"));
            MapData b = NpyMapReader.read(npy.resolve("s" + i + ".npy"));
            assertEquals(g, a.grid());
            assertEquals(g, b.grid());
            assertTrue(l1(ref, a.values()) <= 1e-5);
            assertTrue(l1(ref, b.values()) <= 1e-5);
        }
        try (var files = Files.list(npy)) {
            assertEquals(
                    List.of("index.csv", "s3.npy", "s9.npy"),
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> !n.endsWith(".json"))
                            .sorted()
                            .toList());
        }
        Path merged = dir.resolve("merged");
        assertEquals(
                0,
                run(args("--method", "voronoi", "--format", "npy", "--out", merged.toString(), "--ids", "dup"))
                        .code(),
                "an id merged into another site's position names that site");
        assertTrue(Files.exists(merged.resolve("s4.npy")));
        try (var files = Files.list(tif)) {
            assertEquals(N, files.filter(p -> p.toString().endsWith(".tif")).count());
        }
    }

    /** GDAL (when installed) places the GeoTIFF where the map is: origin at the north-west corner, north-up, EPSG:2154. */
    @Test
    void gdalReadsTheGeoTiffInPlace() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("gdalinfo"), "gdalinfo not installed");
        Path tif = dir.resolve("gdal");
        assertEquals(
                0,
                run(args("--method", "spdi", "--format", "geotiff", "--ids", "s5", "--out", tif.toString()))
                        .code());
        Process p = new ProcessBuilder(
                        "gdalinfo", "-json", tif.resolve("s5.tif").toString())
                .redirectErrorStream(true)
                .start();
        String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), json);
        var m = java.util.regex.Pattern.compile("\"geoTransform\"\\s*:\\s*\\[([^\\]]*)\\]")
                .matcher(json);
        assertTrue(m.find(), json);
        double[] gt = java.util.Arrays.stream(m.group(1).split(","))
                .mapToDouble(v -> Double.parseDouble(v.strip()))
                .toArray();
        GridSpec g = GridSpec.window(xs[5], ys[5], W, RES);
        assertEquals(g.x0(), gt[0], 1e-6);
        assertEquals(RES, gt[1], 1e-9);
        assertEquals(0, gt[2], 0);
        assertEquals(g.y0() + W * RES, gt[3], 1e-6);
        assertEquals(0, gt[4], 0);
        assertEquals(-RES, gt[5], 1e-9);
        assertTrue(json.contains("2154"), "CRS EPSG:2154 expected in " + json);
        // values: GDAL's pixel at a coordinate is ours at that coordinate (row 0 of ours is south)
        if (!onPath("gdallocationinfo")) return;
        MapData ours = GeoTiffMapReader.read(tif.resolve("s5.tif"));
        for (int[] rc : new int[][] {{3, 40}, {40, 3}, {24, 30}, {45, 45}}) {
            int row = rc[0], col = rc[1];
            Process q = new ProcessBuilder(
                            "gdallocationinfo",
                            "-valonly",
                            "-geoloc",
                            tif.resolve("s5.tif").toString(),
                            Double.toString(g.centreX(col)),
                            Double.toString(g.centreY(row)))
                    .redirectErrorStream(true)
                    .start();
            String v = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, q.waitFor(), v);
            float want = ours.values()[row * W + col];
            assertEquals(want, Float.parseFloat(v), Math.abs(want) * 1e-6, "row " + row + " col " + col);
        }
    }

    static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
            if (Files.isExecutable(Path.of(d, exe))) return true;
        return false;
    }

    @Test
    void sparseDropsAtMostTheDropMass() throws IOException {
        Path out = dir.resolve("sparse.arrow");
        assertEquals(
                0,
                run(args("--method", "spdi", "--sparse", "--drop-mass", "1e-3", "--out", out.toString()))
                        .code());
        try (ArrowMapReader in = ArrowMapReader.open(out)) {
            assertTrue(in.sparse());
            assertEquals(N, in.rowCount());
            for (int row = 0; row < N; row++) {
                MapData m = in.read(row);
                double kept = mass(m.values());
                assertTrue(kept >= 1 - 1e-3 - 1e-5 && kept <= 1 + 1e-5, m.id() + ": kept " + kept);
                long nz = 0;
                for (float f : m.values()) if (f != 0) nz++;
                assertTrue(nz < (long) W * W, "a sparse map must drop something here");
            }
        }
    }

    @Test
    void regionGivesNoMassOutside() throws IOException {
        // A lon/lat rectangle covering the west part of the sites' area (x < 652700 in Lambert-93, a pixel edge).
        CrsTransform t = Projections.fromLonLat(Projections.LAMBERT_93);
        double[][] corners = {{645_000, 6_855_000}, {652_700, 6_855_000}, {652_700, 6_870_000}, {645_000, 6_870_000}};
        StringBuilder ring = new StringBuilder();
        for (double[] c : corners) {
            double[] ll = t.inverse(c[0], c[1]);
            ring.append(String.format(Locale.ROOT, "[%.9f,%.9f],", ll[0], ll[1]));
        }
        double[] first = t.inverse(corners[0][0], corners[0][1]);
        ring.append(String.format(Locale.ROOT, "[%.9f,%.9f]", first[0], first[1]));
        Path geojson = dir.resolve("west.geojson");
        Files.writeString(
                geojson,
                "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
                        + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[" + ring + "]]}}]}");
        Path out = dir.resolve("region.arrow");
        Result r = run(args("--method", "spdi", "--region", geojson.toString(), "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        int fallback = 0;
        try (ArrowMapReader in = ArrowMapReader.open(out)) {
            for (int row = 0; row < N; row++) {
                MapData m = in.read(row);
                GridSpec g = m.grid();
                double outside = 0;
                for (int p = 0; p < m.values().length; p++) {
                    double cx = g.x0() + (p % g.width() + 0.5) * g.resolution();
                    if (cx > 652_700) outside += m.values()[p];
                }
                if (g.x0() + 0.5 * g.resolution() < 652_700) assertEquals(0.0, outside, 0.0, m.id());
                else fallback++;
                assertEquals(1.0, mass(m.values()), 1e-4, m.id());
            }
        }
        assertTrue(fallback < N / 2, "most windows reach into the region");
        if (fallback > 0) assertTrue(r.err().contains(fallback + " maps had no pixel inside the region"), r.err());
    }

    /** A site boxed in by four others 40 m away has a Voronoi cell holding no pixel centre: its pixel gets the mass. */
    @Test
    void emptyVoronoiCellFallsBackToTheSitePixel() throws IOException {
        Path box = dir.resolve("box.csv");
        Files.writeString(
                box,
                "id,x,y\nb,652000,6862000\nw,651960,6862000\ne,652040,6862000\ns,652000,6861960\nn,652000,6862040\n");
        Path out = dir.resolve("box.arrow");
        Result r = run(
                "geolocate",
                "--sites",
                box.toString(),
                "--method",
                "voronoi",
                "--window",
                "48",
                "--backend",
                "java",
                "--out",
                out.toString(),
                "--sparse",
                "--drop-mass",
                "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("1 maps were empty"), r.err());
        try (ArrowMapReader in = ArrowMapReader.open(out)) {
            MapData m = in.read("b");
            GridSpec g = GridSpec.window(652000, 6862000, 48, 100);
            int col = (int) Math.floor((652000 - g.x0()) / 100), row = (int) Math.floor((6862000 - g.y0()) / 100);
            assertEquals(1f, m.values()[row * 48 + col]);
            assertEquals(1.0, mass(m.values()), 0);
            assertEquals(1.0, mass(in.read("w").values()), 1e-6);
        }
    }

    @Test
    void legacyRunsWithClasses() throws IOException {
        Path out = dir.resolve("legacy.arrow");
        Result r = run(args("--method", "spdi-legacy", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("classes {"), r.err());
        try (ArrowMapReader in = ArrowMapReader.open(out)) {
            assertEquals(N, in.rowCount());
            for (int row = 0; row < N; row++)
                assertEquals(1.0, mass(in.read(row).values()), 1e-4);
        }
    }

    @Test
    void badInputExits2NamingFileAndLineAndLeavesNoOutput() throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "id,x,y\na,652000,6862000\nb,652500,not-a-number\nc,653000,6863000\n");
        Path out = dir.resolve("bad.arrow");
        Result r = run(
                "geolocate",
                "--sites",
                bad.toString(),
                "--method",
                "spdi",
                "--out",
                out.toString(),
                "--backend",
                "java");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(bad + ":3:"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("bad.arrow.partial")));

        Result skip = run(
                "geolocate",
                "--sites",
                bad.toString(),
                "--method",
                "voronoi",
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--skip-bad-rows",
                "--window",
                "16");
        assertEquals(0, skip.code(), skip.err());
        try (ArrowMapReader in = ArrowMapReader.open(out)) {
            assertEquals(List.of("a", "c"), in.ids());
        }

        assertEquals(
                2,
                run(
                                "geolocate",
                                "--sites",
                                dir.resolve("missing.csv").toString(),
                                "--method",
                                "spdi",
                                "--out",
                                dir.resolve("m.arrow").toString())
                        .code());
        assertEquals(
                2,
                run(args(
                                "--method",
                                "spdi",
                                "--ids",
                                "s1,nope",
                                "--out",
                                dir.resolve("ids.arrow").toString()))
                        .code());
        assertEquals(
                2,
                run(args(
                                "--method",
                                "spdi",
                                "--format",
                                "npy",
                                "--sparse",
                                "--out",
                                dir.resolve("x").toString()))
                        .code());
        assertEquals(
                2,
                run(args("--method", "bogus", "--out", dir.resolve("y.arrow").toString()))
                        .code());
        assertFalse(Files.exists(dir.resolve("ids.arrow")));
    }

    @Test
    void ks2CommandOnTwoOutputs() throws IOException {
        Path a = dir.resolve("ka"), b = dir.resolve("kb");
        assertEquals(
                0,
                run(args("--method", "voronoi", "--format", "npy", "--ids", "s2", "--out", a.toString()))
                        .code());
        assertEquals(
                0,
                run(args("--method", "spdi", "--format", "npy", "--ids", "s2", "--out", b.toString()))
                        .code());
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Result r;
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            r = run("ks2", a.resolve("s2.npy").toString(), b.resolve("s2.npy").toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(0, r.code(), r.err());
        double got = Double.parseDouble(buf.toString(StandardCharsets.UTF_8).strip());
        GridSpec g = GridSpec.window(xs[2], ys[2], W, RES);
        double ref = Reference.ks2(
                Reference.normalise(Reference.voronoiMap(positions(), 2, g, null), null),
                Reference.normalise(Reference.spdiMap(positions(), 2, g, 2, 5, null), null),
                W,
                W);
        assertEquals(ref, got, 1e-5);
        assertTrue(got > 0.01);
    }
}
