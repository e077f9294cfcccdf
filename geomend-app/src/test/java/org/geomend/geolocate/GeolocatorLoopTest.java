package org.geomend.geolocate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
import org.junit.jupiter.api.Test;

/**
 * The loop around a drawer that does not share a raster (VoronoiBoost, the U-Nets): target order, batches, resume,
 * per-window region masks and both fallbacks, whatever the drawer.
 */
class GeolocatorLoopTest {

    /** Puts mass 1 on every pixel the mask keeps; site 1 draws nothing (no mass); records the batches it saw. */
    static final class Uniform implements MapDrawer {
        final List<Integer> batchSizes = new ArrayList<>();
        int tiles;

        @Override
        public Tile tile(GridSpec raster) {
            tiles++;
            if (raster != null) throw new AssertionError("no raster for a drawer that does not share one");
            return (b, sums) -> {
                batchSizes.add(b.size());
                for (int m = 0; m < b.size(); m++) {
                    long px = b.mapPixels(), kept = 0;
                    for (long p = 0; p < px; p++) {
                        boolean in = b.site(m) != 1
                                && (b.mask(m) == null || b.mask(m).getByte(p) != 0);
                        b.maps().setFloat(b.offset(m) + p, in ? 1f : 0f);
                        if (in) kept++;
                    }
                    for (long p = 0; p < px && kept > 0; p++)
                        b.maps().setFloat(b.offset(m) + p, b.maps().getFloat(b.offset(m) + p) / kept);
                    sums[m] = kept;
                }
            };
        }
    }

    @Test
    void targetOrderBatchesResumeMasksAndFallbacks() throws Exception {
        // five sites 10 km apart on a line; the region keeps x < 25 km: sites 3 and 4's windows (4 km) lie outside it
        SitePositions p = new SitePositions(
                new double[] {1_000, 11_000, 21_000, 31_000, 41_000}, new double[] {5_000, 5_000, 5_000, 5_000, 5_000});
        String[] ids = {"a", "b", "c", "d", "e"};
        RegionRaster west = (grid, dst) -> {
            for (int r = 0; r < grid.height(); r++)
                for (int c = 0; c < grid.width(); c++)
                    dst.setByte((long) r * grid.width() + c, (byte) (grid.centreX(c) < 25_000 ? 1 : 0));
        };
        GeolocatorTest.MemorySink sink = new GeolocatorTest.MemorySink();
        Uniform d = new Uniform();
        Geolocator.Stats s;
        try (BufferAllocator alloc = Memory.child("GeolocatorLoopTest")) {
            s = new Geolocator(null, alloc)
                    .run(
                            p,
                            ids,
                            new int[] {4, 0, 3, 1, 2},
                            new Geolocator.Layout(40, 100, 2, 1000),
                            d,
                            west,
                            sink,
                            i -> i == 2,
                            null); // c was written by an interrupted run
            assertEquals(0, alloc.getAllocatedMemory(), "every buffer given back");
        }
        assertEquals(List.of("e", "a", "d", "b"), List.copyOf(sink.maps.keySet())); // target order, c skipped
        assertEquals(4, s.maps());
        assertEquals(0, s.tiles());
        assertEquals(1, d.tiles);
        assertEquals(
                List.of(2, 1, 2, 1, 1), d.batchSizes); // each batch, then its unmasked redraws: (e, a), e; (d, b), d, b
        assertEquals(3, s.unmaskedFallback()); // e and d outside the region, b without mass
        assertEquals(1, s.sitePixelFallback()); // b: no mass even unmasked
        float[] b = sink.maps.get("b");
        GridSpec gb = sink.grids.get("b");
        int col = (int) Math.floor((11_000 - gb.x0()) / 100), row = (int) Math.floor((5_000 - gb.y0()) / 100);
        for (int i = 0; i < b.length; i++) assertEquals(i == row * 40 + col ? 1f : 0f, b[i]);
        assertEquals(1f / 1600, sink.maps.get("e")[0]); // unmasked: uniform over the window
        float[] a = sink.maps.get("a");
        double mass = 0;
        for (float v : a) mass += v;
        assertEquals(1.0, mass, 1e-5);
    }
}
