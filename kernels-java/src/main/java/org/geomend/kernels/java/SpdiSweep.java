package org.geomend.kernels.java;

import static org.geomend.kernels.GridBuffer.F32;
import static org.geomend.kernels.GridBuffer.I32;

import java.lang.foreign.MemorySegment;
import org.geomend.kernels.BetaSweep;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.SitePositions;

/**
 * The Java {@link org.geomend.kernels.GeoKernels#spdiBetaSweep}: one site, every beta, one pass over the neighbours.
 *
 * <ol>
 *   <li>Once per pixel: the k neighbours other than the site (as {@link JavaKernels#spdiMaps} picks them) and their
 *       log distance ratios {@code L_j = ln(d_j / d_i)}. With betas in arithmetic progression (the usual
 *       {@code FROM:TO:STEP} grid) the pixel keeps {@code a_j = exp(beta_0 L_j)} and the step factor
 *       {@code g_j = exp(step L_j)}, and each further beta costs one multiplication per neighbour
 *       ({@code a_j <- a_j g_j}: relative drift about 1e-14 over 120 steps); otherwise it keeps {@code L_j} and each
 *       beta costs k {@code exp}.</li>
 *   <li>Betas in blocks of at most {@value #BLOCK_BYTES} bytes of float32 maps: per row of the window, every beta of
 *       the block: the inclusion-exclusion sum, run over {@value #SEG}-pixel segments of the row one subset at a time
 *       (loops the JIT vectorises, scratch in L1), clamped, stored as float32, summed per row. The 2^k terms are
 *       grouped in fours on two elements A and B (the farthest and the nearest neighbour):
 *       {@code 1/S - 1/(S+A) - 1/(S+B) + 1/(S+A+B) = A B (2S + A + B) / (S (S+A) (S+B) (S+A+B))}, so a pixel costs
 *       2^(k-2) divisions and the quadruple has no cancellation. Where a product could leave the float64 range
 *       ({@code |beta ln(d_j / d_i)| > 160} somewhere) or a pixel has fewer than k neighbours, the pairs of
 *       {@link JavaKernels#subsetSum} are used instead (2^(k-1) divisions).</li>
 *   <li>Per beta of the block: the map's sum, then KS2 against the reference with each pixel normalised exactly as
 *       {@link JavaKernels#normalize} stores it ({@code (float) (p / sum)}).</li>
 * </ol>
 * Neighbour slot 0 holds the farthest of the pixel's neighbours (the pairing element); a pixel with fewer than k
 * neighbours (an inventory of at most k sites) pads with {@code a = +inf} (a site infinitely far: every subset
 * holding it adds 0), and a pixel with none (a one-site inventory) gets P(i|l) = 1.
 */
final class SpdiSweep {

    /** Bytes of float32 maps held at once (the betas are drawn in blocks of this many maps). */
    static final long BLOCK_BYTES = 32L << 20;
    /** Rows per task of the row-parallel passes. */
    static final int ROWS_PER_TASK = 4;
    /** Pixels of a row segment: the subset-sum scratch of a segment stays in L1. */
    static final int SEG = 128;
    /** Largest {@code |beta L_j|} for which the grouping in fours cannot overflow: (k e^160)^4 < 1e300. */
    static final double QUAD_LIMIT = 160;

    private SpdiSweep() {}

    static void run(
            JavaKernels pool,
            SitePositions sites,
            KnnRaster knn,
            int k,
            BetaSweep sw,
            GridBuffer ref,
            long offRef,
            double[] ks2,
            double[] sums) {
        run(pool, sites, knn, k, sw, ref, offRef, ks2, sums, BLOCK_BYTES);
    }

    /** With another bound on the bytes of maps held at once (tests: several blocks on small windows). */
    static void run(
            JavaKernels pool,
            SitePositions sites,
            KnnRaster knn,
            int k,
            BetaSweep sw,
            GridBuffer ref,
            long offRef,
            double[] ks2,
            double[] sums,
            long blockBytes) {
        if (k < 1 || k > 8) throw new IllegalArgumentException("k must be in [1, 8]: " + k);
        if (knn.kk() < k + 1)
            throw new IllegalArgumentException(
                    "raster holds " + knn.kk() + " neighbours, sPDI k=" + k + " needs " + (k + 1));
        sw.check(knn.grid(), sites);
        int nb = sw.count(), w = sw.width(), h = sw.height();
        if (ks2.length < nb || sums.length < nb)
            throw new IllegalArgumentException("ks2/sums shorter than the " + nb + " betas");
        long npl = sw.mapPixels();
        if (npl * k > Integer.MAX_VALUE) throw new IllegalArgumentException("sweep window too large: " + w + "x" + h);
        if (offRef < 0 || offRef + npl > ref.elements())
            throw new IllegalArgumentException("reference map reaches past its buffer");
        int np = (int) npl;
        double[] betas = sw.betas();
        double step = sw.uniformStep();
        boolean stepped = !Double.isNaN(step);

        // 1. neighbours once: a (current a_j, stepped) and x (g_j when stepped, else L_j), slot-major
        double[] a = stepped ? new double[k * np] : null, x = new double[k * np];
        byte[] count = new byte[np];
        boolean[] lone = new boolean[1];
        double[] maxAbsL = new double[(h + ROWS_PER_TASK - 1) / ROWS_PER_TASK];
        prepare(pool, sites, knn, k, sw, betas[0], step, stepped, a, x, count, lone, maxAbsL);
        double maxBeta = 0, maxL = 0;
        for (double b : betas) maxBeta = Math.max(maxBeta, b);
        for (double l : maxAbsL) maxL = Math.max(maxL, l); // NaN or +inf (a padded pixel) fails the test below
        boolean quads = k >= 2 && maxL * maxBeta <= QUAD_LIMIT;

        float[] q = new float[np];
        MemorySegment.copy(ref.segment(), F32, offRef * 4, q, 0, np);

        // 2. + 3. blocks of betas: maps row by row, then sum and KS2 per map
        int maxBlock = (int) Math.max(1, Math.min(nb, blockBytes / (4L * np)));
        int blocks = (nb + maxBlock - 1) / maxBlock, per = (nb + blocks - 1) / blocks;
        float[] maps = new float[Math.toIntExact((long) per * np)];
        double[] rowSums = new double[per * h];
        int tasks = (h + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        for (int t0 = 0; t0 < nb; t0 += per) {
            int from = t0, n = Math.min(per, nb - t0);
            pool.parallelFor(tasks, task -> {
                Scratch s = new Scratch(k, w);
                for (int r = task * ROWS_PER_TASK, re = Math.min(h, r + ROWS_PER_TASK); r < re; r++)
                    rows(r, from, n, betas, stepped, quads, k, w, h, np, a, x, count, lone[0], s, maps, rowSums);
            });
            pool.parallelFor(n, m -> {
                double total = 0;
                for (int r = 0; r < h; r++) total += rowSums[m * h + r];
                sums[from + m] = total;
                ks2[from + m] = total > 0 ? ks2(maps, m * np, 1.0 / total, q, w, h) : Double.NaN;
            });
        }
    }

    /** Per-task scratch: the current row's a_j per slot, the subset sums and the running P(i|l). */
    private static final class Scratch {
        final double[][] a, s;
        final double[] sum;

        Scratch(int k, int w) {
            a = new double[k][w];
            s = new double[1 << (k - 1)][w];
            sum = new double[w];
            java.util.Arrays.fill(s[0], 1.0);
        }
    }

    private static void prepare(
            JavaKernels pool,
            SitePositions sites,
            KnnRaster knn,
            int k,
            BetaSweep sw,
            double b0,
            double step,
            boolean stepped,
            double[] a,
            double[] x,
            byte[] count,
            boolean[] lone,
            double[] maxAbsL) {
        GridSpec g = knn.grid();
        MemorySegment idx = knn.idx().segment();
        int rw = g.width(), kk = knn.kk(), w = sw.width(), h = sw.height(), np = w * h, site = sw.site();
        double[] xs = sites.x(), ys = sites.y();
        double sx = xs[site], sy = ys[site];
        int tasks = (h + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        pool.parallelFor(tasks, task -> {
            double[] ratio = new double[k];
            double big = 0;
            for (int r = task * ROWS_PER_TASK, re = Math.min(h, r + ROWS_PER_TASK); r < re; r++) {
                int gr = sw.row0() + r;
                double py = g.centreY(gr);
                long src = ((long) gr * rw + sw.col0()) * kk;
                for (int c = 0; c < w; c++, src += kk) {
                    int p = r * w + c;
                    double px = g.centreX(sw.col0() + c);
                    double dxi = px - sx, dyi = py - sy;
                    double di = Math.sqrt(dxi * dxi + dyi * dyi) + 1.0;
                    int n = 0;
                    for (int t = 0; t < kk && n < k; t++) {
                        int j = idx.getAtIndex(I32, src + t);
                        if (j < 0) break;
                        if (j == site) continue;
                        double dx = px - xs[j], dy = py - ys[j];
                        ratio[n++] = (Math.sqrt(dx * dx + dy * dy) + 1.0) / di;
                    }
                    count[p] = (byte) n;
                    if (n == 0) lone[0] = true; // benign race: only ever set to true, read after the pass
                    if (n < k) big = Double.POSITIVE_INFINITY;
                    for (int slot = 0; slot < k; slot++) {
                        // slot 0: element n-1 (the pairing element); slot s >= 1: element s-1; the rest pads
                        int e = slot == 0 ? n - 1 : (slot <= n - 1 ? slot - 1 : -1);
                        int at = slot * np + p;
                        if (e < 0) {
                            if (stepped) {
                                a[at] = Double.POSITIVE_INFINITY;
                                x[at] = 1;
                            } else x[at] = Double.POSITIVE_INFINITY;
                            continue;
                        }
                        double l = Math.log(ratio[e]);
                        big = Math.max(big, Math.abs(l));
                        if (stepped) {
                            a[at] = Math.exp(b0 * l);
                            x[at] = Math.exp(step * l);
                        } else x[at] = l;
                    }
                }
            }
            maxAbsL[task] = big;
        });
    }

    /** Row {@code r} of the maps of betas {@code from .. from + n - 1}, into {@code maps} (block-local) and {@code rowSums}. */
    private static void rows(
            int r,
            int from,
            int n,
            double[] betas,
            boolean stepped,
            boolean quads,
            int k,
            int w,
            int h,
            int np,
            double[] a,
            double[] x,
            byte[] count,
            boolean lone,
            Scratch s,
            float[] maps,
            double[] rowSums) {
        int base = r * w;
        double[] sum = s.sum;
        for (int m = 0; m < n; m++) {
            int t = from + m;
            for (int slot = 0; slot < k; slot++) {
                double[] as = s.a[slot];
                int o = slot * np + base;
                if (stepped) {
                    if (t == 0) System.arraycopy(a, o, as, 0, w);
                    else for (int c = 0; c < w; c++) as[c] = a[o + c] *= x[o + c];
                } else {
                    double b = betas[t];
                    for (int c = 0; c < w; c++) as[c] = Math.exp(b * x[o + c]);
                }
            }
            for (int c0 = 0; c0 < w; c0 += SEG) {
                int c1 = Math.min(w, c0 + SEG);
                if (quads) quadSum(s, k, c0, c1, sum);
                else pairSum(s, k, c0, c1, sum);
            }
            int out = m * np + base;
            for (int c = 0; c < w; c++) {
                double v = sum[c];
                maps[out + c] = (float) (v < 0 ? 0 : (v > 1 ? 1 : v));
            }
            if (lone) for (int c = 0; c < w; c++) if (count[base + c] == 0) maps[out + c] = 1f;
            double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
            int c = 0;
            for (; c + 3 < w; c += 4) {
                r0 += maps[out + c];
                r1 += maps[out + c + 1];
                r2 += maps[out + c + 2];
                r3 += maps[out + c + 3];
            }
            for (; c < w; c++) r0 += maps[out + c];
            rowSums[m * h + r] = (r0 + r1) + (r2 + r3);
        }
    }

    /**
     * {@link JavaKernels#subsetSum} on pixels {@code c0 .. c1 - 1}: sum over subsets v of the slots 1..k-1 of
     * {@code (-1)^|v| A / (S_v (S_v + A))}, A = slot 0, S_v = 1 + the a of v (built from v without its lowest bit).
     */
    private static void pairSum(Scratch s, int k, int c0, int c1, double[] sum) {
        double[] last = s.a[0];
        for (int c = c0; c < c1; c++) sum[c] = last[c] / (1.0 + last[c]);
        for (int v = 1, half = 1 << (k - 1); v < half; v++) {
            double[] sp = s.s[v & (v - 1)], al = s.a[Integer.numberOfTrailingZeros(v) + 1], sv = s.s[v];
            double sign = (Integer.bitCount(v) & 1) == 0 ? 1.0 : -1.0;
            for (int c = c0; c < c1; c++) {
                double y = sp[c] + al[c];
                sv[c] = y;
                sum[c] += sign * (last[c] / (y * (y + last[c])));
            }
        }
    }

    /**
     * The same sum grouped in fours on A = slot 0 and B = slot 1: over subsets v of the slots 2..k-1,
     * {@code (-1)^|v| A B (2S + A + B) / (S (S+A) (S+B) (S+A+B))} with S = S_v. Needs k >= 2.
     */
    private static void quadSum(Scratch s, int k, int c0, int c1, double[] sum) {
        double[] A = s.a[0], B = s.a[1];
        for (int c = c0; c < c1; c++) {
            double ac = A[c], bc = B[c], ya = 1.0 + ac, yb = 1.0 + bc;
            sum[c] = ac * bc * (ya + yb) / (ya * yb * (ya + bc));
        }
        for (int v = 1, n = 1 << (k - 2); v < n; v++) {
            double[] sp = s.s[v & (v - 1)], al = s.a[Integer.numberOfTrailingZeros(v) + 2], sv = s.s[v];
            double sign = (Integer.bitCount(v) & 1) == 0 ? 1.0 : -1.0;
            for (int c = c0; c < c1; c++) {
                double y = sp[c] + al[c], ac = A[c], bc = B[c], ya = y + ac, yb = y + bc;
                sv[c] = y;
                sum[c] += sign * (ac * bc * (ya + yb) / (y * ya * yb * (ya + bc)));
            }
        }
    }

    /**
     * KS2 of {@code P / total} (each pixel stored as float32, as {@link JavaKernels#normalize} does) against {@code q},
     * in one pass over the rows. With D = P - Q and C(a, b) the mass of D in columns {@code < a} and rows {@code < b},
     * T(b) = C(W, b): per column a the running extremes over b of C(a, b) and of lr = T(b) - C(a, b) give every
     * quadrant's maximum, since ul = C(a, H) - C(a, b) and ur = (T(H) - C(a, H)) - lr (the reduction of
     * {@code geomend_ks2_cols/combine}). The per-column updates are independent (loops the JIT vectorises).
     */
    static double ks2(float[] p, int offP, double inv, float[] q, int width, int height) {
        double[] cum = new double[width + 1], d = new double[width];
        double[] minC = new double[width + 1],
                maxC = new double[width + 1],
                minL = new double[width + 1],
                maxL = new double[width + 1];
        double t = 0; // T(b)
        for (int r = 0; r < height; r++) {
            int op = offP + r * width, oq = r * width;
            for (int c = 0; c < width; c++) d[c] = (double) (float) (p[op + c] * inv) - q[oq + c];
            double run = 0;
            for (int c = 0; c < width; c++) {
                run += d[c];
                cum[c + 1] += run;
            }
            t += run;
            for (int a = 0; a <= width; a++) {
                double ll = cum[a], lr = t - ll;
                minC[a] = Math.min(minC[a], ll);
                maxC[a] = Math.max(maxC[a], ll);
                minL[a] = Math.min(minL[a], lr);
                maxL[a] = Math.max(maxL[a], lr);
            }
        }
        double best = 0;
        for (int a = 0; a <= width; a++) {
            double col = cum[a], rest = t - col;
            double m = Math.max(
                    Math.max(Math.abs(minC[a]), Math.abs(maxC[a])), Math.max(Math.abs(minL[a]), Math.abs(maxL[a])));
            m = Math.max(m, Math.max(Math.abs(col - minC[a]), Math.abs(col - maxC[a])));
            m = Math.max(m, Math.max(Math.abs(rest - minL[a]), Math.abs(rest - maxL[a])));
            if (m > best) best = m;
        }
        return best;
    }
}
