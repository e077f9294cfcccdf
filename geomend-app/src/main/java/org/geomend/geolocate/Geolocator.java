package org.geomend.geolocate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.io.MapSink;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.SitePositions;

/**
 * Draws the closed-form maps (Voronoi, sPDI, legacy sPDI) of a set of target sites and streams them to a
 * {@link MapSink}.
 *
 * <p>The work is tiled: targets are grouped by the tile (of {@code tileCore x tileCore} pixels on the
 * global lattice) holding their window's corner; for each tile one {@link KnnRaster} covering the
 * union of its targets' windows is computed once and shared by all of their maps (the neighbour sets of
 * a pixel do not depend on the map being drawn). Maps are drawn in batches into two alternating
 * buffers while a writer thread streams the previous batch to the sink, so memory is bounded by one
 * raster, its region mask and two batches, whatever the inventory's size.
 */
public final class Geolocator {

    /** How to draw: method, sPDI beta and k, window side and resolution, batch size, tile side. */
    public record Options(Method method, double beta, int k, int window, double resolution, int batch, int tileCore) {
        public Options {
            if (!method.closedForm()) throw new IllegalArgumentException("method " + method.cliName + " is not a closed-form method");
            if (k < 1 || k > 8) throw new IllegalArgumentException("--k must be in [1, 8]: " + k);
            if (window < 1 || window > 8192) throw new IllegalArgumentException("--window must be in [1, 8192]: " + window);
            if (!(resolution > 0)) throw new IllegalArgumentException("--resolution must be > 0: " + resolution);
            if (method == Method.SPDI && !(beta > 0)) throw new IllegalArgumentException("--beta must be > 0: " + beta);
            if (batch < 1) throw new IllegalArgumentException("batch must be >= 1");
        }

        public static Options defaults(Method method) { return new Options(method, 2.0, 5, 600, 100, 16, 1000); }

        public int neighbours() { return method == Method.VORONOI ? 1 : k + 1; }
    }

    /** What a run did. */
    /**
     * @param unmaskedFallback maps with no mass inside the region, kept unmasked
     * @param sitePixelFallback maps with no mass at all (a Voronoi cell holding no pixel centre, e.g. a site
     *                          within a pixel of another one): all their mass is put on the pixel holding the site
     */
    public record Stats(int maps, int tiles, long rasterPixels, int unmaskedFallback, int sitePixelFallback, double seconds,
                        long bytesWritten) {
        public double mapsPerSecond() { return seconds > 0 ? maps / seconds : 0; }
    }

    /** Told after each finished batch. */
    @FunctionalInterface
    public interface Progress {
        void done(int maps, int total);
    }

    private final GeoKernels kernels;
    private final BufferAllocator allocator;

    public Geolocator(GeoKernels kernels, BufferAllocator allocator) {
        this.kernels = kernels;
        this.allocator = allocator;
    }

    /**
     * @param positions all sites of the inventory (every one takes part in the neighbour search)
     * @param ids       id of every site, for the sink
     * @param betas     per-site beta for legacy sPDI (null otherwise)
     * @param targets   indices of the sites whose maps are drawn
     * @param region    region mask painter, or null
     * @param skip      targets already done (resume), or null
     */
    public Stats run(SitePositions positions, String[] ids, double[] betas, int[] targets, Options o,
                     RegionRaster region, MapSink sink, java.util.function.IntPredicate skip, Progress progress)
            throws IOException {
        long t0 = System.nanoTime();
        if (o.method() == Method.SPDI_LEGACY && betas == null) throw new IllegalArgumentException("legacy sPDI needs per-site betas");
        Map<Long, List<Integer>> tiles = new TreeMap<>();
        for (int t : targets) {
            if (skip != null && skip.test(t)) continue;
            GridSpec w = GridSpec.window(positions.x()[t], positions.y()[t], o.window(), o.resolution());
            long tx = Math.floorDiv(w.latticeCol(), o.tileCore()), ty = Math.floorDiv(w.latticeRow(), o.tileCore());
            tiles.computeIfAbsent(ty * (1L << 32) + tx, key -> new ArrayList<>()).add(t);
        }
        int total = tiles.values().stream().mapToInt(List::size).sum();
        int kk = o.neighbours();
        long mapPixels = (long) o.window() * o.window();
        int done = 0, fallback = 0, pointFallback = 0;
        long rasterPixels = 0;
        ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "geomend-writer");
            th.setDaemon(true);
            return th;
        });
        GridBuffer[] buffers = {GridBuffer.allocate(allocator, GridBuffer.Type.FLOAT32, o.batch() * mapPixels),
                GridBuffer.allocate(allocator, GridBuffer.Type.FLOAT32, o.batch() * mapPixels)};
        Future<?>[] pending = new Future<?>[2];
        int which = 0;
        try {
            for (List<Integer> tile : tiles.values()) {
                GridSpec raster = unionOfWindows(positions, tile, o);
                rasterPixels += raster.pixels();
                // the writer may still read the other buffer, never the raster: rasters are not shared with it
                try (KnnRaster knn = new KnnRaster(raster, kk, GridBuffer.allocate(allocator, GridBuffer.Type.INT32, raster.pixels() * kk));
                     GridBuffer mask = region == null ? null : GridBuffer.allocate(allocator, GridBuffer.Type.UINT8, raster.pixels())) {
                    kernels.nearestSites(positions, knn);
                    if (mask != null) region.rasterize(raster, mask);
                    for (int from = 0; from < tile.size(); from += o.batch()) {
                        int n = Math.min(o.batch(), tile.size() - from);
                        await(pending[which]);
                        GridBuffer buf = buffers[which];
                        MapBatch b = batch(positions, tile.subList(from, from + n), betas, o, raster, buf);
                        draw(positions, knn, o, b);
                        double[] sums = new double[n];
                        kernels.normalize(b, raster, mask, sums);
                        for (int m = 0; m < n; m++) {
                            if (sums[m] > 0) continue;
                            if (mask != null) {
                                // nothing of this map lies inside the region: keep the unmasked map rather than an empty one
                                fallback++;
                                if (redrawUnmasked(positions, knn, o, b, m, raster) > 0) continue;
                            }
                            // no mass anywhere (an empty Voronoi cell): the site's own pixel gets it all
                            pointFallback++;
                            sitePixel(positions, o, b, m);
                        }
                        pending[which] = writer.submit(() -> {
                            try {
                                for (int m = 0; m < n; m++) {
                                    GridSpec w = GridSpec.window(positions.x()[b.site()[m]], positions.y()[b.site()[m]], o.window(), o.resolution());
                                    sink.write(ids[b.site()[m]], w, buf.segment(), b.offset(m));
                                }
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
            for (Future<?> f : pending) if (f != null) try { f.get(); } catch (Exception ignored) { }
            buffers[0].close();
            buffers[1].close();
        }
        return new Stats(done, tiles.size(), rasterPixels, fallback, pointFallback, (System.nanoTime() - t0) / 1e9, sink.bytesWritten());
    }

    private void draw(SitePositions positions, KnnRaster knn, Options o, MapBatch b) {
        if (o.method() == Method.VORONOI) kernels.voronoiMaps(knn, b);
        else kernels.spdiMaps(positions, knn, o.k(), b);
    }

    /** Redraws map {@code m} without the region mask; returns its mass before normalisation. */
    private double redrawUnmasked(SitePositions positions, KnnRaster knn, Options o, MapBatch b, int m, GridSpec raster) {
        long px = b.mapPixels();
        try (GridBuffer one = GridBuffer.allocate(allocator, GridBuffer.Type.FLOAT32, px)) {
            MapBatch single = new MapBatch(1, b.width(), b.height(), new int[] {b.site()[m]}, new int[] {b.col0()[m]},
                    new int[] {b.row0()[m]}, new double[] {b.beta()[m]}, one);
            draw(positions, knn, o, single);
            double[] sum = new double[1];
            kernels.normalize(single, raster, null, sum);
            if (sum[0] > 0) java.lang.foreign.MemorySegment.copy(one.segment(), 0, b.maps().segment(), b.offset(m) * 4, px * 4);
            return sum[0];
        }
    }

    /** Map {@code m} becomes 1 on the window pixel holding its site, 0 elsewhere. */
    static void sitePixel(SitePositions positions, Options o, MapBatch b, int m) {
        int i = b.site()[m];
        GridSpec w = GridSpec.window(positions.x()[i], positions.y()[i], o.window(), o.resolution());
        int col = (int) Math.min(w.width() - 1, Math.max(0, Math.floor((positions.x()[i] - w.x0()) / w.resolution())));
        int row = (int) Math.min(w.height() - 1, Math.max(0, Math.floor((positions.y()[i] - w.y0()) / w.resolution())));
        java.lang.foreign.MemorySegment seg = b.maps().segment();
        long off = b.offset(m) * 4;
        seg.asSlice(off, b.mapPixels() * 4).fill((byte) 0);
        seg.set(GridBuffer.F32, off + ((long) row * w.width() + col) * 4, 1f);
    }

    private static MapBatch batch(SitePositions p, List<Integer> sites, double[] betas, Options o, GridSpec raster, GridBuffer buf) {
        int n = sites.size();
        int[] s = new int[n], c0 = new int[n], r0 = new int[n];
        double[] beta = new double[n];
        for (int m = 0; m < n; m++) {
            int i = sites.get(m);
            GridSpec w = GridSpec.window(p.x()[i], p.y()[i], o.window(), o.resolution());
            s[m] = i;
            c0[m] = raster.colOffsetOf(w);
            r0[m] = raster.rowOffsetOf(w);
            beta[m] = betas != null ? betas[i] : o.beta();
        }
        return new MapBatch(n, o.window(), o.window(), s, c0, r0, beta, buf);
    }

    /** The smallest lattice-aligned raster holding the windows of all {@code sites}. */
    static GridSpec unionOfWindows(SitePositions p, List<Integer> sites, Options o) {
        long c0 = Long.MAX_VALUE, r0 = Long.MAX_VALUE, c1 = Long.MIN_VALUE, r1 = Long.MIN_VALUE;
        for (int i : sites) {
            GridSpec w = GridSpec.window(p.x()[i], p.y()[i], o.window(), o.resolution());
            c0 = Math.min(c0, w.latticeCol());
            r0 = Math.min(r0, w.latticeRow());
            c1 = Math.max(c1, w.latticeCol() + o.window());
            r1 = Math.max(r1, w.latticeRow() + o.window());
        }
        return new GridSpec(c0 * o.resolution(), r0 * o.resolution(), o.resolution(), Math.toIntExact(c1 - c0), Math.toIntExact(r1 - r0));
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
