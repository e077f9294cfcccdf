package org.geomend.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeoTiffRasterTest {

    @TempDir
    Path tmp;

    static float[][] bands(GridSpec g, int n) {
        float[][] b = new float[n][(int) g.pixels()];
        for (int k = 0; k < n; k++) for (int i = 0; i < b[k].length; i++) b[k][i] = k * 1000 + i * 0.5f;
        return b;
    }

    @Test
    void floatBandsRoundTripWithDescriptionsAndMetadata() throws Exception {
        GridSpec g = new GridSpec(652_300, 6_861_100, 100, 7, 5);
        float[][] v = bands(g, 3);
        Path f = tmp.resolve("r.tif");
        String[] desc = {"00:00", "01:00", "a<b & \"c\""};
        GeoTiffRaster.writeFloat32(
                f, g, "EPSG:2154", desc, v, Map.of("total", "12.5"), new GeoTiffRaster.Options(false, 2, null));
        assertFalse(Files.exists(tmp.resolve("r.tif.partial")));
        GeoTiffRaster.Raster r = GeoTiffRaster.read(f);
        assertEquals(g, r.grid());
        assertEquals("EPSG:2154", r.crs());
        assertArrayEquals(desc, r.bandDescriptions());
        for (int b = 0; b < 3; b++) assertArrayEquals(v[b], r.bands()[b]);
        try (GeoTiffRaster.Reader rd = GeoTiffRaster.open(f)) {
            assertEquals(Map.of("total", "12.5"), rd.metadata());
            float[] north = new float[7];
            rd.readRows(1, 0, 1, north, 0); // file row 0 = south row 4
            assertEquals(v[1][4 * 7 + 3], north[3]);
        }
        Map<Integer, Object> t = GeoTiffRaster.tags(f);
        assertArrayEquals(new double[] {2}, (double[]) t.get(GeoTiffRaster.PLANAR_CONFIG));
        assertArrayEquals(new double[] {3}, (double[]) t.get(GeoTiffRaster.SAMPLES_PER_PIXEL));
        assertEquals(9, ((double[]) t.get(GeoTiffRaster.STRIP_OFFSETS)).length, "3 strips of 2 rows per band");
        assertTrue(
                ((String) t.get(GeoTiffRaster.GDAL_METADATA))
                        .contains(
                                "<Item name=\"DESCRIPTION\" sample=\"2\" role=\"description\">a&lt;b &amp; &quot;c&quot;</Item>"));
    }

    @Test
    void deflateBigTiffAndProjCrs() throws Exception {
        GridSpec g = new GridSpec(-3000, 500, 50, 33, 17);
        float[][] v = bands(g, 2);
        String laea = "+proj=laea +lat_0=46.5 +lon_0=2.25 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs";
        Path f = tmp.resolve("d.tif");
        GeoTiffRaster.writeFloat32(f, g, laea, null, v, Map.of(), new GeoTiffRaster.Options(true, 3, true));
        byte[] bytes = Files.readAllBytes(f);
        assertEquals(43, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(2), "BigTIFF");
        assertArrayEquals(new double[] {8}, (double[]) GeoTiffRaster.tags(f).get(GeoTiffRaster.COMPRESSION));
        GeoTiffRaster.Raster r = GeoTiffRaster.read(f);
        assertEquals(g, r.grid());
        assertEquals(laea, r.crs());
        assertArrayEquals(new String[] {"", ""}, r.bandDescriptions());
        for (int b = 0; b < 2; b++) assertArrayEquals(v[b], r.bands()[b]);
        // a constant raster compresses
        float[][] zeros = new float[1][(int) g.pixels()];
        Path z = tmp.resolve("z.tif");
        GeoTiffRaster.writeFloat32(z, g, null, null, zeros, Map.of(), new GeoTiffRaster.Options(true, 0, null));
        assertTrue(Files.size(z) < g.pixels(), "deflated zeros are small");
        assertNull(GeoTiffRaster.read(z).crs());
    }

    @Test
    void int32WithNoData() throws Exception {
        GridSpec g = new GridSpec(0, 0, 100, 4, 3);
        int[] v = {-1, 0, 1, 2, 3, -1, Integer.MAX_VALUE, 5, 6, 7, 8, -1};
        Path f = tmp.resolve("i.tif");
        GeoTiffRaster.writeInt32(f, g, "EPSG:2154", v, -1);
        GeoTiffRaster.IntRaster r = GeoTiffRaster.readInt32(f);
        assertEquals(g, r.grid());
        assertArrayEquals(v, r.bands()[0]);
        assertEquals(-1, r.noData());
        assertEquals("EPSG:2154", r.crs());
        assertEquals(5f, GeoTiffRaster.read(f).bands()[0][7]);
        Path fl = tmp.resolve("f.tif");
        GeoTiffRaster.writeFloat32(fl, g, null, null, new float[][] {new float[12]});
        InputException e = assertThrows(InputException.class, () -> GeoTiffRaster.readInt32(fl));
        assertTrue(e.getMessage().startsWith(fl.toString()));
    }

    @Test
    void streamingWriterWritesStripsInAnyBandOrderAndLeavesNothingWithoutCommit() throws Exception {
        GridSpec g = new GridSpec(0, 0, 10, 5, 4);
        Path f = tmp.resolve("s.tif");
        try (GeoTiffRaster.Writer w = GeoTiffRaster.writer(
                f,
                g,
                "EPSG:2154",
                new String[] {"t0", "t1"},
                2,
                GeoTiffRaster.SampleType.FLOAT32,
                null,
                Map.of(),
                new GeoTiffRaster.Options(true, 3, null))) {
            assertEquals(2, w.strips());
            float[] s = new float[15];
            w.writeStrip(0, 0, s, 0);
            assertThrows(IllegalStateException.class, w::commit, "strips missing");
        }
        assertFalse(Files.exists(f));
        assertFalse(Files.exists(tmp.resolve("s.tif.partial")));
        try (GeoTiffRaster.Writer w = GeoTiffRaster.writer(
                f,
                g,
                "EPSG:2154",
                new String[] {"t0", "t1"},
                2,
                GeoTiffRaster.SampleType.FLOAT32,
                null,
                Map.of(),
                new GeoTiffRaster.Options(true, 3, null))) {
            for (int s = 0; s < 2; s++)
                for (int b = 1; b >= 0; b--) {
                    float[] rows = new float[w.rowsInStrip(s) * 5];
                    for (int i = 0; i < rows.length; i++) rows[i] = b * 100 + (s * 3 * 5 + i); // file order value
                    w.writeStrip(b, s, rows, 0);
                }
            w.commit();
        }
        GeoTiffRaster.Raster r = GeoTiffRaster.read(f);
        for (int b = 0; b < 2; b++)
            for (int fileRow = 0; fileRow < 4; fileRow++)
                for (int c = 0; c < 5; c++)
                    assertEquals(b * 100 + fileRow * 5 + c, r.bands()[b][(3 - fileRow) * 5 + c]);
    }

    @Test
    void tiledWriterRoundTrip() throws Exception {
        GridSpec g = new GridSpec(1000, 2000, 10, 40, 20); // 3 x 2 tiles of 16 x 16 (edge tiles padded)
        Path f = tmp.resolve("tiled.tif");
        try (GeoTiffRaster.Writer w = GeoTiffRaster.writer(
                f,
                g,
                "EPSG:2154",
                new String[] {"a", "b"},
                2,
                GeoTiffRaster.SampleType.FLOAT32,
                null,
                Map.of(),
                GeoTiffRaster.Options.tiled(true, 16, 16))) {
            assertEquals(3, w.tilesAcross());
            assertEquals(2, w.tilesDown());
            float[] t = new float[256];
            for (int ty = 1; ty >= 0; ty--)
                for (int tx = 0; tx < 3; tx++)
                    for (int b = 0; b < 2; b++) {
                        for (int y = 0; y < 16; y++)
                            for (int x = 0; x < 16; x++) t[y * 16 + x] = b * 10000 + (ty * 16 + y) * 100 + tx * 16 + x;
                        w.writeTile(b, tx, ty, t, 0);
                    }
            w.commit();
        }
        assertNotNull(GeoTiffRaster.tags(f).get(GeoTiffRaster.TILE_OFFSETS));
        GeoTiffRaster.Raster r = GeoTiffRaster.read(f);
        assertEquals(g, r.grid());
        for (int b = 0; b < 2; b++)
            for (int row = 0; row < 20; row++)
                for (int c = 0; c < 40; c++) assertEquals(b * 10000 + row * 100 + c, r.bands()[b][(19 - row) * 40 + c]);
    }

    @Test
    void malformedFilesNameTheFile() throws Exception {
        Path junk = tmp.resolve("junk.tif");
        Files.writeString(junk, "hello, not a tiff");
        InputException e = assertThrows(InputException.class, () -> GeoTiffRaster.read(junk));
        assertEquals(junk + ": not a TIFF file", e.getMessage());
        GridSpec g = new GridSpec(0, 0, 10, 50, 40);
        Path f = tmp.resolve("t.tif");
        GeoTiffRaster.writeFloat32(f, g, null, null, bands(g, 1));
        byte[] b = Files.readAllBytes(f);
        Path cut = tmp.resolve("cut.tif");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length - 100));
        e = assertThrows(InputException.class, () -> GeoTiffRaster.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": strip"), e.getMessage());
        assertThrows(InputException.class, () -> GeoTiffRaster.read(tmp.resolve("missing.tif")));
    }

    @Test
    void readsTiledChunkyRasters() throws Exception {
        // a hand-made little-endian 3x3, 2-band pixel-interleaved raster in 2x2 tiles (4 tiles)
        int w = 3, h = 3, tw = 2, th = 2, spp = 2;
        ByteBuffer b = ByteBuffer.allocate(2000).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        int data = 1000;
        int tileBytes = tw * th * spp * 4;
        int[][] small = {{256, 4, w}, {257, 4, h}, {259, 3, 1}, {277, 3, spp}, {284, 3, 1}, {322, 4, tw}, {323, 4, th}};
        b.putShort((short) (small.length + 7));
        for (int[] e : small) {
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(1);
            if (e[1] == 3) b.putShort((short) e[2]).putShort((short) 0);
            else b.putInt(e[2]);
        }
        int ext = 400;
        b.putShort((short) 258)
                .putShort((short) 3)
                .putInt(2)
                .putShort((short) 32)
                .putShort((short) 32);
        b.putShort((short) 324).putShort((short) 4).putInt(4).putInt(ext);
        b.putShort((short) 325).putShort((short) 4).putInt(4).putInt(ext + 16);
        b.putShort((short) 339)
                .putShort((short) 3)
                .putInt(2)
                .putShort((short) 3)
                .putShort((short) 3);
        b.putShort((short) 33550).putShort((short) 12).putInt(3).putInt(ext + 32);
        b.putShort((short) 33922).putShort((short) 12).putInt(6).putInt(ext + 56);
        b.putShort((short) 34735).putShort((short) 3).putInt(4).putInt(ext + 104);
        b.putInt(0);
        b.position(ext);
        for (int t = 0; t < 4; t++) b.putInt(data + t * tileBytes);
        for (int t = 0; t < 4; t++) b.putInt(tileBytes);
        b.putDouble(10).putDouble(10).putDouble(0);
        b.putDouble(0).putDouble(0).putDouble(0).putDouble(100).putDouble(230).putDouble(0);
        for (int s : new int[] {1, 1, 0, 0}) b.putShort((short) s);
        for (int ty = 0; ty < 2; ty++)
            for (int tx = 0; tx < 2; tx++) {
                b.position(data + (ty * 2 + tx) * tileBytes);
                for (int y = 0; y < th; y++)
                    for (int x = 0; x < tw; x++)
                        for (int s = 0; s < spp; s++)
                            b.putFloat(s * 100 + (ty * th + y) * 10 + tx * tw + x); // band*100 + fileRow*10 + col
            }
        Path f = tmp.resolve("tiles.tif");
        Files.write(f, b.array());
        GeoTiffRaster.Raster r = GeoTiffRaster.read(f);
        assertEquals(new GridSpec(100, 200, 10, 3, 3), r.grid());
        assertNull(r.crs());
        for (int s = 0; s < 2; s++)
            for (int row = 0; row < 3; row++)
                for (int c = 0; c < 3; c++)
                    assertEquals(s * 100 + row * 10 + c, r.bands()[s][(2 - row) * 3 + c], "band " + s + " row " + row);
    }
}
