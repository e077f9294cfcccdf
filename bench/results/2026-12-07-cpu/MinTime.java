import org.geomend.kernels.*;
import org.geomend.kernels.java.*;
import org.geomend.bench.*;
public class MinTime {
  public static void main(String[] a) throws Exception {
    var alloc = Memory.child("x");
    int threads = Integer.parseInt(a[1]), reps = Integer.parseInt(a[2]);
    var k = new JavaKernels(threads);
    var sites = BenchData.clustered(4000, 200_000, 7);
    int W = 600;
    var w = GridSpec.window(sites.x()[0], sites.y()[0], W, 100);
    var knn = new KnnRaster(w, 6, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, w.pixels() * 6));
    k.nearestSites(sites, knn);
    var map = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, w.pixels());
    double beta = a[0].equals("spdi2") ? 2.0 : 3.7;
    var batch = new MapBatch(1, W, W, new int[] {0}, new int[] {0}, new int[] {0}, new double[] {beta}, map);
    long best = Long.MAX_VALUE, bestCpu = Long.MAX_VALUE; long t1 = System.nanoTime();
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
      if (a[0].equals("nn")) k.nearestSites(sites, knn); else k.spdiMaps(sites, knn, 5, batch);
      long dt = System.nanoTime() - t0, dc = mx.getCurrentThreadCpuTime() - c0;
      if (i >= reps / 3) { best = Math.min(best, dt); bestCpu = Math.min(bestCpu, dc); }
    }
    double sum = 0; for (long i = 0; i < w.pixels(); i++) sum += map.segment().getAtIndex(GridBuffer.F32, i) * (i % 7);
    long h = 0; for (long i = 0; i < w.pixels() * 6; i++) h = h * 31 + knn.idx().segment().getAtIndex(GridBuffer.I32, i);
    System.out.printf("%s threads=%d min %.3f ms cpu %.3f ms (of %d, %.1f s) rasterhash %d mapsum %.9g%n", a[0], threads, best / 1e6, bestCpu / 1e6, reps, (System.nanoTime() - t1) / 1e9, h, sum);
    System.exit(0);
  }
}
