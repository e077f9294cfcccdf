package org.geomend.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrowMapSinkTest {

    @TempDir
    Path tmp;

    static final Map<String, String> META = MapSinks.geomendMetadata("spdi", Map.of("beta", "3.5", "k", "5"));

    @Test
    void denseRoundTripAcrossBatches() throws Exception {
        Path out = tmp.resolve("sub/maps.arrow");
        List<float[]> maps = new ArrayList<>();
        List<GridSpec> grids = new ArrayList<>();
        // batches of at most 3 rows (by bytes: 3 maps of 20x10 floats)
        try (ArrowMapSink sink = new ArrowMapSink(out, TestMaps.L93, false, 1e-4, META, 3 * 800, 100)) {
            for (int i = 0; i < 8; i++) {
                GridSpec g = new GridSpec(1000.0 * i, -500.0 * i, 100, 20, 10);
                float[] v = TestMaps.peaked(g, i);
                maps.add(v);
                grids.add(g);
                sink.write("bs" + i, g, v);
            }
            assertTrue(Files.exists(tmp.resolve("sub/maps.arrow.partial")));
            assertFalse(Files.exists(out));
            sink.commit();
            assertEquals(8, sink.rowsWritten());
        }
        assertFalse(Files.exists(tmp.resolve("sub/maps.arrow.partial")));
        try (var alloc = Memory.child("ArrowMapSinkTest");
                ArrowFileReader fr = new ArrowFileReader(FileChannel.open(out, StandardOpenOption.READ), alloc)) {
            assertEquals(3, fr.getRecordBlocks().size());
            assertEquals("3,3,2", fr.getMetaData().get(ArrowMaps.BATCH_ROWS_KEY));
        }
        try (ArrowMapReader r = ArrowMapReader.open(out)) {
            assertFalse(r.sparse());
            assertEquals(8, r.rowCount());
            assertEquals(META, r.metadata());
            for (int i : new int[] {7, 0, 4, 3}) {
                MapData m = r.read(i);
                assertEquals("bs" + i, m.id());
                assertEquals(grids.get(i), m.grid());
                assertEquals("EPSG:2154", m.crs());
                assertArrayEquals(maps.get(i), m.values());
            }
            assertArrayEquals(maps.get(5), r.read("bs5").values());
            assertThrows(InputException.class, () -> r.read("nope"));
            assertEquals(List.of("bs0", "bs1", "bs2", "bs3", "bs4", "bs5", "bs6", "bs7"), r.ids());
        }
    }

    @Test
    void schemaIsTheSpecs() throws Exception {
        Path dense = tmp.resolve("d.arrow"), sparse = tmp.resolve("s.arrow");
        GridSpec g = TestMaps.grid(6, 4);
        try (MapSink a = MapSinks.open("arrow", dense, TestMaps.LAEA, false, 1e-4, false, META);
                MapSink b = MapSinks.open("arrow", sparse, TestMaps.LAEA, true, 1e-4, false, META)) {
            a.write("x", g, TestMaps.peaked(g, 1));
            b.write("x", g, TestMaps.peaked(g, 1));
            a.commit();
            b.commit();
        }
        try (var alloc = Memory.child("ArrowMapSinkTest");
                ArrowFileReader r = new ArrowFileReader(FileChannel.open(dense, StandardOpenOption.READ), alloc)) {
            Schema s = r.getVectorSchemaRoot().getSchema();
            assertEquals(
                    "Schema<id: Utf8 not null, x0: FloatingPoint(DOUBLE) not null, y0: FloatingPoint(DOUBLE) not null, "
                            + "resolution: FloatingPoint(DOUBLE) not null, width: Int(32, true) not null, height: Int(32, true) not null, "
                            + "crs: Utf8 not null, p: FixedSizeList(24)<item: FloatingPoint(SINGLE) not null> not null>"
                            + "(metadata: " + META + ")",
                    s.toString());
            assertEquals(1, r.getRecordBlocks().size());
            assertTrue(r.loadNextBatch());
            var root = r.getVectorSchemaRoot();
            assertEquals(1, root.getRowCount());
            assertEquals("x", root.getVector("id").getObject(0).toString());
            assertEquals(6, root.getVector("width").getObject(0));
            assertEquals(4, root.getVector("height").getObject(0));
            assertEquals(
                    TestMaps.LAEA.name(), root.getVector("crs").getObject(0).toString());
            assertEquals(0, root.getVector("p").getNullCount());
            assertEquals(24, ((List<?>) root.getVector("p").getObject(0)).size());
        }
        try (var alloc = Memory.child("ArrowMapSinkTest");
                ArrowFileReader r = new ArrowFileReader(FileChannel.open(sparse, StandardOpenOption.READ), alloc)) {
            Schema s = r.getVectorSchemaRoot().getSchema();
            assertTrue(
                    s.toString()
                            .endsWith("crs: Utf8 not null, pixel: List<item: Int(32, true) not null> not null, "
                                    + "p: List<item: FloatingPoint(SINGLE) not null> not null>(metadata: " + META
                                    + ")"),
                    s.toString());
            assertTrue(r.loadNextBatch());
            var root = r.getVectorSchemaRoot();
            List<?> pix = (List<?>) root.getVector("pixel").getObject(0);
            List<?> p = (List<?>) root.getVector("p").getObject(0);
            assertEquals(pix.size(), p.size());
            assertTrue(p.stream().noneMatch(x -> x == null));
        }
    }

    @Test
    void sparseRoundTripKeepsTheMass() throws Exception {
        Path out = tmp.resolve("s.arrow");
        GridSpec g1 = TestMaps.grid(60, 50), g2 = TestMaps.grid(30, 30);
        float[] a = TestMaps.peaked(g1, 11), b = TestMaps.peaked(g2, 12);
        try (ArrowMapSink sink = new ArrowMapSink(out, TestMaps.L93, true, 1e-3, Map.of(), 64L << 20, 1)) {
            sink.write("a", g1, a);
            sink.write("b", g2, b); // sparse files may mix window sizes
            sink.commit();
        }
        try (ArrowMapReader r = ArrowMapReader.open(out)) {
            assertTrue(r.sparse());
            assertEquals(2, r.rowCount());
            for (var c : List.of(new Object[] {"a", g1, a}, new Object[] {"b", g2, b})) {
                float[] orig = (float[]) c[2];
                MapData m = r.read((String) c[0]);
                assertEquals(c[1], m.grid());
                SparseSelection s = SparseSelection.select(orig, orig.length, 1e-3);
                assertArrayEquals(s.toDense(orig.length), m.values());
                assertEquals(1.0, m.mass(), 1e-5);
                assertTrue(s.size() < orig.length);
                double keptOrig = 0;
                for (int i = 0; i < orig.length; i++) if (m.values()[i] > 0) keptOrig += orig[i];
                assertTrue(keptOrig >= 1 - 1e-3 - 1e-6, "kept " + keptOrig);
                for (int i = 0; i < orig.length; i++)
                    if (m.values()[i] > 0) assertEquals(orig[i] / keptOrig, m.values()[i], 1e-6 * m.values()[i]);
            }
        }
    }

    @Test
    void memoryStaysBounded() throws Exception {
        GridSpec g = TestMaps.grid(100, 100);
        float[] v = TestMaps.peaked(g, 3);
        Path out = tmp.resolve("big.arrow");
        long limit = 1 << 20, peak = 0;
        try (ArrowMapSink sink = new ArrowMapSink(out, TestMaps.L93, false, 1e-4, Map.of(), limit, 4096)) {
            for (int i = 0; i < 300; i++) {
                sink.write("m" + i, g, v);
                peak = Math.max(peak, sink.bufferedMemory());
            }
            sink.commit();
        }
        assertTrue(peak <= 2 * limit + (1 << 20), "peak Arrow memory " + peak);
        try (ArrowMapReader r = ArrowMapReader.open(out)) {
            assertEquals(300, r.rowCount());
            int[] seen = {0};
            r.forEach(m -> {
                assertArrayEquals(v, m.values());
                seen[0]++;
            });
            assertEquals(300, seen[0]);
        }
        // sparse: same bound
        try (ArrowMapSink sink =
                new ArrowMapSink(tmp.resolve("sp.arrow"), TestMaps.L93, true, 0, Map.of(), limit, 4096)) {
            for (int i = 0; i < 300; i++) {
                sink.write("m" + i, g, v);
                peak = Math.max(peak, sink.bufferedMemory());
            }
            sink.commit();
        }
        assertTrue(peak <= 4 * limit + (1 << 20), "peak Arrow memory " + peak);
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws Exception {
        Path out = tmp.resolve("m.arrow");
        GridSpec g = TestMaps.grid(8, 8);
        try (ArrowMapSink sink = new ArrowMapSink(out, TestMaps.L93, false, 1e-4, Map.of(), 1, 1)) {
            sink.write("a", g, TestMaps.peaked(g, 1));
            sink.write("b", g, TestMaps.peaked(g, 2));
            assertTrue(sink.bytesWritten() > 0);
            assertThrows(IllegalArgumentException.class, () -> sink.write("a", g, TestMaps.peaked(g, 1)));
            assertThrows(IllegalArgumentException.class, () -> sink.write("c", TestMaps.grid(4, 4), new float[16]));
        }
        assertFalse(Files.exists(out));
        try (var s = Files.list(tmp)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void emptyCommitAndOffsetsInSegments() throws Exception {
        Path empty = tmp.resolve("e.arrow");
        try (ArrowMapSink sink = new ArrowMapSink(empty, TestMaps.L93, false, 1e-4, Map.of())) {
            sink.commit();
        }
        try (ArrowMapReader r = ArrowMapReader.open(empty)) {
            assertEquals(0, r.rowCount());
        }
        // values taken from the middle of a bigger segment
        GridSpec g = TestMaps.grid(3, 2);
        float[] big = new float[20];
        for (int i = 0; i < 6; i++) big[7 + i] = (i + 1) / 21f;
        Path out = tmp.resolve("o.arrow");
        try (ArrowMapSink sink = new ArrowMapSink(out, TestMaps.L93, false, 1e-4, Map.of())) {
            sink.write("z", g, java.lang.foreign.MemorySegment.ofArray(big), 7);
            sink.commit();
        }
        try (ArrowMapReader r = ArrowMapReader.open(out)) {
            assertArrayEquals(
                    java.util.Arrays.copyOfRange(big, 7, 13), r.read(0).values());
        }
        Files.writeString(tmp.resolve("junk.arrow"), "not arrow");
        assertThrows(InputException.class, () -> ArrowMapReader.open(tmp.resolve("junk.arrow")));
    }

    /** The sink's record batches come from a child of the process root, so the root's peak (what geolocate prints) counts them. */
    @Test
    void theProcessRootCountsTheSinksBatches() throws Exception {
        GridSpec g = TestMaps.grid(100, 100);
        float[] v = TestMaps.peaked(g, 3);
        long before = org.geomend.kernels.Memory.allocatedBytes();
        try (ArrowMapSink sink =
                new ArrowMapSink(tmp.resolve("root.arrow"), TestMaps.L93, false, 1e-4, Map.of(), 8 << 20, 4096)) {
            for (int i = 0; i < 20; i++) sink.write("m" + i, g, v);
            long held = sink.bufferedMemory();
            assertTrue(held >= 20 * 4L * g.pixels(), "the batch is buffered: " + held);
            assertEquals(before + held, org.geomend.kernels.Memory.allocatedBytes(), "the root holds the sink's batch");
            assertTrue(org.geomend.kernels.Memory.peakBytes() >= before + held);
            sink.commit();
        }
        assertEquals(before, org.geomend.kernels.Memory.allocatedBytes(), "closed: all given back");
    }
}
