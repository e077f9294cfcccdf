import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.*;
import org.geomend.kernels.java.JavaKernels;
import org.geomend.bench.BenchData;

/** TeacherSweepBench's batched sweep once; prints the 119 KS2 values (to compare two builds). */
public class SweepDump {
    public static void main(String[] a) {
        BufferAllocator alloc = Memory.child("dump");
        JavaKernels k = new JavaKernels(2);
        SitePositions sites = BenchData.clustered(4000, 200_000, 7);
        int W = 600, K = 5;
        GridSpec window = GridSpec.window(sites.x()[0], sites.y()[0], W, 100);
        KnnRaster knn = new KnnRaster(window, K + 1, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, window.pixels() * (K + 1)));
        k.nearestSites(sites, knn);
        double[] betas = new double[119];
        for (int i = 0; i < betas.length; i++) betas[i] = Math.round((0.1 + i * 0.05) * 1e9) / 1e9;
        GridBuffer ref = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, window.pixels());
        double[] r = Reference.spdiMap(sites, 0, window, 2.35, K, null); // the same reference in both builds
        for (int p = 0; p < r.length; p++) ref.setFloat(p, (float) r[p]);
        double[] ks = new double[119], sums = new double[119];
        k.spdiBetaSweep(sites, knn, K, new BetaSweep(0, 0, 0, W, W, betas), ref, 0, ks, sums);
        for (int i = 0; i < 119; i++) System.out.println(betas[i] + " " + ks[i]);
    }
}
