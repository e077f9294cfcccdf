package org.geomend.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.geomend.geo.Crs;
import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeoTiffMapSinkTest {

    @TempDir
    Path tmp;

    static float[] ramp(GridSpec g) {
        float[] v = new float[(int) g.pixels()];
        for (int i = 0; i < v.length; i++) v[i] = i + 1;
        return v;
    }

    @Test
    void bytesTagsAndNorthUp() throws Exception {
        GridSpec g = new GridSpec(652_300, 6_861_100, 100, 5, 3);
        float[] v = ramp(g);
        Path dir = tmp.resolve("tif");
        try (GeoTiffMapSink sink =
                new GeoTiffMapSink(dir, TestMaps.L93, false, MapSinks.geomendMetadata("voronoi", Map.of()))) {
            sink.write("s1", g, v);
            sink.commit();
        }
        byte[] f = Files.readAllBytes(dir.resolve("s1.tif"));
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('I', f[0]);
        assertEquals('I', f[1]);
        assertEquals(42, b.getShort(2));
        Map<Integer, Object> t = GeoTiffRaster.tags(dir.resolve("s1.tif"));
        assertArrayEquals(new double[] {5}, (double[]) t.get(256));
        assertArrayEquals(new double[] {3}, (double[]) t.get(257));
        assertArrayEquals(new double[] {32}, (double[]) t.get(258));
        assertArrayEquals(new double[] {1}, (double[]) t.get(259));
        assertArrayEquals(new double[] {3}, (double[]) t.get(339));
        assertArrayEquals(new double[] {1}, (double[]) t.get(277));
        assertArrayEquals(new double[] {100, 100, 0}, (double[]) t.get(33550));
        assertArrayEquals(new double[] {0, 0, 0, 652_300, 6_861_100 + 300, 0}, (double[]) t.get(33922));
        Map<Integer, Object> keys = GeoTiffRaster.geoKeys(t);
        assertEquals(1, keys.get(GeoKeys.GT_MODEL_TYPE));
        assertEquals(1, keys.get(GeoKeys.GT_RASTER_TYPE));
        assertEquals(2154, keys.get(GeoKeys.PROJECTED_CS_TYPE));
        assertEquals("EPSG:2154", keys.get(GeoKeys.GT_CITATION));
        assertTrue(((String) t.get(42112)).contains("<Item name=\"geomend\">{&quot;method&quot;: &quot;voronoi&quot;"));
        // IFD entries in ascending tag order
        int ifd = b.getInt(4), n = b.getShort(ifd);
        for (int i = 1; i < n; i++)
            assertTrue((b.getShort(ifd + 2 + 12 * i) & 0xffff) > (b.getShort(ifd + 2 + 12 * (i - 1)) & 0xffff));
        // first strip starts with the north row (window row 2 = values 11..15)
        int off = (int) ((double[]) t.get(273))[0];
        for (int c = 0; c < 5; c++) assertEquals(11 + c, b.getFloat(off + 4 * c));
        assertEquals(1f, b.getFloat(off + 4 * 10), "last file row is the south row");
        assertEquals(f.length, off + 4 * 15);

        MapData m = GeoTiffMapReader.read(dir.resolve("s1.tif"));
        assertEquals(g, m.grid());
        assertEquals("EPSG:2154", m.crs());
        assertEquals("s1", m.id());
        assertArrayEquals(v, m.values());
        assertEquals(
                "id,x0,y0,resolution,crs\ns1,652300.0,6861100.0,100.0,EPSG:2154\n",
                Files.readString(dir.resolve("index.csv")));
    }

    @Test
    void userDefinedLaeaKeys() throws Exception {
        Crs laea = new Crs(
                0, "+proj=laea +lat_0=46.5 +lon_0=2.25 +x_0=10 +y_0=-20 +datum=WGS84 +units=m +no_defs", "LAEA France");
        Map<Integer, Object> k = GeoKeys.of(laea).keys;
        assertEquals(32767, k.get(GeoKeys.PROJECTED_CS_TYPE));
        assertEquals(32767, k.get(GeoKeys.PROJECTION));
        assertEquals(4326, k.get(GeoKeys.GEOGRAPHIC_TYPE));
        assertEquals(10, k.get(GeoKeys.PROJ_COORD_TRANS));
        assertEquals(46.5, k.get(GeoKeys.CENTER_LAT));
        assertEquals(2.25, k.get(GeoKeys.CENTER_LONG));
        assertEquals(10.0, k.get(GeoKeys.FALSE_EASTING));
        assertEquals(-20.0, k.get(GeoKeys.FALSE_NORTHING));
        assertEquals(9001, k.get(GeoKeys.PROJ_LINEAR_UNITS));
        // through a file: doubles land in GeoDoubleParams, the name in GeoAsciiParams
        GridSpec g = new GridSpec(-30_000, -30_000, 100, 600, 600);
        float[] v = TestMaps.peaked(g, 5);
        Path dir = tmp.resolve("laea");
        try (MapSink sink = MapSinks.open("geotiff", dir, laea, false, 1e-4, false, Map.of())) {
            sink.write("a/b", g, v);
            sink.commit();
        }
        Path f = dir.resolve(FileNames.stem("a/b") + ".tif");
        Map<Integer, Object> t = GeoTiffRaster.tags(f);
        Map<Integer, Object> back = GeoTiffRaster.geoKeys(t);
        assertEquals(k, back);
        assertTrue(((double[]) t.get(278))[0] < 600, "several strips");
        MapData m = GeoTiffMapReader.read(f);
        assertEquals(g, m.grid());
        assertEquals("LAEA France", m.crs());
        assertArrayEquals(v, m.values());
        assertEquals(
                "a/b",
                MapIndex.read(dir.resolve("index.csv")).keySet().iterator().next());
    }

    @Test
    void otherProjections() {
        var tm = GeoKeys.of(new Crs(
                        0, "+proj=tmerc +lat_0=0 +lon_0=9 +k=0.9996 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m", "tm"))
                .keys;
        assertEquals(1, tm.get(GeoKeys.PROJ_COORD_TRANS));
        assertEquals(4019, tm.get(GeoKeys.GEOGRAPHIC_TYPE));
        assertEquals(0.9996, tm.get(GeoKeys.SCALE_AT_NAT_ORIGIN));
        assertEquals(9.0, tm.get(GeoKeys.NAT_ORIGIN_LONG));
        var lcc = GeoKeys.of(new Crs(0, TestMaps.L93.proj4(), "l93 by hand")).keys;
        assertEquals(8, lcc.get(GeoKeys.PROJ_COORD_TRANS));
        assertEquals(49.0, lcc.get(GeoKeys.STD_PARALLEL_1));
        assertEquals(44.0, lcc.get(GeoKeys.STD_PARALLEL_2));
        assertEquals(46.5, lcc.get(GeoKeys.FALSE_ORIGIN_LAT));
        assertEquals(700000.0, lcc.get(GeoKeys.FALSE_ORIGIN_EASTING));
        assertEquals(6600000.0, lcc.get(GeoKeys.FALSE_ORIGIN_NORTHING));
        assertEquals(
                32631,
                GeoKeys.of(new Crs(0, "+proj=utm +zone=31 +datum=WGS84", "utm31"))
                        .keys
                        .get(GeoKeys.PROJECTED_CS_TYPE));
        assertThrows(IllegalArgumentException.class, () -> GeoKeys.of(new Crs(0, "+proj=merc +lon_0=0", "merc")));
        assertThrows(IllegalArgumentException.class, () -> GeoKeys.of(new Crs(0, "+proj=laea +units=km", "km")));
    }

    @Test
    void resumeAndNoIndexWithoutCommit() throws Exception {
        GridSpec g = TestMaps.grid(7, 4);
        Path dir = tmp.resolve("r");
        try (MapSink sink = MapSinks.open("geotiff", dir, TestMaps.L93, false, 1e-4, true, Map.of())) {
            assertFalse(sink.exists("x"));
            sink.write("x", g, ramp(g));
        }
        assertTrue(Files.exists(dir.resolve("x.tif")));
        assertFalse(Files.exists(dir.resolve("index.csv")));
        try (MapSink sink = MapSinks.open("geotiff", dir, TestMaps.L93, false, 1e-4, true, Map.of())) {
            assertTrue(sink.exists("x"));
            sink.write("y", g, ramp(g));
            sink.commit();
            assertThrows(IllegalStateException.class, () -> sink.write("z", g, ramp(g)));
        }
        assertEquals(3, Files.readAllLines(dir.resolve("index.csv")).size());
        try (var s = Files.list(dir)) {
            assertEquals(
                    java.util.Set.of("x.tif", "y.tif", "index.csv"),
                    s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void readsBigEndianAndPixelIsPoint() throws Exception {
        // a hand-made big-endian 2x2 float32 strip TIFF, PixelIsPoint, tiepoint at pixel (1, 1)
        ByteBuffer b = ByteBuffer.allocate(400).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        int[][] small = {
            {256, 4, 2},
            {257, 4, 2},
            {258, 3, 32},
            {259, 3, 1},
            {273, 4, 300},
            {277, 3, 1},
            {278, 4, 2},
            {279, 4, 16},
            {339, 3, 3}
        };
        b.putShort((short) (small.length + 3));
        for (int[] e : small) {
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(1);
            if (e[1] == 3) b.putShort((short) e[2]).putShort((short) 0);
            else b.putInt(e[2]);
        }
        b.putShort((short) 33550).putShort((short) 12).putInt(3).putInt(200);
        b.putShort((short) 33922).putShort((short) 12).putInt(6).putInt(224);
        b.putShort((short) 34735).putShort((short) 3).putInt(8).putInt(272);
        b.putInt(0);
        b.position(200);
        b.putDouble(10).putDouble(10).putDouble(0);
        b.putDouble(1).putDouble(1).putDouble(0).putDouble(1000).putDouble(2000).putDouble(0);
        b.position(272);
        for (int s : new int[] {1, 1, 0, 1, 1025, 0, 1, 2}) b.putShort((short) s);
        b.position(300);
        b.putFloat(1).putFloat(2).putFloat(3).putFloat(4); // north row 1 2, south row 3 4
        Path f = tmp.resolve("be.tif");
        Files.write(f, b.array());
        MapData m = GeoTiffMapReader.read(f);
        assertEquals(new GridSpec(1000 - 10 - 5, 2000 + 10 + 5 - 20, 10, 2, 2), m.grid());
        assertArrayEquals(new float[] {3, 4, 1, 2}, m.values());
        assertNull(m.crs());
    }
}
