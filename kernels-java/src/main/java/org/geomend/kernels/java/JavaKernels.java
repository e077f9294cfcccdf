package org.geomend.kernels.java;

import static org.geomend.kernels.GridBuffer.F32;
import static org.geomend.kernels.GridBuffer.I32;

import java.lang.foreign.MemorySegment;
import java.util.function.IntConsumer;
import org.geomend.kernels.BetaSweep;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.SitePositions;

/**
 * The pure-Java backend: every kernel of {@link GeoKernels}, spread over a fixed pool of platform
 * threads. sPDI is evaluated in float64 with the Vector API, the subsets grouped in fours ({@link SpdiRows});
 * nearest-site search shares one candidate list per 16 x 16 block, pruned per 8 x 8 sub-block and scanned a
 * vector of pixels at a time ({@link NearestRows}).
 */
public final class JavaKernels implements GeoKernels {

    /**
     * Side, in pixels, of the blocks that share one candidate list in {@link #nearestSites} (public: the
     * CUDA backend uses the same blocks and candidate lists, so both give identical rasters).
     */
    public static final int BLOCK = 16;

    private final int threads;
    private final WorkerPool pool;

    public JavaKernels(int threads) {
        this.pool = new WorkerPool(threads, "geomend-java-kernel");
        this.threads = pool.threads();
    }

    @Override
    public String name() {
        return "java";
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body(0..n-1)} on the pool, tasks claimed one at a time. */
    void parallelFor(int n, IntConsumer body) {
        pool.parallelFor(n, body);
    }

    // ---------------------------------------------------------------- nearest sites

    @Override
    public void nearestSites(SitePositions sites, KnnRaster dst) {
        NearestRows.run(this, sites, dst);
    }

    /** Every site that can be among the kk nearest of some point within {@code h} of (cx, cy), ascending index. */
    public static int[] candidates(SiteIndex index, double cx, double cy, int kk, double h) {
        int n = index.sites().size();
        double rk = index.kthNearestSq(cx, cy, kk);
        if (rk == Double.POSITIVE_INFINITY) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        double radius = candidateRadius(rk, h);
        int[] buf = new int[Math.max(16, 4 * kk)];
        int m;
        while ((m = index.within(cx, cy, radius, buf)) < 0) buf = new int[buf.length * 2];
        return java.util.Arrays.copyOf(buf, m);
    }

    /**
     * The radius around a centre whose kk-th nearest site lies at squared distance {@code rk} holding every site that
     * can be among the kk nearest of a point within {@code h} of it: such a point has its kk-th neighbour within
     * {@code sqrt(rk) + h}, hence every candidate lies within {@code sqrt(rk) + 2h} of the centre; a little slack
     * guards rounding.
     */
    static double candidateRadius(double rk, double h) {
        return (Math.sqrt(rk) + 2 * h) * (1 + 1e-9) + 1e-6;
    }

    // ---------------------------------------------------------------- maps

    @Override
    public void voronoiMaps(KnnRaster knn, MapBatch batch) {
        batch.checkInside(knn.grid());
        MemorySegment idx = knn.idx().segment(), maps = batch.maps().segment();
        int rw = knn.grid().width(), kk = knn.kk(), w = batch.width(), h = batch.height();
        parallelFor(batch.count() * h, task -> {
            int m = task / h, r = task % h, site = batch.site()[m];
            long src = ((long) (batch.row0()[m] + r) * rw + batch.col0()[m]) * kk;
            long dst = batch.offset(m) + (long) r * w;
            for (int c = 0; c < w; c++)
                maps.setAtIndex(F32, dst + c, idx.getAtIndex(I32, src + (long) c * kk) == site ? 1f : 0f);
        });
    }

    @Override
    public void spdiMaps(SitePositions sites, KnnRaster knn, int k, MapBatch batch) {
        if (k < 1 || k > 8) throw new IllegalArgumentException("k must be in [1, 8]: " + k);
        if (knn.kk() < k + 1)
            throw new IllegalArgumentException(
                    "raster holds " + knn.kk() + " neighbours, sPDI k=" + k + " needs " + (k + 1));
        batch.checkInside(knn.grid());
        SpdiRows.maps(this, sites, knn, k, batch);
    }

    /**
     * {@code sum over subsets v of {0..n-1} of (-1)^|v| / (1 + sum_{j in v} a_j)}, clamped to [0, 1].
     * Subsets are paired on element n-1: {@code 1/S - 1/(S + a) = a / (S (S + a))}, which halves the
     * divisions and removes the largest cancellations. {@code s} is scratch of length >= 2^(n-1).
     */
    public static double subsetSum(double[] a, int n, double[] s) {
        if (n == 0) return 1.0;
        double last = a[n - 1];
        int half = 1 << (n - 1);
        s[0] = 1.0;
        double sum = last / (1.0 + last);
        for (int v = 1; v < half; v++) {
            int low = Integer.numberOfTrailingZeros(v);
            double sv = s[v & (v - 1)] + a[low];
            s[v] = sv;
            double term = last / (sv * (sv + last));
            sum += (Integer.bitCount(v) & 1) == 0 ? term : -term;
        }
        return sum < 0 ? 0 : (sum > 1 ? 1 : sum);
    }

    @Override
    public void normalize(MapBatch batch, GridSpec raster, GridBuffer mask, double[] sums) {
        if (mask != null) batch.checkInside(raster);
        MemorySegment maps = batch.maps().segment();
        MemorySegment mk = mask == null ? null : mask.segment();
        int w = batch.width(), h = batch.height(), rw = raster.width();
        parallelFor(batch.count(), m -> {
            long off = batch.offset(m);
            double sum = 0;
            for (int r = 0; r < h; r++) {
                long row = off + (long) r * w;
                long mrow = mk == null ? 0 : (long) (batch.row0()[m] + r) * rw + batch.col0()[m];
                for (int c = 0; c < w; c++) {
                    float v = maps.getAtIndex(F32, row + c);
                    if (mk != null && mk.get(java.lang.foreign.ValueLayout.JAVA_BYTE, mrow + c) == 0) {
                        v = 0f;
                        maps.setAtIndex(F32, row + c, 0f);
                    }
                    sum += v;
                }
            }
            sums[m] = sum;
            if (sum > 0) {
                double inv = 1.0 / sum;
                long end = off + (long) w * h;
                for (long p = off; p < end; p++) maps.setAtIndex(F32, p, (float) (maps.getAtIndex(F32, p) * inv));
            }
        });
    }

    // ---------------------------------------------------------------- KS2

    @Override
    public double ks2(GridBuffer p, long offP, GridBuffer q, long offQ, int width, int height) {
        return ks2(p.segment(), offP, q.segment(), offQ, width, height);
    }

    @Override
    public void ks2Batch(
            GridBuffer ref, long offRef, GridBuffer candidates, int count, int width, int height, double[] out) {
        long n = (long) width * height;
        parallelFor(count, m -> out[m] = ks2(ref.segment(), offRef, candidates.segment(), m * n, width, height));
    }

    /**
     * KS2 in O(W H): with D = P - Q and C(a, b) the mass of D in columns {@code < a} and rows {@code < b},
     * the four quadrant differences at (a, b) are C(a,b), C(W,b) - C(a,b), C(a,H) - C(a,b) and
     * C(W,H) - C(a,H) - C(W,b) + C(a,b). Two passes: margins first, then C row by row.
     */
    public static double ks2(MemorySegment p, long offP, MemorySegment q, long offQ, int width, int height) {
        double[] colTot = new double[width + 1]; // C(a, H)
        double[] rowTot = new double[height + 1]; // C(W, b)
        double[] colSum = new double[width];
        for (int r = 0; r < height; r++) {
            double rs = 0;
            long rp = offP + (long) r * width, rq = offQ + (long) r * width;
            for (int c = 0; c < width; c++) {
                double d = (double) p.getAtIndex(F32, rp + c) - q.getAtIndex(F32, rq + c);
                rs += d;
                colSum[c] += d;
            }
            rowTot[r + 1] = rowTot[r] + rs;
        }
        for (int c = 0; c < width; c++) colTot[c + 1] = colTot[c] + colSum[c];
        double total = rowTot[height];
        double[] cum = new double[width + 1]; // C(a, b) for the current b
        double best = 0;
        for (int b = 0; b <= height; b++) {
            if (b > 0) {
                long rp = offP + (long) (b - 1) * width, rq = offQ + (long) (b - 1) * width;
                double run = 0;
                for (int c = 0; c < width; c++) {
                    run += (double) p.getAtIndex(F32, rp + c) - q.getAtIndex(F32, rq + c);
                    cum[c + 1] += run;
                }
            }
            double cwb = rowTot[b];
            for (int a = 0; a <= width; a++) {
                double ll = cum[a], lr = cwb - ll, ul = colTot[a] - ll, ur = total - colTot[a] - cwb + ll;
                double m = Math.max(Math.max(Math.abs(ll), Math.abs(lr)), Math.max(Math.abs(ul), Math.abs(ur)));
                if (m > best) best = m;
            }
        }
        return best;
    }

    @Override
    public void spdiBetaSweep(
            SitePositions sites,
            KnnRaster knn,
            int k,
            BetaSweep sweep,
            GridBuffer ref,
            long offRef,
            double[] ks2,
            double[] sums) {
        SpdiSweep.run(this, sites, knn, k, sweep, ref, offRef, ks2, sums);
    }

    @Override
    public void close() {
        pool.close();
    }
}
