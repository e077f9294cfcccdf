package org.geomend.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyMapSinkTest {

    @TempDir
    Path tmp;

    @Test
    void headerIsWhatNumpyWrites() {
        byte[] h = NpyMapSink.header(3, 4);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
        assertEquals(128, h.length);
        assertEquals((byte) 0x93, h[0]);
        assertEquals("NUMPY", new String(h, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, h[6]);
        assertEquals(0, h[7]);
        assertEquals(118, (h[8] & 0xff) | (h[9] & 0xff) << 8);
        String text = new String(h, 10, h.length - 10, StandardCharsets.US_ASCII);
        assertEquals(dict + " ".repeat(118 - dict.length() - 1) + "\n", text);
        for (int[] s : new int[][] {{600, 600}, {1, 1}, {12345, 7}, {99999, 99999}}) {
            byte[] x = NpyMapSink.header(s[0], s[1]);
            assertEquals(0, x.length % 64);
            assertEquals('\n', x[x.length - 1]);
        }
    }

    @Test
    void roundTripIndexAndLayout() throws Exception {
        GridSpec g = TestMaps.grid(4, 3);
        float[] v = new float[12];
        for (int i = 0; i < 12; i++) v[i] = i / 66f;
        Path dir = tmp.resolve("maps");
        try (NpyMapSink sink = new NpyMapSink(dir, TestMaps.LAEA, false, Map.of("geomend", "{\"method\":\"spdi\"}"))) {
            sink.write("bs 1", g, v);
            sink.write("B2", new GridSpec(-100, 200, 50, 4, 3), v);
            assertFalse(Files.exists(dir.resolve("index.csv")));
            sink.commit();
            assertTrue(sink.bytesWritten() > 2 * 48);
        }
        String stem = FileNames.stem("bs 1");
        assertTrue(stem.startsWith("bs_1-"));
        byte[] b = Files.readAllBytes(dir.resolve(stem + ".npy"));
        assertArrayEquals(NpyMapSink.header(3, 4), Arrays.copyOf(b, 128));
        ByteBuffer bb = ByteBuffer.wrap(b, 128, 48).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 12; i++) assertEquals(v[i], bb.getFloat(), "row-major, row 0 = south");
        var idx = MapIndex.read(dir.resolve("index.csv"));
        assertEquals(java.util.List.of("bs 1", "B2"), java.util.List.copyOf(idx.keySet()));
        assertEquals(
                "id,x0,y0,resolution,crs",
                Files.readAllLines(dir.resolve("index.csv")).getFirst());
        assertEquals(
                "B2,-100.0,200.0,50.0," + TestMaps.LAEA.name(),
                Files.readAllLines(dir.resolve("index.csv")).get(2));
        MapData m = NpyMapReader.read(dir.resolve(stem + ".npy"));
        assertEquals("bs 1", m.id());
        assertEquals(g, m.grid());
        assertEquals(TestMaps.LAEA.name(), m.crs());
        assertArrayEquals(v, m.values());
        assertEquals(
                new GridSpec(-100, 200, 50, 4, 3),
                NpyMapReader.read(dir.resolve("B2.npy")).grid());
        assertTrue(Files.readString(dir.resolve("metadata.json"))
                .contains("\"geomend\": \"{\\\"method\\\":\\\"spdi\\\"}\""));
        assertFalse(Files.exists(dir.resolve("index.csv.partial")));
    }

    @Test
    void closeWithoutCommitThenResume() throws Exception {
        GridSpec g = TestMaps.grid(5, 5);
        float[] v = TestMaps.peaked(g, 3);
        Path dir = tmp.resolve("r");
        try (NpyMapSink sink = new NpyMapSink(dir, TestMaps.L93, false, Map.of())) {
            sink.write("a", g, v);
            sink.write("b", g, v);
        }
        assertFalse(Files.exists(dir.resolve("index.csv")), "no index without commit");
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".tmp")
                    || (p.toString().endsWith(".partial")
                            && !p.getFileName().toString().equals("index.csv.partial"))));
        }
        try (NpyMapSink sink = new NpyMapSink(dir, TestMaps.L93, true, Map.of())) {
            assertTrue(sink.exists("a"));
            assertTrue(sink.exists("b"));
            assertFalse(sink.exists("c"));
            sink.write("c", g, v);
            sink.commit();
        }
        assertEquals(
                java.util.List.of("a", "b", "c"),
                java.util.List.copyOf(MapIndex.read(dir.resolve("index.csv")).keySet()));
        try (NpyMapSink sink = new NpyMapSink(dir, TestMaps.L93, false, Map.of())) {
            assertFalse(sink.exists("a"), "without resume nothing counts as done");
            assertFalse(
                    Files.exists(dir.resolve("index.csv")), "a stale index is removed when the directory is rewritten");
        }
    }

    @Test
    void readsFortranOrderAndFloat64() throws Exception {
        // shape (2, 3) Fortran order float64 big-endian: values a[r][c] = 10 r + c
        String dict = "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }";
        int hl = 128 - 10;
        ByteBuffer b = ByteBuffer.allocate(128 + 48).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 1)
                .put((byte) 0)
                .putShort((short) hl);
        b.put((dict + " ".repeat(hl - dict.length() - 1) + "\n").getBytes(StandardCharsets.US_ASCII));
        b.order(ByteOrder.BIG_ENDIAN);
        for (int c = 0; c < 3; c++) for (int r = 0; r < 2; r++) b.putDouble(10 * r + c);
        Path f = tmp.resolve("x.npy");
        Files.write(f, b.array());
        MapData m = NpyMapReader.read(f);
        assertEquals(new GridSpec(0, 0, 1, 3, 2), m.grid());
        assertNull(m.crs());
        assertArrayEquals(new float[] {0, 1, 2, 10, 11, 12}, m.values());
        Files.write(tmp.resolve("bad.npy"), new byte[] {1, 2, 3});
        assertThrows(InputException.class, () -> NpyMapReader.read(tmp.resolve("bad.npy")));
    }
}
