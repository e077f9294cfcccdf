package org.geomend.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapFilesTest {

    @TempDir
    Path tmp;

    @Test
    void readsEachFormat() throws Exception {
        GridSpec g = TestMaps.grid(9, 8);
        float[] v = TestMaps.peaked(g, 9);
        for (String fmt : new String[] {"geotiff", "npy"})
            try (MapSink s = MapSinks.open(fmt, tmp.resolve(fmt), TestMaps.L93, false, 1e-4, false, Map.of())) {
                s.write("m", g, v);
                s.commit();
            }
        try (MapSink s = MapSinks.open("arrow", tmp.resolve("one.arrow"), TestMaps.L93, false, 1e-4, false, Map.of())) {
            s.write("m", g, v);
            s.commit();
        }
        try (MapSink s = MapSinks.open("arrow", tmp.resolve("two.arrow"), TestMaps.L93, true, 1e-4, false, Map.of())) {
            s.write("m", g, v);
            s.write("n", g, v);
            s.commit();
        }
        assertEquals(MapFiles.Format.GEOTIFF, MapFiles.detect(tmp.resolve("geotiff/m.tif")));
        assertEquals(MapFiles.Format.NPY, MapFiles.detect(tmp.resolve("npy/m.npy")));
        assertEquals(MapFiles.Format.ARROW, MapFiles.detect(tmp.resolve("one.arrow")));
        for (Path p : new Path[] {tmp.resolve("geotiff/m.tif"), tmp.resolve("npy/m.npy"), tmp.resolve("one.arrow")}) {
            MapData m = MapFiles.readSingle(p);
            assertEquals(g, m.grid(), p.toString());
            assertEquals("EPSG:2154", m.crs());
            assertEquals("m", m.id());
            assertArrayEquals(v, m.values(), p.toString());
        }
        InputException e = assertThrows(InputException.class, () -> MapFiles.readSingle(tmp.resolve("two.arrow")));
        assertTrue(e.getMessage().contains("holds 2 maps"));
        assertEquals("n", MapFiles.readSingle(tmp.resolve("two.arrow"), "n").id());
        Files.writeString(tmp.resolve("x.csv"), "a,b\n");
        assertThrows(InputException.class, () -> MapFiles.readSingle(tmp.resolve("x.csv")));
    }

    @Test
    void factoryRejectsBadCombinations() {
        assertThrows(
                IllegalArgumentException.class,
                () -> MapSinks.open("npy", tmp.resolve("a"), TestMaps.L93, true, 1e-4, false, Map.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> MapSinks.open("arrow", tmp.resolve("a"), TestMaps.L93, false, 1e-4, true, Map.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> MapSinks.open("png", tmp.resolve("a"), TestMaps.L93, false, 1e-4, false, Map.of()));
        assertEquals(
                "{\"method\": \"spdi\", \"params\": {\"beta\": \"3\", \"k\": \"5\"}}",
                MapSinks.geomendMetadata("spdi", Map.of("k", "5", "beta", "3")).get("geomend"));
    }

    @Test
    void fileNames() {
        assertEquals("abc_1.2-x", FileNames.stem("abc_1.2-x"));
        assertTrue(FileNames.stem("a b").matches("a_b-[0-9a-f]{8}"));
        assertTrue(FileNames.stem(".hidden").matches("_hidden-[0-9a-f]{8}"));
        assertTrue(FileNames.stem("").matches("-[0-9a-f]{8}"));
        assertNotEquals(FileNames.stem("a/b"), FileNames.stem("a\\b"));
        assertTrue(FileNames.stem("x".repeat(500)).length() <= FileNames.MAX_STEM + 9);
    }
}
