package org.geomend.geolocate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.io.MapSink;
import org.geomend.io.Site;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.geomend.kernels.Reference;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.java.JavaKernels;
import org.junit.jupiter.api.Test;

/** The tiled driver draws exactly the reference maps, whatever the tiling, batching and masking. */
class GeolocatorTest {

    /** Keeps every map in memory. */
    static final class MemorySink implements MapSink {
        final Map<String, float[]> maps = new LinkedHashMap<>();
        final Map<String, GridSpec> grids = new LinkedHashMap<>();
        boolean committed;

        @Override
        public synchronized void write(String id, GridSpec grid, MemorySegment values, long off) {
            float[] a = new float[(int) grid.pixels()];
            MemorySegment.copy(values, GridBuffer.F32, off * 4, a, 0, a.length);
            maps.put(id, a);
            grids.put(id, grid);
        }

        @Override
        public void commit() {
            committed = true;
        }

        @Override
        public long bytesWritten() {
            return maps.size() * 4L;
        }

        @Override
        public void close() {}
    }

    static SitePositions layout(long seed, int n, double extent) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble(extent) + (i % 4 == 0 ? 0 : r.nextDouble(extent / 6));
            y[i] = r.nextDouble(extent);
        }
        return new SitePositions(x, y);
    }

    static String[] ids(int n) {
        String[] s = new String[n];
        for (int i = 0; i < n; i++) s[i] = "s" + i;
        return s;
    }

    MemorySink run(SitePositions p, int[] targets, Geolocator.Options o, double[] betas, RegionRaster region)
            throws Exception {
        MemorySink sink = new MemorySink();
        try (BufferAllocator alloc = Memory.child("GeolocatorTest");
                JavaKernels k = new JavaKernels(2)) {
            Geolocator.Stats s =
                    new Geolocator(k, alloc).run(p, ids(p.size()), betas, targets, o, region, sink, null, null);
            assertEquals(targets.length, s.maps());
            assertEquals(0, alloc.getAllocatedMemory(), "every buffer given back");
        }
        return sink;
    }

    @Test
    void spdiMapsMatchTheReferenceAcrossTilesAndBatches() throws Exception {
        SitePositions p = layout(3, 80, 9_000);
        int[] targets = {0, 5, 17, 42, 79, 33, 12};
        // 30-pixel windows, tiles of 20 pixels and batches of 3: several tiles, partial batches
        Geolocator.Options o = new Geolocator.Options(Method.SPDI, 1.7, 4, 30, 100, 3, 20);
        MemorySink sink = run(p, targets, o, null, null);
        for (int t : targets) {
            GridSpec w = GridSpec.window(p.x()[t], p.y()[t], 30, 100);
            assertEquals(w, sink.grids.get("s" + t));
            double l1 = Reference.l1(Reference.spdiMap(p, t, w, 1.7, 4, null), sink.maps.get("s" + t));
            assertTrue(l1 <= 1e-4, "site " + t + " L1 " + l1);
        }
    }

    @Test
    void legacyUsesPerSiteBetaAndVoronoiMatches() throws Exception {
        SitePositions p = layout(4, 50, 6_000);
        int[] targets = Geolocator.all(p.size());
        double[] betas = new double[p.size()];
        for (int i = 0; i < betas.length; i++) betas[i] = 3 + i % 3;
        MemorySink legacy =
                run(p, targets, new Geolocator.Options(Method.SPDI_LEGACY, 0, 5, 20, 100, 4, 1000), betas, null);
        MemorySink vor = run(p, targets, new Geolocator.Options(Method.VORONOI, 0, 5, 20, 100, 4, 1000), null, null);
        for (int t = 0; t < p.size(); t += 7) {
            GridSpec w = GridSpec.window(p.x()[t], p.y()[t], 20, 100);
            assertTrue(Reference.l1(Reference.spdiMap(p, t, w, betas[t], 5, null), legacy.maps.get("s" + t)) <= 1e-4);
            assertTrue(Reference.l1(Reference.voronoiMap(p, t, w, null), vor.maps.get("s" + t)) <= 1e-6);
        }
    }

    @Test
    void regionMaskZeroesOutsidePixelsAndKeepsUnmaskedWhenNothingIsInside() throws Exception {
        SitePositions p = new SitePositions(new double[] {1_000, 2_500, 9_000}, new double[] {1_000, 1_200, 1_000});
        // the region: x < 2,000 m
        RegionRaster west = (g, dst) -> {
            for (int r = 0; r < g.height(); r++)
                for (int c = 0; c < g.width(); c++)
                    dst.setByte((long) r * g.width() + c, (byte) (g.centreX(c) < 2_000 ? 1 : 0));
        };
        Geolocator.Options o = new Geolocator.Options(Method.SPDI, 2, 2, 24, 100, 2, 1000);
        MemorySink sink = run(p, new int[] {0, 2}, o, null, west);
        GridSpec w0 = GridSpec.window(1_000, 1_000, 24, 100);
        boolean[] inside = new boolean[(int) w0.pixels()];
        for (int r = 0; r < 24; r++) for (int c = 0; c < 24; c++) inside[r * 24 + c] = w0.centreX(c) < 2_000;
        assertTrue(Reference.l1(Reference.spdiMap(p, 0, w0, 2, 2, inside), sink.maps.get("s0")) <= 1e-4);
        // site 2's window (x from 7,800 m) lies wholly outside the region: kept unmasked, still sums to 1
        GridSpec w2 = GridSpec.window(9_000, 1_000, 24, 100);
        assertTrue(Reference.l1(Reference.spdiMap(p, 2, w2, 2, 2, null), sink.maps.get("s2")) <= 1e-4);
    }

    @Test
    void densityClassesFollowTheDocumentedThresholds() {
        // a 7-site cluster 500 m apart (urban) and a lone far site (rural)
        double[] x = {0, 500, 1000, 0, 500, 1000, 250, 100_000}, y = {0, 0, 0, 500, 500, 500, 250, 0};
        List<Site> sites = new java.util.ArrayList<>();
        for (int i = 0; i < x.length; i++)
            sites.add(new Site("s" + i, x[i], y[i], i == 3 ? "suburban" : null, null, i + 2));
        String[] cls = Urbanisation.classes(sites, new SitePositions(x, y));
        assertEquals("urban", cls[0]);
        assertEquals("suburban", cls[3]); // the env column wins
        assertEquals("rural", cls[7]);
        assertEquals(5.0, Urbanisation.legacyBeta("urban"));
    }
}
