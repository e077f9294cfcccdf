package org.geomend.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.geo.Crs;
import org.geomend.geo.CrsTransform;
import org.geomend.geo.Projections;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionMaskTest {

    static BufferAllocator alloc;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        alloc = Memory.child("RegionMaskTest");
    }

    @AfterAll
    static void close() {
        alloc.close();
    }

    static List<double[][]> rings(double[][]... r) {
        return List.of(r);
    }

    static double[][] box(double x0, double y0, double x1, double y1) {
        return new double[][] {{x0, x1, x1, x0, x0}, {y0, y0, y1, y1, y0}};
    }

    /** Rasterises and returns the mask as {@code [row][col]}, row 0 south. */
    static byte[][] raster(RegionMask m, GridSpec g) {
        try (GridBuffer b = GridBuffer.allocate(alloc, GridBuffer.Type.UINT8, g.pixels())) {
            b.segment().fill((byte) 7); // rasterize must overwrite everything
            m.rasterize(g, b);
            byte[][] out = new byte[g.height()][g.width()];
            for (int j = 0; j < g.height(); j++)
                for (int c = 0; c < g.width(); c++) out[j][c] = b.getByte((long) j * g.width() + c);
            return out;
        }
    }

    static int count(byte[][] r) {
        int n = 0;
        for (byte[] row : r) for (byte v : row) n += v;
        return n;
    }

    @Test
    void squareAndSquareWithHole() {
        Crs crs = Projections.LAMBERT_93;
        GridSpec g = new GridSpec(0, 0, 1, 10, 10);
        byte[][] sq = raster(RegionMask.ofRings(rings(box(2, 2, 8, 8)), crs), g);
        assertEquals(36, count(sq)); // centres 2.5 .. 7.5
        assertEquals(1, sq[2][2]);
        assertEquals(1, sq[7][7]);
        assertEquals(0, sq[8][5]);
        assertEquals(0, sq[5][1]);
        // the hole given clockwise or counter-clockwise: even-odd does not care
        for (double[][] hole : List.of(box(3, 3, 7, 7), new double[][] {{3, 3, 7, 7}, {3, 7, 7, 3}})) {
            RegionMask m = RegionMask.ofRings(rings(box(0, 0, 10, 10), hole), crs);
            byte[][] r = raster(m, g);
            assertEquals(100 - 16, count(r));
            assertEquals(0, r[5][5]);
            assertEquals(0, r[3][3]);
            assertEquals(1, r[2][5]);
            assertEquals(1, r[7][7]); // 7.5 is outside the hole [3,7): inside the region
            assertFalse(m.contains(5, 5));
            assertTrue(m.contains(1, 1));
            assertEquals(2, m.ringCount());
        }
        // a grid that only partly overlaps, and a triangle
        byte[][] part = raster(RegionMask.ofRings(rings(box(2, 2, 8, 8)), crs), new GridSpec(5, -3, 1, 10, 10));
        assertEquals(3 * 5, count(part)); // cols with centres 5.5..7.5, rows with centres 2.5..6.5 (y0 = -3)
        RegionMask tri = RegionMask.ofRings(rings(new double[][] {{0, 10, 0}, {0, 0, 10}}), crs);
        assertEquals(45, count(raster(tri, g))); // x + y < 10 at centres: 9+8+...+1
    }

    @Test
    void rasterAgreesWithContainsOnARandomPolygon() {
        Random rnd = new Random(42);
        int n = 60;
        double[] xs = new double[n], ys = new double[n];
        for (int i = 0; i < n; i++) { // a star-shaped polygon with jagged radius
            double a = 2 * Math.PI * i / n, rad = 300 + 250 * rnd.nextDouble();
            xs[i] = 1000 + rad * Math.cos(a);
            ys[i] = 2000 + rad * Math.sin(a);
        }
        RegionMask m =
                RegionMask.ofRings(rings(new double[][] {xs, ys}, box(900, 1900, 1100, 2100)), Projections.LAMBERT_93);
        GridSpec g = new GridSpec(430, 1370, 7, 180, 190);
        byte[][] r = raster(m, g);
        int inside = 0;
        for (int j = 0; j < g.height(); j++)
            for (int c = 0; c < g.width(); c++) {
                boolean in = m.contains(g.centreX(c), g.centreY(j));
                assertEquals(in ? 1 : 0, r[j][c], "row " + j + " col " + c);
                if (in) inside++;
            }
        assertTrue(inside > 5000, "inside " + inside);
        assertEquals(0, r[(int) ((2000 - 1370) / 7)][(int) ((1000 - 430) / 7)]); // the hole
    }

    @Test
    void loadsGeoJsonInLonLat() throws IOException {
        Path p = dir.resolve("region.geojson");
        Files.writeString(p, """
                {"type": "FeatureCollection", "features": [
                  {"type": "Feature", "properties": {}, "geometry": null},
                  {"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "MultiPolygon", "coordinates": [
                    [[[1.0, 47.0], [3.0, 47.0], [3.0, 49.0], [1.0, 49.0], [1.0, 47.0]],
                     [[1.9, 47.9], [2.1, 47.9], [2.1, 48.1], [1.9, 48.1], [1.9, 47.9]]],
                    [[[5.0, 47.0], [6.0, 47.0], [6.0, 48.0], [5.0, 47.0]]]]}},
                  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}}
                ]}""");
        Crs crs = Projections.laea(2, 48);
        RegionMask m = RegionMask.load(p, crs);
        assertEquals(3, m.ringCount());
        CrsTransform t = Projections.fromLonLat(crs);
        double[] inHole = t.forward(2, 48),
                inside = t.forward(1.5, 48.5),
                east = t.forward(5.8, 47.2),
                out = t.forward(4, 48);
        assertFalse(m.contains(inHole[0], inHole[1]));
        assertTrue(m.contains(inside[0], inside[1]));
        assertTrue(m.contains(east[0], east[1]));
        assertFalse(m.contains(out[0], out[1]));
        GridSpec g = new GridSpec(-200_000, -150_000, 1000, 400, 300);
        byte[][] r = raster(m, g);
        assertEquals(0, r[150][200]); // (0, 0) is the hole
        assertEquals(1, r[(int) ((inside[1] + 150_000) / 1000)][(int) ((inside[0] + 200_000) / 1000)]);
        // the same square as a bare Polygon geometry
        Path poly = dir.resolve("poly.json");
        Files.writeString(poly, "{\"type\":\"Polygon\",\"coordinates\":[[[1,47],[3,47],[3,49],[1,49]]]}");
        assertTrue(RegionMask.load(poly, crs).contains(inHole[0], inHole[1]));
    }

    @Test
    void badGeoJsonNamesTheFile() throws IOException {
        Crs crs = Projections.LAMBERT_93;
        Path p = dir.resolve("bad.geojson");
        Files.writeString(p, "{\"type\": \"Polygon\",\n \"coordinates\": [[[1, 2], [3, 4]\n");
        InputException e = assertThrows(InputException.class, () -> RegionMask.load(p, crs));
        assertEquals(p, e.file());
        assertTrue(e.getMessage().startsWith(p + ":"), e.getMessage());
        assertTrue(e.reason().startsWith("not valid JSON"), e.reason());
        String[][] cases = {
            {"{\"type\": \"Circle\"}", "the top-level object has unknown type 'Circle'"},
            {"[1, 2]", "the top-level object is not a GeoJSON object"},
            {
                "{\"type\": \"Polygon\", \"coordinates\": [[[1, 2], [3, 4], [1, 2]]]}",
                "the top-level object ring 0 has fewer than 3 distinct positions"
            },
            {
                "{\"type\": \"Polygon\", \"coordinates\": [[[1, 2], [3, \"x\"], [5, 6]]]}",
                "the top-level object ring 0 position 1 is not [lon, lat]"
            },
            {
                "{\"type\": \"Polygon\", \"coordinates\": [[[1, 2], [700000, 6600000], [5, 6]]]}",
                "the top-level object ring 0 position 1 is not lon/lat in degrees: [700000.0, 6600000.0]"
            },
            {
                "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [1, 2]}}]}",
                "no Polygon or MultiPolygon in it"
            },
            {"{\"type\": \"FeatureCollection\"}", "the top-level object: FeatureCollection without a features array"},
        };
        for (String[] c : cases) {
            Files.writeString(p, c[0]);
            InputException x = assertThrows(InputException.class, () -> RegionMask.load(p, crs), c[0]);
            assertEquals(p + ": " + c[1], x.getMessage());
        }
        assertEquals(
                dir.resolve("none.geojson") + ": no such file",
                assertThrows(InputException.class, () -> RegionMask.load(dir.resolve("none.geojson"), crs))
                        .getMessage());
        GridBuffer f32 = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, 4);
        RegionMask m = RegionMask.ofRings(rings(box(0, 0, 1, 1)), crs);
        assertThrows(IllegalArgumentException.class, () -> m.rasterize(new GridSpec(0, 0, 1, 2, 2), f32));
        f32.close();
    }

    @Test
    void franceOutline() {
        Path geo = TestData.require("regions/france.geojson");
        Crs l93 = Projections.LAMBERT_93;
        RegionMask fr = RegionMask.load(geo, l93);
        CrsTransform t = Projections.fromLonLat(l93);
        double[] paris = t.forward(2.3522, 48.8566), atlantic = t.forward(-6, 46);
        assertTrue(fr.contains(paris[0], paris[1]));
        assertFalse(fr.contains(atlantic[0], atlantic[1]));
        assertEquals(3, fr.ringCount()); // the outline and two holes: Llivia (a Spanish enclave), the Etang de Berre
        double[] llivia = t.forward(1.98, 42.465), berre = t.forward(5.1, 43.47), nearBerre = t.forward(5.1, 43.6);
        assertFalse(fr.contains(llivia[0], llivia[1]));
        assertFalse(fr.contains(berre[0], berre[1]));
        assertTrue(fr.contains(nearBerre[0], nearBerre[1]));

        // 2,000 x 2,000 pixels of 650 m over mainland France and the sea around it
        GridSpec g = new GridSpec(-30_000, 6_000_000, 650, 2000, 2000);
        try (GridBuffer b = GridBuffer.allocate(alloc, GridBuffer.Type.UINT8, g.pixels())) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                fr.rasterize(g, b);
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf(
                    "france.geojson (%d edges) on 2000x2000: %.1f ms (best of 5)%n", fr.edgeCount(), best / 1e6);
            assertEquals(1, b.getByte(pixel(g, paris)));
            assertEquals(0, b.getByte(pixel(g, atlantic)));
            assertEquals(0, b.getByte(pixel(g, berre)));
            long inside = 0;
            for (long i = 0; i < g.pixels(); i++) inside += b.getByte(i);
            double km2 = inside * 0.65 * 0.65;
            assertEquals(
                    545_000, km2, 25_000, "area of mainland France, km2"); // ~544,000 km2 (Corsica not in the file)
            Random rnd = new Random(1);
            for (int k = 0; k < 20_000; k++) {
                int j = rnd.nextInt(g.height()), c = rnd.nextInt(g.width());
                assertEquals(fr.contains(g.centreX(c), g.centreY(j)) ? 1 : 0, b.getByte((long) j * g.width() + c));
            }
        }

        Path arcep = TestData.require(ArcepRealFileTest.FILE);
        Inventory inv = InventoryReader.read(arcep, InventoryOptions.defaults().withSkipBadRows(true));
        // the outline is mainland France only: Corsica's sites (x > 1,150 km, y < 6,250 km) are outside it
        int in = 0, mainland = 0, corsica = 0, corsicaIn = 0;
        for (Site s : inv.sites()) {
            boolean inside = fr.contains(s.x(), s.y());
            if (s.x() > 1_150_000 && s.y() < 6_250_000) {
                corsica++;
                if (inside) corsicaIn++;
            } else {
                mainland++;
                if (inside) in++;
            }
        }
        System.out.printf(
                "ARCEP sites inside france.geojson: mainland %d of %d, Corsica %d of %d%n",
                in, mainland, corsicaIn, corsica);
        assertTrue(in > 0.99 * mainland, in + " of " + mainland);
        assertEquals(705, corsica);
        assertEquals(0, corsicaIn);
    }

    static long pixel(GridSpec g, double[] xy) {
        int c = (int) Math.floor((xy[0] - g.x0()) / g.resolution()),
                j = (int) Math.floor((xy[1] - g.y0()) / g.resolution());
        assertTrue(c >= 0 && c < g.width() && j >= 0 && j < g.height());
        return (long) j * g.width() + c;
    }
}
