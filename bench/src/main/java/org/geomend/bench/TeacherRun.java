package org.geomend.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.dataset.Dataset;
import org.geomend.eval.OracleMethod;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;
import org.geomend.kernels.BetaSweep;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Memory;
import org.geomend.kernels.java.JavaKernels;
import org.geomend.report.Stats;

/**
 * Per-BS wall time of the teacher's beta search on N BSs spread evenly over a dataset's maps.arrow order, three ways, one after another on each
 * BS (same machine, same neighbour raster): the batched {@code spdiBetaSweep} (+ the label at beta*), the sub-batches
 * of 24 maps that {@code spdi-oracle} used before it, and one map at a time ({@code spdiMaps + normalize + ks2} per
 * beta). Checks that the three agree on beta* and reports the largest KS2 difference of the batched path.
 * Run: {@code java -cp bench/target/geomend-bench.jar org.geomend.bench.TeacherRun DATASET [N] [BETAS] [THREADS]}.
 */
public final class TeacherRun {

    private TeacherRun() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        double[] betas = OracleMethod.parseBetas(args.length > 2 ? args[2] : "0.1:6:0.05");
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int k = 5, sub = 24;
        Dataset d = Dataset.load(dir);
        int w = d.window();
        long px = (long) w * w;
        int[] tested = d.tested(), sites = new int[Math.min(n, tested.length)];
        for (int i = 0; i < sites.length; i++)
            sites[i] = tested[(int) ((long) i * tested.length / sites.length)]; // spread over the file
        double[] tKnn = new double[sites.length],
                tBatched = new double[sites.length],
                tSub = new double[sites.length],
                tOne = new double[sites.length];
        double maxDiff = 0;
        int agree = 0;
        System.out.printf(
                Locale.ROOT,
                "| BS | class | raster ms | batched ms | sub-batches ms | one at a time ms | beta* (b/s/o) |%n|---|---|---|---|---|---|---|%n");
        try (BufferAllocator alloc = Memory.child("bench-teacher-run");
                JavaKernels kernels = new JavaKernels(threads);
                ArrowMapReader maps = d.openMaps();
                GridBuffer truth = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, px);
                GridBuffer cand = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, sub * px)) {
            for (int i = 0; i < sites.length; i++) {
                int site = sites[i];
                MapData md = maps.read(d.mapRow(site));
                float[] v = md.values();
                double sum = 0;
                for (float f : v) sum += f;
                for (int p = 0; p < v.length; p++) v[p] = (float) (v[p] / sum);
                truth.copyFrom(v, 0);
                GridSpec win = d.windowOf(site);
                long t0 = System.nanoTime();
                try (KnnRaster knn =
                        new KnnRaster(win, k + 1, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, px * (k + 1)))) {
                    kernels.nearestSites(d.positions(), knn);
                    long t1 = System.nanoTime();
                    // batched
                    double[] ks = new double[betas.length], sums = new double[betas.length];
                    kernels.spdiBetaSweep(
                            d.positions(), knn, k, new BetaSweep(site, 0, 0, w, w, betas), truth, 0, ks, sums);
                    int bB = argmin(ks, sums, betas);
                    MapBatch label = batch(site, w, new double[] {betas[bB]}, 1, cand);
                    kernels.spdiMaps(d.positions(), knn, k, label);
                    kernels.normalize(label, win, null, new double[1]);
                    long t2 = System.nanoTime();
                    // sub-batches of 24 (spdi-oracle before spdiBetaSweep)
                    double[] ksS = new double[betas.length],
                            sumS = new double[betas.length],
                            part = new double[sub],
                            ps = new double[sub];
                    for (int from = 0; from < betas.length; from += sub) {
                        int m = Math.min(sub, betas.length - from);
                        MapBatch b = batch(site, w, Arrays.copyOfRange(betas, from, from + m), m, cand);
                        kernels.spdiMaps(d.positions(), knn, k, b);
                        kernels.normalize(b, win, null, ps);
                        kernels.ks2Batch(truth, 0, cand, m, w, w, part);
                        System.arraycopy(part, 0, ksS, from, m);
                        System.arraycopy(ps, 0, sumS, from, m);
                    }
                    int bS = argmin(ksS, sumS, betas);
                    long t3 = System.nanoTime();
                    // one map at a time
                    double[] ksO = new double[betas.length], sumO = new double[betas.length], one = new double[1];
                    for (int t = 0; t < betas.length; t++) {
                        MapBatch b = batch(site, w, new double[] {betas[t]}, 1, cand);
                        kernels.spdiMaps(d.positions(), knn, k, b);
                        kernels.normalize(b, win, null, one);
                        sumO[t] = one[0];
                        ksO[t] = kernels.ks2(truth, 0, cand, 0, w, w);
                    }
                    int bO = argmin(ksO, sumO, betas);
                    long t4 = System.nanoTime();
                    for (int t = 0; t < betas.length; t++)
                        if (sumO[t] > 0) maxDiff = Math.max(maxDiff, Math.abs(ks[t] - ksO[t]));
                    if (bB == bS && bB == bO) agree++;
                    tKnn[i] = (t1 - t0) / 1e6;
                    tBatched[i] = (t2 - t1) / 1e6;
                    tSub[i] = (t3 - t2) / 1e6;
                    tOne[i] = (t4 - t3) / 1e6;
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %s | %.0f | %.0f | %.0f | %.0f | %s / %s / %s |%n",
                            d.id(site),
                            d.env(site),
                            tKnn[i],
                            tBatched[i],
                            tSub[i],
                            tOne[i],
                            betas[bB],
                            betas[bS],
                            betas[bO]);
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "%n%d BSs, %d betas, k %d, %d Java threads: median per BS: raster %.0f ms, batched %.0f ms, "
                            + "sub-batches %.0f ms (%.1fx), one at a time %.0f ms (%.1fx); beta* identical on %d of %d BSs; "
                            + "largest |KS2 batched - one at a time| %.2e%n",
                    sites.length,
                    betas.length,
                    k,
                    kernels.threads(),
                    median(tKnn),
                    median(tBatched),
                    median(tSub),
                    median(tSub) / median(tBatched),
                    median(tOne),
                    median(tOne) / median(tBatched),
                    agree,
                    sites.length,
                    maxDiff);
        }
    }

    static MapBatch batch(int site, int w, double[] betas, int n, GridBuffer buf) {
        int[] s = new int[n], zero = new int[n];
        Arrays.fill(s, site);
        return new MapBatch(n, w, w, s, zero, zero, betas, buf);
    }

    static int argmin(double[] ks, double[] sums, double[] betas) {
        int b = -1;
        for (int t = 0; t < ks.length; t++)
            if (sums[t] > 0 && (b < 0 || ks[t] < ks[b] || (ks[t] == ks[b] && betas[t] < betas[b]))) b = t;
        return b;
    }

    static double median(double[] a) {
        return Stats.median(a);
    }
}
