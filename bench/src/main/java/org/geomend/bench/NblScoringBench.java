package org.geomend.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.geomend.kernels.nbl.NblBatch;
import org.geomend.kernels.nbl.NblMapArrays;
import org.geomend.kernels.nbl.NblOptions;
import org.geomend.kernels.nbl.NblResult;
import org.geomend.kernels.nbl.NblScoring;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * NBL batch scoring throughput (records/s = ops/s): a zoom-19-like map (tiles ~60 m; each cell covers
 * {@code tilesPerCell} tiles of a 1.5 km disc around it, neighbouring cells overlap) and records of 1-3
 * cells with RSRP, RSSI and, for the serving cell, a PD.
 * Run: {@code java -jar bench/target/geomend-bench.jar NblScoringBench -p threads=2} ({@code -p
 * preset=legacy|plain} for the scoring options before issue 16 or the plain recipe); on a GPU host
 * {@code -p backend=cuda} scores with {@code CudaNblScoring} (unverified; the trial fails when no device
 * starts, it never falls back silently).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class NblScoringBench {

    static final int RECORDS = 1 << 16;

    @Param({"2"})
    int threads;

    @Param({"300"})
    int tilesPerCell;

    @Param({"true"})
    boolean density;

    @Param({"java"})
    String backend;

    /** Scoring options: default, plain or legacy ({@link NblOptions}). */
    @Param({"default"})
    String preset;

    NblOptions options;

    NblMapArrays map;
    NblBatch batch;
    NblResult out;
    NblScoring scoring;

    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(19);
        int side = 400, cells = 600;
        int nt = side * side;
        double[] tx = new double[nt], ty = new double[nt];
        float[] sc = new float[nt], dens = new float[nt];
        for (int t = 0; t < nt; t++) {
            tx[t] = (t % side) * 60.0;
            ty[t] = (t / side) * 60.0;
            sc[t] = 0.7f;
            dens[t] = 1f / nt;
        }
        int[] start = new int[cells + 1];
        double[] cx = new double[cells], cy = new double[cells];
        java.util.List<int[]> lists = new java.util.ArrayList<>();
        int ne = 0;
        for (int c = 0; c < cells; c++) {
            cx[c] = rnd.nextDouble() * side * 60;
            cy[c] = rnd.nextDouble() * side * 60;
            int gx = (int) (cx[c] / 60), gy = (int) (cy[c] / 60);
            java.util.TreeSet<Integer> ts = new java.util.TreeSet<>();
            while (ts.size() < tilesPerCell) {
                int x = gx + (int) (rnd.nextGaussian() * 10), y = gy + (int) (rnd.nextGaussian() * 10);
                if (x >= 0 && y >= 0 && x < side && y < side) ts.add(y * side + x);
            }
            int[] l = ts.stream().mapToInt(Integer::intValue).toArray();
            lists.add(l);
            start[c] = ne;
            ne += l.length;
        }
        start[cells] = ne;
        int[] et = new int[ne];
        float[] mr = new float[ne], ir = new float[ne], mq = new float[ne], iq = new float[ne];
        for (int c = 0, e = 0; c < cells; c++)
            for (int t : lists.get(c)) {
                et[e] = t;
                mr[e] = (float) (-110 + rnd.nextDouble() * 40);
                ir[e] = 1f / 5;
                mq[e] = (float) (-80 + rnd.nextDouble() * 30);
                iq[e] = 1f / 5;
                e++;
            }
        float[] fpd = new float[300];
        for (int i = 0; i < fpd.length; i++) fpd[i] = (float) (Math.exp(-Math.abs(i - 150) / 10.0) / 20 / 20);
        map = new NblMapArrays(start, et, mr, ir, mq, iq, tx, ty, sc, dens, cx, cy, fpd, -3000, 20, 1e-7);
        batch = new NblBatch(RECORDS, RECORDS * 3);
        int m = 0;
        for (int r = 0; r < RECORDS; r++) {
            batch.recStart[r] = m;
            int c0 = rnd.nextInt(cells - 3), k = 1 + rnd.nextInt(3);
            for (int i = 0; i < k; i++) {
                batch.cell[m] = c0 + i; // neighbouring indices; sorted as required
                batch.rsrp[m] = (float) (-110 + rnd.nextDouble() * 40);
                batch.rssi[m] = (float) (-80 + rnd.nextDouble() * 30);
                batch.ta[m] = i == 0 ? (float) (rnd.nextDouble() * 1500) : Float.NaN;
                m++;
            }
        }
        batch.recStart[RECORDS] = m;
        batch.numRecords = RECORDS;
        out = new NblResult(RECORDS);
        scoring = org.geomend.kernels.nbl.NblBackends.select(backend, threads, null);
        NblOptions o = switch (preset) {
            case "plain" -> NblOptions.PLAIN;
            case "legacy" -> NblOptions.LEGACY;
            case "default" -> NblOptions.DEFAULT;
            default -> throw new IllegalArgumentException("preset must be default, plain or legacy");
        };
        options = o.withDensity(density);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scoring.close();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int score() {
        scoring.score(map, batch, options, out);
        return out.candidates[RECORDS - 1];
    }
}
