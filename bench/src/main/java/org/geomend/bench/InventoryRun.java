package org.geomend.bench;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.geo.Projections;
import org.geomend.geolocate.Geolocator;
import org.geomend.geolocate.Method;
import org.geomend.io.Inventory;
import org.geomend.io.InventoryOptions;
import org.geomend.io.InventoryReader;
import org.geomend.io.MapSink;
import org.geomend.io.MapSinks;
import org.geomend.io.SparseSelection;
import org.geomend.kernels.Backends;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.geomend.kernels.Reference;
import org.geomend.kernels.SitePositions;

/**
 * The whole-inventory benchmark: one national geolocation run (the same {@link Geolocator} the CLI uses)
 * timed end to end, against the simplest correct Java loop on a sample of the same sites.
 *
 * <pre>
 * java [Arrow flags] -cp bench/target/geomend-bench.jar org.geomend.bench.InventoryRun \
 *     --sites FILE [--operator CODE] | --synthetic N
 *     [--method spdi] [--beta 2] [--k 5] [--out FILE.arrow [--sparse] [--drop-mass 3e-2]]
 *     [--probe-drop-mass 0,1e-5,1e-4,1e-3] [--every N] [--naive 3] [--backend auto|java|cuda] [--threads 0]
 *     [--report FILE.md]
 * </pre>
 *
 * <p>Without {@code --out}, maps are drawn and discarded (kernel throughput). With
 * {@code --probe-drop-mass}, nothing is written either: each map's sparse selection is computed for every
 * listed drop mass and the size a sparse Arrow file would have is reported (8 bytes per kept pixel plus
 * the per-row columns), which is how the default {@code --drop-mass} was chosen. {@code --every N} keeps
 * every N-th site as a target (all sites still shape the maps). {@code --naive N} times the simplest
 * correct loop ({@link Reference#spdiMap}: per pixel, brute-force nearest sites over the whole
 * inventory, then the literal 2^k sum in float64, one thread) on N targets and reports the ratio.
 */
public final class InventoryRun {

    /** Per-row bytes of a sparse Arrow map besides its pixels: id (~8), x0, y0, resolution, width, height, crs (~9), two list offsets. */
    static final int SPARSE_ROW_OVERHEAD = 8 + 8 * 3 + 4 * 2 + 9 + 8 + 4 * 2;

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = parse(argv);
        Locale.setDefault(Locale.ROOT);
        String method = a.getOrDefault("method", "spdi");
        double beta = Double.parseDouble(a.getOrDefault("beta", "2"));
        int k = Integer.parseInt(a.getOrDefault("k", "5"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "0"));
        int every = Integer.parseInt(a.getOrDefault("every", "1"));
        int naive = Integer.parseInt(a.getOrDefault("naive", "0"));
        StringBuilder rep = new StringBuilder();

        long tRead = System.nanoTime();
        SitePositions pos;
        String[] ids;
        String source;
        if (a.containsKey("synthetic")) {
            int n = Integer.parseInt(a.get("synthetic"));
            pos = BenchData.clustered(n, 800_000, 11);
            ids = new String[n];
            for (int i = 0; i < n; i++) ids[i] = Integer.toString(i);
            source = "synthetic clustered layout, " + n + " sites over 800 km x 800 km";
        } else {
            Path file = Path.of(require(a, "sites"));
            Inventory inv = InventoryReader.read(
                    file, new InventoryOptions(null, a.get("operator"), a.containsKey("skip-bad-rows"), System.err));
            pos = inv.positions();
            ids = inv.sites().stream().map(org.geomend.io.Site::id).toArray(String[]::new);
            source = file.getFileName() + (a.containsKey("operator") ? " operator " + a.get("operator") : "") + ": "
                    + ids.length + " sites (" + inv.mergedDuplicates() + " co-located rows merged)";
        }
        double readS = (System.nanoTime() - tRead) / 1e9;
        int[] targets = java.util.stream.IntStream.range(0, ids.length)
                .filter(i -> i % every == 0)
                .toArray();

        Method m = Method.parse(method);
        if (!m.closedForm() || m == Method.SPDI_LEGACY) throw new IllegalArgumentException("--method voronoi or spdi");
        Geolocator.Options o = new Geolocator.Options(m, beta, k, 600, 100, 16, 1000);
        double[] probe = a.containsKey("probe-drop-mass")
                ? Arrays.stream(a.get("probe-drop-mass").split(","))
                        .mapToDouble(Double::parseDouble)
                        .toArray()
                : null;

        rep.append("# Whole-inventory run (").append(Instant.now()).append(")\n\n");
        rep.append("- inventory: ")
                .append(source)
                .append(", read in ")
                .append(String.format("%.2f s", readS))
                .append('\n');
        rep.append("- targets: ")
                .append(targets.length)
                .append(every > 1 ? " (every " + every + "th site)" : "")
                .append('\n');
        rep.append("- method: ")
                .append(m.cliName)
                .append(m == Method.SPDI ? ", beta " + beta + ", k " + k : "")
                .append(", 600 x 600 windows of 100 m\n");
        rep.append("- machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ")
                .append(Runtime.version())
                .append(", max heap ")
                .append(Runtime.getRuntime().maxMemory() >> 20)
                .append(" MiB\n");

        Geolocator.Stats s;
        long[] probeKept = probe == null ? null : new long[probe.length];
        ProbeSink probeSink = null;
        try (BufferAllocator alloc = Memory.child("bench-inventory-run");
                GeoKernels kernels = Backends.select(a.getOrDefault("backend", "auto"), threads, System.err);
                MapSink sink = a.containsKey("out")
                        ? MapSinks.open(
                                "arrow",
                                Path.of(a.get("out")),
                                Projections.LAMBERT_93,
                                a.containsKey("sparse"),
                                Double.parseDouble(
                                        a.getOrDefault("drop-mass", Double.toString(MapSinks.DEFAULT_DROP_MASS))),
                                false,
                                MapSinks.geomendMetadata(
                                        m.cliName, Map.of("beta", Double.toString(beta), "k", Integer.toString(k))))
                        : probe != null
                                ? (probeSink = new ProbeSink(probe, probeKept))
                                : MapSink.of((id, grid, values, off) -> {})) {
            rep.append("- backend: ").append(kernels.name()).append('\n');
            rep.append("- output: ")
                    .append(
                            a.containsKey("out")
                                    ? a.get("out")
                                            + (a.containsKey("sparse")
                                                    ? " (sparse Arrow, drop mass "
                                                            + a.getOrDefault(
                                                                    "drop-mass",
                                                                    Double.toString(MapSinks.DEFAULT_DROP_MASS))
                                                            + ")"
                                                    : " (dense Arrow)")
                                    : probe != null ? "none (sparse sizes probed)" : "none (maps discarded)")
                    .append("\n\n");
            Geolocator g = new Geolocator(kernels, alloc);
            int[] last = {0};
            long start = System.nanoTime();
            s = g.run(pos, ids, null, targets, o, null, sink, null, (done, total) -> {
                if (done - last[0] >= Math.max(1, total / 20) || done == total) {
                    last[0] = done;
                    System.err.printf("  %d / %d maps, %.1f s%n", done, total, (System.nanoTime() - start) / 1e9);
                }
            });
            sink.commit();
            rep.append("| quantity | value |\n|---|---|\n");
            rep.append(
                    String.format("| maps | %d |%n| tiles (shared neighbour rasters) | %d |%n", s.maps(), s.tiles()));
            rep.append(String.format(
                    "| neighbour-raster pixels | %d (%.2f per map pixel) |%n",
                    s.rasterPixels(), s.rasterPixels() / (double) ((long) s.maps() * 360_000)));
            rep.append(String.format(
                    "| wall time | %.1f s |%n| maps/s | %.1f |%n| ms per map | %.2f |%n",
                    s.seconds(), s.mapsPerSecond(), 1000 * s.seconds() / s.maps()));
            if (a.containsKey("out"))
                rep.append(String.format(
                        "| bytes written | %d (%.2f GiB) |%n",
                        sink.bytesWritten(), sink.bytesWritten() / 1073741824.0));
            rep.append(String.format(
                    "| peak off-heap (Arrow) | %d MiB |%n| peak RSS | %s |%n", Memory.peakBytes() >> 20, peakRss()));
        }
        if (probe != null) {
            rep.append(
                    "\n| --drop-mass | kept pixels per map | sparse Arrow size (these maps) | scaled to 24,337 maps | KS2(map, sparse map) mean | max |\n|---|---|---|---|---|---|\n");
            for (int j = 0; j < probe.length; j++) {
                double bytes = probeKept[j] * 8.0 + (double) s.maps() * SPARSE_ROW_OVERHEAD;
                rep.append(String.format(
                        "| %g | %.0f | %.2f GiB | %.2f GiB (%.1f GB) | %.2e | %.2e |%n",
                        probe[j],
                        probeKept[j] / (double) s.maps(),
                        bytes / 1073741824.0,
                        bytes / s.maps() * 24_337 / 1073741824.0,
                        bytes / s.maps() * 24_337 / 1e9,
                        probeSink.ks2Sum[j] / s.maps(),
                        probeSink.ks2Max[j]));
            }
        }
        if (naive > 0 && m == Method.SPDI) {
            double[] ms = new double[naive];
            for (int j = 0; j < naive; j++) {
                int t = targets[(int) ((long) j * targets.length / naive)];
                GridSpec w = GridSpec.window(pos.x()[t], pos.y()[t], 600, 100);
                long t0 = System.nanoTime();
                double[] ref = Reference.normalise(Reference.spdiMap(pos, t, w, beta, k, null), null);
                ms[j] = (System.nanoTime() - t0) / 1e6;
                if (!(ref[ref.length / 2] >= 0)) throw new IllegalStateException("bad reference map");
            }
            double naiveMs = Arrays.stream(ms).average().orElse(0);
            double fastMs = 1000 * s.seconds() / s.maps();
            rep.append(String.format(
                    "%n| simplest correct Java loop (brute-force neighbours, literal sum, 1 thread) | %.0f ms per map (%d maps) |%n",
                    naiveMs, naive));
            rep.append(String.format(
                    "|---|---|%n| geomend (tiled shared neighbour rasters, all threads, output included) | %.2f ms per map |%n",
                    fastMs));
            rep.append(String.format("| ratio | %.0fx |%n", naiveMs / fastMs));
            rep.append(String.format(
                    "| the naive loop for all %d maps (extrapolated) | %.1f h |%n",
                    s.maps(), naiveMs * s.maps() / 3.6e6));
        }
        System.out.print(rep);
        if (a.containsKey("report")) {
            Path r = Path.of(a.get("report"));
            if (r.toAbsolutePath().getParent() != null)
                Files.createDirectories(r.toAbsolutePath().getParent());
            Files.writeString(r, rep);
        }
    }

    /**
     * Counts, per drop mass, the pixels a sparse Arrow file would keep, and the KS2 between each map and
     * its sparse form (what the drop costs in the paper's metric).
     */
    static final class ProbeSink implements MapSink {
        final double[] dropMass;
        final long[] kept;
        final double[] ks2Sum, ks2Max;
        final BufferAllocator alloc = Memory.child("bench-inventory-run-sink");
        final org.geomend.kernels.java.JavaKernels ks = new org.geomend.kernels.java.JavaKernels(1);
        GridBuffer dense, sparse;
        float[] buf = new float[0];
        int maps;

        ProbeSink(double[] dropMass, long[] kept) {
            this.dropMass = dropMass;
            this.kept = kept;
            ks2Sum = new double[dropMass.length];
            ks2Max = new double[dropMass.length];
        }

        @Override
        public void write(String id, GridSpec grid, MemorySegment values, long off) {
            int n = (int) grid.pixels();
            if (buf.length < n) {
                buf = new float[n];
                if (dense != null) {
                    dense.close();
                    sparse.close();
                }
                dense = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, n);
                sparse = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, n);
            }
            MemorySegment.copy(values, GridBuffer.F32, off * 4, buf, 0, n);
            MemorySegment.copy(buf, 0, dense.segment(), GridBuffer.F32, 0, n);
            for (int j = 0; j < dropMass.length; j++) {
                SparseSelection sel = SparseSelection.select(buf, n, dropMass[j]);
                kept[j] += sel.size();
                MemorySegment.copy(sel.toDense(n), 0, sparse.segment(), GridBuffer.F32, 0, n);
                double d = ks.ks2(dense, 0, sparse, 0, grid.width(), grid.height());
                ks2Sum[j] += d;
                ks2Max[j] = Math.max(ks2Max[j], d);
            }
            maps++;
        }

        @Override
        public void commit() {}

        @Override
        public long bytesWritten() {
            return 0;
        }

        @Override
        public void close() {
            if (dense != null) {
                dense.close();
                sparse.close();
            }
            ks.close();
            alloc.close();
        }
    }

    static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return line.substring(6).trim();
        } catch (IOException ignored) {
        }
        return "n/a";
    }

    static String require(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) throw new IllegalArgumentException("--" + key + " is required (or --synthetic N)");
        return v;
    }

    static Map<String, String> parse(String[] argv) {
        Map<String, String> a = new java.util.LinkedHashMap<>();
        List<String> flags = List.of("sparse", "skip-bad-rows");
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument: " + argv[i]);
            String key = argv[i].substring(2);
            if (flags.contains(key)) a.put(key, "true");
            else if (i + 1 < argv.length) a.put(key, argv[++i]);
            else throw new IllegalArgumentException("--" + key + " needs a value");
        }
        return a;
    }

    private InventoryRun() {}
}
