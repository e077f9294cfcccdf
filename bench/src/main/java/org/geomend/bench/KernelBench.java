package org.geomend.bench;

import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Memory;
import org.geomend.kernels.Reference;
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
 * Each Java kernel on one 600 x 600 map (100 m pixels) of a 4,000-site clustered layout over 200 km,
 * and the simplest correct Java loop (brute-force neighbours over every site, {@link Reference}'s
 * literal 2^k sum) for the ratio. Run: {@code java -jar bench/target/geomend-bench.jar KernelBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-modules=jdk.incubator.vector",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow"
        })
public class KernelBench {

    static final int W = 600;

    @Param({"0"})
    public int threads;

    BufferAllocator alloc;
    JavaKernels kernels;
    SitePositions sites;
    GridSpec window;
    KnnRaster knn;
    GridBuffer map, map2, map3;
    MapBatch batch, batchAnyBeta;
    int site;

    @Setup(Level.Trial)
    public void setUp() {
        alloc = Memory.child("bench-kernels");
        kernels = new JavaKernels(threads);
        sites = BenchData.clustered(4000, 200_000, 7);
        site = 0;
        window = GridSpec.window(sites.x()[site], sites.y()[site], W, 100);
        knn = new KnnRaster(window, 6, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, window.pixels() * 6));
        kernels.nearestSites(sites, knn);
        map = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, window.pixels());
        map2 = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, window.pixels());
        map3 = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, window.pixels());
        batch = new MapBatch(1, W, W, new int[] {site}, new int[] {0}, new int[] {0}, new double[] {2.0}, map);
        kernels.spdiMaps(sites, knn, 5, batch);
        kernels.normalize(batch, window, null, new double[1]);
        batchAnyBeta = new MapBatch(1, W, W, new int[] {site}, new int[] {0}, new int[] {0}, new double[] {3.7}, map3);
        MapBatch b2 = new MapBatch(1, W, W, new int[] {site}, new int[] {0}, new int[] {0}, new double[] {4.0}, map2);
        kernels.spdiMaps(sites, knn, 5, b2);
        kernels.normalize(b2, window, null, new double[1]);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        knn.close();
        map.close();
        map2.close();
        map3.close();
        kernels.close();
        alloc.close();
    }

    @Benchmark
    public void nearestSites6() {
        kernels.nearestSites(sites, knn);
    }

    @Benchmark
    public void spdiK5() {
        kernels.spdiMaps(sites, knn, 5, batch);
    }

    /** sPDI k = 5 at a beta that is not a multiple of 1/2 (the transcendental path). */
    @Benchmark
    public void spdiK5Beta37() {
        kernels.spdiMaps(sites, knn, 5, batchAnyBeta);
    }

    @Benchmark
    public void voronoi() {
        kernels.voronoiMaps(knn, batch);
    }

    @Benchmark
    public double normalize() {
        double[] s = new double[1];
        kernels.normalize(batch, window, null, s);
        return s[0];
    }

    @Benchmark
    public double ks2Pair() {
        return kernels.ks2(map, 0, map2, 0, W, W);
    }

    /** The simplest correct loop: per pixel, brute-force 6 nearest over all 4,000 sites, then the literal sum. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public double naiveSpdiMap() {
        return Reference.spdiMap(sites, site, window, 2.0, 5, null)[W * W / 2];
    }
}
