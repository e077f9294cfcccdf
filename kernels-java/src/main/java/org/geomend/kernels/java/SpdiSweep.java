package org.geomend.kernels.java;

import java.lang.foreign.MemorySegment;
import org.geomend.kernels.BetaSweep;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.SitePositions;

import static org.geomend.kernels.GridBuffer.F32;
import static org.geomend.kernels.GridBuffer.I32;

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
 *       the block: the paired 2^(k-1)-term subset sum of {@link JavaKernels#subsetSum} (same pairing and association)
 *       run over the row's pixels one subset at a time (loops the JIT vectorises), clamped, stored as float32, summed
 *       per row.</li>
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

    private SpdiSweep() {}

    static void run(JavaKernels pool, SitePositions sites, KnnRaster knn, int k, BetaSweep sw, GridBuffer ref,
                    long offRef, double[] ks2, double[] sums) {
        run(pool, sites, knn, k, sw, ref, offRef, ks2, sums, BLOCK_BYTES);
    }

    /** With another bound on the bytes of maps held at once (tests: several blocks on small windows). */
    static void run(JavaKernels pool, SitePositions sites, KnnRaster knn, int k, BetaSweep sw, GridBuffer ref,
                    long offRef, double[] ks2, double[] sums, long blockBytes) {
        if (k < 1 || k > 8) throw new IllegalArgumentException("k must be in [1, 8]: " + k);
        if (knn.kk() < k + 1) throw new IllegalArgumentException("raster holds " + knn.kk() + " neighbours, sPDI k=" + k + " needs " + (k + 1));
        sw.check(knn.grid(), sites);
        int nb = sw.count(), w = sw.width(), h = sw.height();
        if (ks2.length < nb || sums.length < nb) throw new IllegalArgumentException("ks2/sums shorter than the " + nb + " betas");
        long npl = sw.mapPixels();
        if (npl * k > Integer.MAX_VALUE) throw new IllegalArgumentException("sweep window too large: " + w + "x" + h);
        if (offRef < 0 || offRef + npl > ref.elements()) throw new IllegalArgumentException("reference map reaches past its buffer");
        int np = (int) npl;
        double[] betas = sw.betas();
        double step = sw.uniformStep();
        boolean stepped = !Double.isNaN(step);

        // 1. neighbours once: a (current a_j, stepped) and x (g_j when stepped, else L_j), slot-major
        double[] a = stepped ? new double[k * np] : null, x = new double[k * np];
        byte[] count = new byte[np];
        boolean[] lone = new boolean[1];
        prepare(pool, sites, knn, k, sw, betas[0], step, stepped, a, x, count, lone);

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
                    rows(r, from, n, betas, stepped, k, w, h, np, a, x, count, lone[0], s, maps, rowSums);
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

    private static void prepare(JavaKernels pool, SitePositions sites, KnnRaster knn, int k, BetaSweep sw, double b0,
                                double step, boolean stepped, double[] a, double[] x, byte[] count, boolean[] lone) {
        GridSpec g = knn.grid();
        MemorySegment idx = knn.idx().segment();
        int rw = g.width(), kk = knn.kk(), w = sw.width(), h = sw.height(), np = w * h, site = sw.site();
        double[] xs = sites.x(), ys = sites.y();
        double sx = xs[site], sy = ys[site];
        int tasks = (h + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        pool.parallelFor(tasks, task -> {
            double[] ratio = new double[k];
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
                    for (int slot = 0; slot < k; slot++) {
                        // slot 0: element n-1 (the pairing element); slot s >= 1: element s-1; the rest pads
                        int e = slot == 0 ? n - 1 : (slot <= n - 1 ? slot - 1 : -1);
                        int at = slot * np + p;
                        if (e < 0) {
                            if (stepped) { a[at] = Double.POSITIVE_INFINITY; x[at] = 1; } else x[at] = Double.POSITIVE_INFINITY;
                            continue;
                        }
                        double l = Math.log(ratio[e]);
                        if (stepped) {
                            a[at] = Math.exp(b0 * l);
                            x[at] = Math.exp(step * l);
                        } else x[at] = l;
                    }
                }
            }
        });
    }

    /** Row {@code r} of the maps of betas {@code from .. from + n - 1}, into {@code maps} (block-local) and {@code rowSums}. */
    private static void rows(int r, int from, int n, double[] betas, boolean stepped, int k, int w, int h, int np,
                             double[] a, double[] x, byte[] count, boolean lone, Scratch s, float[] maps, double[] rowSums) {
        int base = r * w, half = 1 << (k - 1);
        double[] sum = s.sum, last = s.a[0];
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
            // JavaKernels.subsetSum over the row: sum_v (-1)^|v| last / (S_v (S_v + last)), S_v = 1 + sum of v's a_j
            for (int c = 0; c < w; c++) sum[c] = last[c] / (1.0 + last[c]);
            for (int v = 1; v < half; v++) {
                double[] sp = s.s[v & (v - 1)], al = s.a[Integer.numberOfTrailingZeros(v) + 1], sv = s.s[v];
                double sign = (Integer.bitCount(v) & 1) == 0 ? 1.0 : -1.0;
                for (int c = 0; c < w; c++) {
                    double y = sp[c] + al[c];
                    sv[c] = y;
                    sum[c] += sign * (last[c] / (y * (y + last[c])));
                }
            }
            int out = m * np + base;
            for (int c = 0; c < w; c++) {
                double v = sum[c];
                maps[out + c] = (float) (v < 0 ? 0 : (v > 1 ? 1 : v));
            }
            if (lone)
                for (int c = 0; c < w; c++) if (count[base + c] == 0) maps[out + c] = 1f;
            double rs = 0;
            for (int c = 0; c < w; c++) rs += maps[out + c];
            rowSums[m * h + r] = rs;
        }
    }

    /**
     * KS2 of {@code P / total} (each pixel stored as float32, as {@link JavaKernels#normalize} does) against
     * {@code q}: the O(W H) prefix-sum scan of {@link JavaKernels#ks2}, on heap arrays.
     */
    static double ks2(float[] p, int offP, double inv, float[] q, int width, int height) {
        double[] colTot = new double[width + 1], rowTot = new double[height + 1], colSum = new double[width];
        double[] d = new double[width];
        for (int r = 0; r < height; r++) {
            diffRow(p, offP + r * width, inv, q, r * width, width, d);
            double rs = 0;
            for (int c = 0; c < width; c++) {
                rs += d[c];
                colSum[c] += d[c];
            }
            rowTot[r + 1] = rowTot[r] + rs;
        }
        for (int c = 0; c < width; c++) colTot[c + 1] = colTot[c] + colSum[c];
        double total = rowTot[height];
        double[] cum = new double[width + 1];
        double best = 0;
        for (int b = 0; b <= height; b++) {
            if (b > 0) {
                diffRow(p, offP + (b - 1) * width, inv, q, (b - 1) * width, width, d);
                double run = 0;
                for (int c = 0; c < width; c++) {
                    run += d[c];
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

    private static void diffRow(float[] p, int offP, double inv, float[] q, int offQ, int width, double[] d) {
        for (int c = 0; c < width; c++) d[c] = (double) (float) (p[offP + c] * inv) - q[offQ + c];
    }
}
