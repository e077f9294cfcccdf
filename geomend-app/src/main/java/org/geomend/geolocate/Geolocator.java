package org.geomend.geolocate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntPredicate;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.io.MapSink;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.SitePositions;

/**
 * The one drawing loop: the maps of a set of target sites, drawn by a {@link MapDrawer} (any method) on their SPEC
 * windows and streamed to a {@link MapSink}.
 *
 * <p>Drawers that {@link MapDrawer#sharesRaster() share a raster} (the closed-form methods) are tiled: targets are
 * grouped by the tile (of {@code tileCore x tileCore} pixels on the global lattice) holding their window's corner,
 * and each tile's raster (the union of its targets' windows) is handed to the drawer once, with the region mask
 * painted on it; other drawers get the targets in order and a region mask per window. Maps are drawn in batches
 * into two alternating buffers while a writer thread streams the previous batch to the sink, so memory is bounded
 * by one raster, its region mask and two batches, whatever the inventory's size.
 *
 * <p>Fallbacks, for every method: a map with no mass inside the region is redrawn unmasked (counted); a map with
 * no mass at all (a Voronoi cell holding no pixel centre, e.g. a site within a pixel of another one; a model's
 * map without mass) puts all its mass on the pixel holding the site (counted). Targets for which {@code skip} holds
 * (resume) are left out.
 */
public final class Geolocator {

    /** The grid and the work's shape: window side and resolution, maps per batch, tile side (tiled drawers). */
    public record Layout(int window, double resolution, int batch, int tileCore) {
        public Layout {
            if (window < 1 || window > 8192)
                throw new IllegalArgumentException("--window must be in [1, 8192]: " + window);
            if (!(resolution > 0)) throw new IllegalArgumentException("--resolution must be > 0: " + resolution);
            if (batch < 1) throw new IllegalArgumentException("batch must be >= 1");
            if (tileCore < 1) throw new IllegalArgumentException("--tile must be >= 1: " + tileCore);
        }

        public GridSpec window(SitePositions p, int site) {
            return GridSpec.window(p.x()[site], p.y()[site], window, resolution);
        }
    }

    /** How to draw a closed-form method: method, sPDI beta and k, window side and resolution, batch size, tile side. */
    public record Options(Method method, double beta, int k, int window, double resolution, int batch, int tileCore) {
        public Options {
            if (!method.closedForm())
                throw new IllegalArgumentException("method " + method.cliName + " is not a closed-form method");
            if (k < 1 || k > 8) throw new IllegalArgumentException("--k must be in [1, 8]: " + k);
            if (window < 1 || window > 8192)
                throw new IllegalArgumentException("--window must be in [1, 8192]: " + window);
            if (!(resolution > 0)) throw new IllegalArgumentException("--resolution must be > 0: " + resolution);
            if (method == Method.SPDI && !(beta > 0)) throw new IllegalArgumentException("--beta must be > 0: " + beta);
            if (batch < 1) throw new IllegalArgumentException("batch must be >= 1");
        }

        public static Options defaults(Method method) {
            return new Options(method, 2.0, 5, 600, 100, 16, 1000);
        }

        public int neighbours() {
            return method == Method.VORONOI ? 1 : k + 1;
        }

        public Layout layout() {
            return new Layout(window, resolution, batch, tileCore);
        }
    }

    /**
     * What a run did.
     *
     * @param tiles             rasters handed to the drawer (0 for drawers that do not share one)
     * @param unmaskedFallback  maps with no mass inside the region, kept unmasked
     * @param sitePixelFallback maps with no mass at all: all their mass is put on the pixel holding the site
     */
    public record Stats(
            int maps,
            int tiles,
            long rasterPixels,
            int unmaskedFallback,
            int sitePixelFallback,
            double seconds,
            long bytesWritten) {
        public double mapsPerSecond() {
            return seconds > 0 ? maps / seconds : 0;
        }
    }

    /** Told after each finished batch. */
    @FunctionalInterface
    public interface Progress {
        void done(int maps, int total);
    }

    private final GeoKernels kernels;
    private final BufferAllocator allocator;

    /** {@code kernels} are for the closed-form {@link #run(SitePositions, String[], double[], int[], Options, RegionRaster, MapSink, IntPredicate, Progress) run} only (may be null otherwise). */
    public Geolocator(GeoKernels kernels, BufferAllocator allocator) {
        this.kernels = kernels;
        this.allocator = allocator;
    }

    /**
     * A closed-form method ({@link ClosedFormDrawer}).
     *
     * @param positions all sites of the inventory (every one takes part in the neighbour search)
     * @param ids       id of every site, for the sink
     * @param betas     per-site beta for legacy sPDI (null otherwise)
     * @param targets   indices of the sites whose maps are drawn
     * @param region    region mask painter, or null
     * @param skip      targets already done (resume), or null
     */
    public Stats run(
            SitePositions positions,
            String[] ids,
            double[] betas,
            int[] targets,
            Options o,
            RegionRaster region,
            MapSink sink,
            IntPredicate skip,
            Progress progress)
            throws IOException {
        try (MapDrawer d = new ClosedFormDrawer(kernels, allocator, positions, o.method(), o.beta(), o.k(), betas)) {
            return run(positions, ids, targets, o.layout(), d, region, sink, skip, progress);
        }
    }

    /**
     * Draws the maps of {@code targets} with {@code drawer} and writes them to {@code sink}.
     *
     * @param positions all sites of the inventory
     * @param ids       id of every site, for the sink
     * @param targets   indices of the sites whose maps are drawn
     * @param region    region mask painter, or null
     * @param skip      targets already done (resume), or null
     */
    public Stats run(
            SitePositions positions,
            String[] ids,
            int[] targets,
            Layout o,
            MapDrawer drawer,
            RegionRaster region,
            MapSink sink,
            IntPredicate skip,
            Progress progress)
            throws IOException {
        long t0 = System.nanoTime();
        boolean tiled = drawer.sharesRaster();
        List<List<Integer>> groups = new ArrayList<>();
        if (tiled) {
            Map<Long, List<Integer>> tiles = new TreeMap<>();
            for (int t : targets) {
                if (skip != null && skip.test(t)) continue;
                GridSpec w = o.window(positions, t);
                long tx = Math.floorDiv(w.latticeCol(), o.tileCore()), ty = Math.floorDiv(w.latticeRow(), o.tileCore());
                tiles.computeIfAbsent(ty * (1L << 32) + tx, key -> new ArrayList<>())
                        .add(t);
            }
            groups.addAll(tiles.values());
        } else {
            List<Integer> all = new ArrayList<>();
            for (int t : targets) if (skip == null || !skip.test(t)) all.add(t);
            if (!all.isEmpty()) groups.add(all);
        }
        int total = groups.stream().mapToInt(List::size).sum();
        long mapPixels = (long) o.window() * o.window();
        int done = 0, fallback = 0, pointFallback = 0, tileCount = 0;
        long rasterPixels = 0;
        ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "geomend-writer");
            th.setDaemon(true);
            return th;
        });
        GridBuffer[] buffers = {
            GridBuffer.allocate(allocator, GridBuffer.Type.FLOAT32, o.batch() * mapPixels),
            GridBuffer.allocate(allocator, GridBuffer.Type.FLOAT32, o.batch() * mapPixels)
        };
        GridBuffer[] windowMasks = null;
        Future<?>[] pending = new Future<?>[2];
        int which = 0;
        try {
            if (region != null && !tiled) {
                windowMasks = new GridBuffer[Math.min(o.batch(), Math.max(1, total))];
                for (int i = 0; i < windowMasks.length; i++)
                    windowMasks[i] = GridBuffer.allocate(allocator, GridBuffer.Type.UINT8, mapPixels);
            }
            for (List<Integer> group : groups) {
                GridSpec raster = tiled ? unionOfWindows(positions, group, o) : null;
                if (tiled) {
                    rasterPixels += raster.pixels();
                    tileCount++;
                }
                // the writer may still read the other buffer, never the raster or the masks: they are not shared with
                // it
                try (MapDrawer.Tile tile = drawer.tile(raster);
                        GridBuffer mask = region == null || !tiled
                                ? null
                                : GridBuffer.allocate(allocator, GridBuffer.Type.UINT8, raster.pixels())) {
                    if (mask != null) region.rasterize(raster, mask);
                    for (int from = 0; from < group.size(); from += o.batch()) {
                        int n = Math.min(o.batch(), group.size() - from);
                        await(pending[which]);
                        GridBuffer buf = buffers[which];
                        int[] sites = new int[n];
                        GridSpec[] windows = new GridSpec[n];
                        for (int m = 0; m < n; m++) {
                            sites[m] = group.get(from + m);
                            windows[m] = o.window(positions, sites[m]);
                            if (windowMasks != null) region.rasterize(windows[m], windowMasks[m]);
                        }
                        DrawBatch b = new DrawBatch(
                                sites,
                                windows,
                                buf,
                                raster,
                                mask,
                                windowMasks == null ? null : java.util.Arrays.copyOf(windowMasks, n));
                        Fallbacks f = draw(tile, positions, b, allocator);
                        fallback += f.unmasked();
                        pointFallback += f.sitePixel();
                        pending[which] = writer.submit(() -> {
                            try {
                                for (int m = 0; m < n; m++)
                                    sink.write(ids[sites[m]], windows[m], buf.segment(), b.offset(m));
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                            return null;
                        });
                        which ^= 1;
                        done += n;
                        if (progress != null) progress.done(done, total);
                    }
                }
            }
            await(pending[0]);
            await(pending[1]);
        } finally {
            writer.shutdownNow();
            for (Future<?> f : pending)
                if (f != null)
                    try {
                        f.get();
                    } catch (Exception ignored) {
                    }
            buffers[0].close();
            buffers[1].close();
            if (windowMasks != null) for (GridBuffer g : windowMasks) if (g != null) g.close();
        }
        return new Stats(
                done,
                tileCount,
                rasterPixels,
                fallback,
                pointFallback,
                (System.nanoTime() - t0) / 1e9,
                sink.bytesWritten());
    }

    /** How many maps of a batch fell back: drawn without the region mask, or all their mass on the site's pixel. */
    public record Fallbacks(int unmasked, int sitePixel) {}

    /**
     * Draws batch {@code b} with {@code tile}, then the fallbacks: a map with no mass inside the region is redrawn
     * unmasked; a map with no mass at all gets all of it on the pixel holding its site. What {@link #run} does per
     * batch, for callers that keep the maps in memory (eval).
     */
    public static Fallbacks draw(MapDrawer.Tile tile, SitePositions positions, DrawBatch b, BufferAllocator allocator)
            throws IOException {
        double[] sums = new double[b.size()];
        tile.draw(b, sums);
        int unmasked = 0, pixel = 0;
        for (int m = 0; m < b.size(); m++) {
            if (sums[m] > 0) continue;
            if (b.masked()) {
                // nothing of this map lies inside the region: keep the unmasked map rather than an empty one
                unmasked++;
                if (redrawUnmasked(tile, b, m, allocator) > 0) continue;
            }
            // no mass anywhere (an empty Voronoi cell): the site's own pixel gets it all
            pixel++;
            sitePixel(positions, b, m);
        }
        return new Fallbacks(unmasked, pixel);
    }

    /** Redraws map {@code m} of {@code b} without the region mask; returns its mass before normalisation. */
    private static double redrawUnmasked(MapDrawer.Tile tile, DrawBatch b, int m, BufferAllocator allocator)
            throws IOException {
        long px = b.mapPixels();
        try (GridBuffer one = GridBuffer.allocate(allocator, GridBuffer.Type.FLOAT32, px)) {
            DrawBatch single =
                    new DrawBatch(new int[] {b.site(m)}, new GridSpec[] {b.window(m)}, one, b.raster(), null, null);
            double[] sum = new double[1];
            tile.draw(single, sum);
            if (sum[0] > 0) MemorySegment.copy(one.segment(), 0, b.maps().segment(), b.offset(m) * 4, px * 4);
            return sum[0];
        }
    }

    /** Map {@code m} becomes 1 on the window pixel holding its site, 0 elsewhere. */
    static void sitePixel(SitePositions positions, DrawBatch b, int m) {
        int i = b.site(m);
        GridSpec w = b.window(m);
        int col =
                (int) Math.min(w.width() - 1, Math.max(0, Math.floor((positions.x()[i] - w.x0()) / w.resolution())));
        int row =
                (int) Math.min(w.height() - 1, Math.max(0, Math.floor((positions.y()[i] - w.y0()) / w.resolution())));
        MemorySegment seg = b.maps().segment();
        long off = b.offset(m) * 4;
        seg.asSlice(off, b.mapPixels() * 4).fill((byte) 0);
        seg.set(GridBuffer.F32, off + ((long) row * w.width() + col) * 4, 1f);
    }

    /** The smallest lattice-aligned raster holding the windows of all {@code sites}. */
    static GridSpec unionOfWindows(SitePositions p, List<Integer> sites, Layout o) {
        long c0 = Long.MAX_VALUE, r0 = Long.MAX_VALUE, c1 = Long.MIN_VALUE, r1 = Long.MIN_VALUE;
        for (int i : sites) {
            GridSpec w = o.window(p, i);
            c0 = Math.min(c0, w.latticeCol());
            r0 = Math.min(r0, w.latticeRow());
            c1 = Math.max(c1, w.latticeCol() + o.window());
            r1 = Math.max(r1, w.latticeRow() + o.window());
        }
        return new GridSpec(
                c0 * o.resolution(),
                r0 * o.resolution(),
                o.resolution(),
                Math.toIntExact(c1 - c0),
                Math.toIntExact(r1 - r0));
    }

    private static void await(Future<?> f) throws IOException {
        if (f == null) return;
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IOException(e.getCause());
        }
    }

    static int[] all(int n) {
        int[] a = new int[n];
        Arrays.setAll(a, i -> i);
        return a;
    }
}
