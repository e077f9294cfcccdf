package org.geomend.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.BetaSweep;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.java.JavaKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The teacher's beta search on one 600 x 600 window (100 m pixels, k = 5, the 119 betas 0.1:6:0.05) of the 4,000-site
 * layout of {@link KernelBench}, against a fixed reference map: the batched {@code spdiBetaSweep}, the sub-batches of
 * 24 maps that {@code spdi-oracle} drew before it ({@code spdiMaps + normalize + ks2Batch}), and the simplest loop, one
 * map at a time ({@code spdiMaps + normalize + ks2} per beta). The neighbour raster is built once, outside the timing.
 * Run: {@code java -jar bench/target/geomend-bench.jar TeacherSweepBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-modules=jdk.incubator.vector",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow"
        })
public class TeacherSweepBench {

    static final int W = 600, K = 5, SUB_BATCH = 24;

    @Param({"0"})
    public int threads;

    BufferAllocator alloc;
    JavaKernels kernels;
    SitePositions sites;
    KnnRaster knn;
    GridBuffer ref, maps;
    double[] betas;
    int site;

    @Setup(Level.Trial)
    public void setUp() {
        alloc = Memory.child("bench-teacher-sweep");
        kernels = new JavaKernels(threads);
        sites = BenchData.clustered(4000, 200_000, 7);
        site = 0;
        GridSpec window = GridSpec.window(sites.x()[site], sites.y()[site], W, 100);
        knn = new KnnRaster(
                window, K + 1, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, window.pixels() * (K + 1)));
        kernels.nearestSites(sites, knn);
        betas = new double[119];
        for (int i = 0; i < betas.length; i++) betas[i] = Math.round((0.1 + i * 0.05) * 1e9) / 1e9;
        // the reference: the site's sPDI at beta 2.35 (any normalised map of the window would do)
        ref = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, window.pixels());
        MapBatch b = batch(1, new double[] {2.35}, ref);
        kernels.spdiMaps(sites, knn, K, b);
        kernels.normalize(b, window, null, new double[1]);
        maps = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, SUB_BATCH * window.pixels());
    }

    MapBatch batch(int n, double[] beta, GridBuffer buf) {
        int[] zero = new int[n], s = new int[n];
        Arrays.fill(s, site);
        return new MapBatch(n, W, W, s, zero, zero, beta, buf);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        knn.close();
        ref.close();
        maps.close();
        kernels.close();
        alloc.close();
    }

    @Benchmark
    public double batchedSweep() {
        double[] ks = new double[betas.length], sums = new double[betas.length];
        kernels.spdiBetaSweep(sites, knn, K, new BetaSweep(site, 0, 0, W, W, betas), ref, 0, ks, sums);
        return ks[0];
    }

    @Benchmark
    public double oracleSubBatches() {
        double best = Double.POSITIVE_INFINITY;
        double[] ks = new double[SUB_BATCH], sums = new double[SUB_BATCH];
        for (int from = 0; from < betas.length; from += SUB_BATCH) {
            int n = Math.min(SUB_BATCH, betas.length - from);
            MapBatch b = batch(n, Arrays.copyOfRange(betas, from, from + SUB_BATCH), maps);
            kernels.spdiMaps(sites, knn, K, b);
            kernels.normalize(b, knn.grid(), null, sums);
            kernels.ks2Batch(ref, 0, maps, n, W, W, ks);
            for (int j = 0; j < n; j++) best = Math.min(best, ks[j]);
        }
        return best;
    }

    @Benchmark
    @Warmup(iterations = 1)
    @Measurement(iterations = 2)
    public double oneMapAtATime() {
        double best = Double.POSITIVE_INFINITY;
        double[] sums = new double[1];
        for (double beta : betas) {
            MapBatch b = batch(1, new double[] {beta}, maps);
            kernels.spdiMaps(sites, knn, K, b);
            kernels.normalize(b, knn.grid(), null, sums);
            best = Math.min(best, kernels.ks2(ref, 0, maps, 0, W, W));
        }
        return best;
    }
}
