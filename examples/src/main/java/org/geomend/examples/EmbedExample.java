package org.geomend.examples;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.io.Inventory;
import org.geomend.io.InventoryOptions;
import org.geomend.io.InventoryReader;
import org.geomend.kernels.Backends;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.nbl.NblBackends;
import org.geomend.kernels.nbl.NblResult;
import org.geomend.kernels.nbl.NblScoring;
import org.geomend.nbl.Locator;
import org.geomend.nbl.MapBuilder;
import org.geomend.nbl.NblMap;
import org.geomend.nbl.RecordBatch;
import org.geomend.nbl.Tiles;

/**
 * geomend embedded in another JVM program, through the library API only (no CLI, no files written):
 *
 * <ol>
 *   <li>{@link #spdiMaps}: reads an inventory and draws the sPDI maps of some of its sites into a buffer the caller
 *       owns (one float32 map of {@code window x window} pixels per site, SPEC lattice, each summing to 1);</li>
 *   <li>{@link #coverageMap} and {@link #locate}: builds an NBL coverage map from GPS-tagged measurements and places
 *       measurement records with it (weighted average, Web Mercator metres converted to WGS84).</li>
 * </ol>
 * Memory: every off-heap buffer comes from a named child of the process root ({@link Memory#child}); closing a
 * buffer releases it, and any use after that throws {@link IllegalStateException}. Backends: {@code auto} is the GPU
 * when one starts, else Java (pass {@code "java"} to never try a GPU).
 *
 * <p>Run: {@code java -cp geomend-app/target/geomend.jar:examples/target/classes org.geomend.examples.EmbedExample
 * SITES.csv MEASUREMENTS.csv} (with the JVM flags of the {@code ./geomend} launcher).
 */
public final class EmbedExample {

    private EmbedExample() {}

    /**
     * The sPDI maps (beta, k = 5) of the first {@code count} sites of {@code sitesCsv}, on {@code window}-pixel windows
     * at {@code resolution} metres, into {@code out} (FLOAT32, at least {@code count * window * window} elements,
     * map m from element {@code m * window * window}, row-major from the south-west pixel). Returns each map's mass
     * before normalisation (0: nothing drawn).
     */
    public static double[] spdiMaps(
            Path sitesCsv,
            int count,
            int window,
            double resolution,
            double beta,
            GeoKernels kernels,
            BufferAllocator allocator,
            GridBuffer out) {
        Inventory inv = InventoryReader.read(sitesCsv, InventoryOptions.defaults());
        SitePositions pos = inv.positions();
        int n = Math.min(count, inv.size()), k = 5;
        double[] sums = new double[n];
        for (int m = 0; m < n; m++) {
            // each map on its own window: the neighbour raster is the window itself (geolocate shares one raster per
            // tile of windows instead; same maps)
            GridSpec w = GridSpec.window(pos.x()[m], pos.y()[m], window, resolution);
            try (KnnRaster knn = new KnnRaster(
                            w, k + 1, GridBuffer.allocate(allocator, GridBuffer.Type.INT32, w.pixels() * (k + 1)));
                    GridBuffer one = GridBuffer.allocate(allocator, GridBuffer.Type.FLOAT32, w.pixels())) {
                kernels.nearestSites(pos, knn);
                MapBatch b = new MapBatch(
                        1, window, window, new int[] {m}, new int[] {0}, new int[] {0}, new double[] {beta}, one);
                kernels.spdiMaps(pos, knn, k, b);
                double[] s = new double[1];
                kernels.normalize(b, w, null, s);
                sums[m] = s[0];
                MemorySegment.copy(
                        one.segment(), 0, out.segment(), m * w.pixels() * Float.BYTES, w.pixels() * Float.BYTES);
            }
        }
        return sums;
    }

    /** A coverage map at {@code zoom} from measurement files (the long CSV of {@code geomend nbl build}). */
    public static NblMap coverageMap(List<Path> measurements, int zoom) throws IOException {
        return new MapBuilder(zoom, null, 0, null).build(MapBuilder.RowSource.files(measurements));
    }

    /** One measurement of a record to place: a cell and what was measured (NaN: not reported). */
    public record Measurement(String cell, double rsrp, double rssi, double ta) {}

    /** Places one record (its measurements) on {@code map}: {lat, lon} of the weighted average, NaN when not placed. */
    public static double[] locate(NblMap map, NblScoring scoring, List<Measurement> record) {
        RecordBatch rb = new RecordBatch(map.cellIndex(), 1);
        for (Measurement m : record) rb.row("r", Double.NaN, Double.NaN, m.cell(), m.rsrp(), m.rssi(), m.ta());
        rb.endRecord();
        NblResult r = new Locator(map, scoring).score(rb, true, null);
        if (r.candidates[0] == 0) return new double[] {Double.NaN, Double.NaN};
        return new double[] {Tiles.latOfMerc(r.waY[0]), Tiles.lonOfMerc(r.waX[0])};
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: EmbedExample SITES.csv MEASUREMENTS.csv");
            System.exit(2);
        }
        int count = 4, window = 200;
        try (BufferAllocator alloc = Memory.child("embed-example");
                GeoKernels kernels = Backends.select("auto", 0, System.err);
                GridBuffer maps = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, (long) count * window * window)) {
            double[] sums = spdiMaps(Path.of(args[0]), count, window, 100, 2.0, kernels, alloc, maps);
            System.out.printf(
                    "%d sPDI maps of %d x %d pixels drawn on backend %s; masses before normalisation %s%n",
                    sums.length, window, window, kernels.name(), java.util.Arrays.toString(sums));
        }
        NblMap map = coverageMap(List.of(Path.of(args[1])), 19);
        try (NblScoring scoring = NblBackends.select("auto", 0, System.err)) {
            String cell = map.cellId(0);
            double[] ll = locate(map, scoring, List.of(new Measurement(cell, -90, Double.NaN, Double.NaN)));
            System.out.printf(
                    "coverage map: %d cells, %d tiles; a record hearing %s at -90 dBm is at %.6f, %.6f%n",
                    map.numCells(), map.numTiles(), cell, ll[0], ll[1]);
        }
    }
}
