package org.geomend.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.Backends;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.Memory;
import org.geomend.kernels.nbl.NblBackends;
import org.geomend.kernels.nbl.NblScoring;
import org.geomend.nbl.NblMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding example does what its documentation says, through the library API only. */
class EmbedExampleTest {

    @Test
    void drawsNormalisedMapsIntoTheCallersBufferAndLocatesRecords(@TempDir Path dir) throws Exception {
        Path sites = dir.resolve("sites.csv");
        StringBuilder s = new StringBuilder("id,x,y\n");
        for (int i = 0; i < 12; i++)
            s.append("s")
                    .append(i)
                    .append(',')
                    .append(650_000 + 1_700 * (i % 4))
                    .append(',')
                    .append(6_860_000 + 2_300 * (i / 4))
                    .append('\n');
        Files.writeString(sites, s);
        int n = 3, w = 60;
        try (BufferAllocator alloc = Memory.child("EmbedExampleTest");
                GeoKernels k = Backends.select("java", 1, null);
                GridBuffer maps = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, (long) n * w * w)) {
            double[] sums = EmbedExample.spdiMaps(sites, n, w, 100, 2.0, k, alloc, maps);
            assertEquals(n, sums.length);
            for (int m = 0; m < n; m++) {
                assertTrue(sums[m] > 0, "map " + m + " drew nothing");
                double total = 0;
                for (long p = 0; p < (long) w * w; p++) total += maps.getFloat(m * (long) w * w + p);
                assertEquals(1.0, total, 1e-4, "map " + m);
            }
            maps.close();
            assertThrows(IllegalStateException.class, () -> maps.getFloat(0));
        }

        // two cells heard along a line of GPS-tagged records: a record hearing only cell B is placed near B's records
        Path meas = dir.resolve("m.csv");
        StringBuilder m = new StringBuilder("record,time,lat,lon,cell,rsrp,rssi,ta\n");
        for (int r = 0; r < 200; r++) {
            double lat = 53.30 + r * 1e-4, lon = -6.25;
            String cell = r < 100 ? "A" : "B";
            m.append("r")
                    .append(r)
                    .append(",,")
                    .append(lat)
                    .append(',')
                    .append(lon)
                    .append(',')
                    .append(cell)
                    .append(",-")
                    .append(80 + r % 7)
                    .append(",,\n");
        }
        Files.writeString(meas, m);
        NblMap map = EmbedExample.coverageMap(List.of(meas), 19);
        assertEquals(2, map.numCells());
        try (NblScoring scoring = NblBackends.select("java", 1, null)) {
            double[] ll = EmbedExample.locate(
                    map, scoring, List.of(new EmbedExample.Measurement("B", -83, Double.NaN, Double.NaN)));
            assertTrue(ll[0] > 53.3095 && ll[0] < 53.3205 && Math.abs(ll[1] + 6.25) < 1e-3, ll[0] + ", " + ll[1]);
            double[] none = EmbedExample.locate(
                    map, scoring, List.of(new EmbedExample.Measurement("Z", -83, Double.NaN, Double.NaN)));
            assertTrue(Double.isNaN(none[0]));
        }
    }
}
