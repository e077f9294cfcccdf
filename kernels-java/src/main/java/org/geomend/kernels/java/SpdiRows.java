package org.geomend.kernels.java;

import static org.geomend.kernels.GridBuffer.F32;
import static org.geomend.kernels.GridBuffer.I32;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.SitePositions;

/**
 * The rows of {@link JavaKernels#spdiMaps} in passes over one row, each a loop over the row's pixels:
 *
 * <ol>
 *   <li>the k neighbours other than the map's site of every pixel (the raster's first k + 1 entries with the
 *       site's skipped), as site indices, slot-major;</li>
 *   <li>the ratios {@code r_j = (|l - j| + 1) / d_i}: one division per pixel ({@code 1 / d_i}), then per
 *       neighbour the gathered position, one square root and one multiplication;</li>
 *   <li>{@code a_j = r_j^beta} in place ({@link Power}): multiplications for an integer beta (beta = 2:
 *       {@code r_j r_j}), a square root and multiplications for a half-integer one, else one lanewise {@code LOG}
 *       and one {@code EXP} per neighbour with the Vector API (no scalar {@code Math.pow});</li>
 *   <li>the inclusion-exclusion sum grouped in fours on A (the farthest neighbour) and B (the nearest):
 *       {@code 1/S - 1/(S+A) - 1/(S+B) + 1/(S+A+B) = A B (2S + A + B) / (S (S+A) (S+B) (S+A+B))}, no group
 *       cancels (the grouping of {@code SpdiSweep}); the groups of S and S + C (C the last of the other
 *       neighbours) share one division, so k = 5 costs 4 divisions a pixel here (16 in {@link JavaKernels#subsetSum});
 *       clamped to [0, 1], stored as float32.</li>
 * </ol>
 * Only the transcendental powers use the Vector API: written with it throughout, the passes were about twice as fast
 * once C2 had compiled them, but until then (seconds on a loaded 2-core machine) every vector is a heap object, which
 * made a 15-map {@code geolocate} 2.5x slower than before; plain loops cost nothing to warm up. Pixels where a
 * product could leave the float64 range (some {@code a_j >} {@value #PAIR_LIMIT}) or with fewer than k neighbours (an
 * inventory of at most k sites) are evaluated by the scalar definition ({@code Math.pow},
 * {@link JavaKernels#subsetSum}).
 */
final class SpdiRows {

    static final VectorSpecies<Double> SP = DoubleVector.SPECIES_PREFERRED;
    /** Float64 lanes per vector (8 with AVX-512, 4 with AVX2). */
    static final int L = SP.length();
    /** Int32 vectors of as many lanes (the raster's entries). */
    static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, VectorShape.forBitSize(32 * L));
    /**
     * Largest a_j for which two groups of four share a division without overflow: each factor of their common
     * denominator is at most 1 + 8 a, eight of them stay below 1e250.
     */
    static final double PAIR_LIMIT = 1e30;
    /** Rows per task. */
    static final int ROWS_PER_TASK = 8;

    /** {@code (-1)^|v|}. */
    private static final double[] SIGN = new double[1 << 6];

    static {
        for (int v = 0; v < SIGN.length; v++) SIGN[v] = (Integer.bitCount(v) & 1) == 0 ? 1.0 : -1.0;
    }

    private SpdiRows() {}

    /**
     * {@code r^beta}: {@code r^n} by multiplications for an integer beta = n up to 6, {@code sqrt(r)^n} for a
     * half-integer beta = n / 2 up to 3; {@code exp(n ln r)} (half-integers: of {@code sqrt(r)}) or
     * {@code exp(beta ln r)} lanewise otherwise.
     */
    record Power(double beta, int n, boolean half, boolean transcendental) {

        static Power of(double beta) {
            double twice = beta * 2;
            if (beta > 0 && beta <= 64 && twice == Math.rint(twice)) {
                int t = (int) twice;
                return (t & 1) != 0 ? new Power(beta, t, true, false) : new Power(beta, t / 2, false, false);
            }
            return new Power(beta, 0, false, true);
        }

        /**
         * {@code x[i] = x[i]^beta} for {@code i < len} (a multiple of {@link #L}); true when some result exceeds
         * {@link #PAIR_LIMIT} or is NaN.
         */
        boolean applyInPlace(double[] x, int len) {
            if (transcendental) {
                boolean wide = false;
                for (int i = 0; i < len; i += L) {
                    DoubleVector r = DoubleVector.fromArray(SP, x, i);
                    DoubleVector a = r.lanewise(VectorOperators.LOG).mul(beta).lanewise(VectorOperators.EXP);
                    a.intoArray(x, i);
                    wide |= a.compare(VectorOperators.GT, PAIR_LIMIT)
                            .or(a.test(VectorOperators.IS_NAN))
                            .anyTrue();
                }
                return wide;
            }
            if (half) for (int i = 0; i < len; i++) x[i] = Math.sqrt(x[i]); // r^(m + 1/2) = sqrt(r)^(2m + 1)
            switch (n) {
                case 1 -> {}
                case 2 -> {
                    for (int i = 0; i < len; i++) x[i] = x[i] * x[i];
                }
                case 3 -> {
                    for (int i = 0; i < len; i++) x[i] = x[i] * x[i] * x[i];
                }
                case 4 -> {
                    for (int i = 0; i < len; i++) {
                        double r2 = x[i] * x[i];
                        x[i] = r2 * r2;
                    }
                }
                case 5 -> {
                    for (int i = 0; i < len; i++) {
                        double r = x[i], r2 = r * r;
                        x[i] = r2 * r2 * r;
                    }
                }
                case 6 -> {
                    for (int i = 0; i < len; i++) {
                        double r2 = x[i] * x[i];
                        x[i] = r2 * r2 * r2;
                    }
                }
                default -> {
                    double e = n;
                    for (int i = 0; i < len; i += L) {
                        DoubleVector r = DoubleVector.fromArray(SP, x, i);
                        r.lanewise(VectorOperators.LOG)
                                .mul(e)
                                .lanewise(VectorOperators.EXP)
                                .intoArray(x, i);
                    }
                }
            }
            double big = 0; // NaN stays NaN through Math.max
            for (int i = 0; i < len; i++) big = Math.max(big, x[i]);
            return !(big <= PAIR_LIMIT);
        }
    }

    /** Per-task scratch, one row: raster entries, neighbours and a_j slot-major, subset sums, the output. */
    static final class Scratch {
        final int wp;
        final int[] ids, nb, count;
        final double[] px, inv, gx, gy, a, sum, pa, ps;
        /** Slot n of {@code a} copied out as its own row ({@link #pairedQuads}); the subset sums, row 0 ones. */
        final double[][] slot, s;

        final boolean[] slow;
        final float[] out;

        Scratch(int k, int kk, int w) {
            wp = (w + L - 1) / L * L;
            ids = new int[w * kk];
            nb = new int[k * wp];
            count = new int[wp];
            px = new double[wp];
            inv = new double[wp];
            gx = new double[wp];
            gy = new double[wp];
            a = new double[k * wp];
            slot = new double[k][wp];
            s = new double[k >= 3 ? 1 << (k - 3) : 1][wp];
            java.util.Arrays.fill(s[0], 1.0);
            sum = new double[wp];
            pa = new double[k];
            ps = new double[1 << k];
            slow = new boolean[wp];
            out = new float[wp];
        }
    }

    /** Every map of {@code batch}, tasks of {@link #ROWS_PER_TASK} rows. */
    static void maps(JavaKernels pool, SitePositions sites, KnnRaster knn, int k, MapBatch batch) {
        int h = batch.height(), per = (h + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        pool.parallelFor(batch.count() * per, task -> {
            int m = task / per, r0 = (task % per) * ROWS_PER_TASK;
            Scratch s = new Scratch(k, knn.kk(), batch.width());
            Power pw = Power.of(batch.beta()[m]);
            for (int r = r0, re = Math.min(h, r0 + ROWS_PER_TASK); r < re; r++) row(sites, knn, k, batch, m, r, pw, s);
        });
    }

    /** Row {@code r} of map {@code m}. */
    static void row(SitePositions sites, KnnRaster knn, int k, MapBatch batch, int m, int r, Power pw, Scratch s) {
        GridSpec g = knn.grid();
        int kk = knn.kk(), w = batch.width(), wp = s.wp, site = batch.site()[m], col0 = batch.col0()[m];
        double[] xs = sites.x(), ys = sites.y();
        int gr = batch.row0()[m] + r;
        double py = g.centreY(gr);
        MemorySegment.copy(knn.idx().segment(), I32, ((long) gr * g.width() + col0) * kk * 4, s.ids, 0, w * kk);
        boolean slowRow = neighbours(s, k, kk, w, site);
        for (int c = 0; c < w; c++) s.px[c] = g.centreX(col0 + c);
        for (int c = w; c < wp; c++) s.px[c] = xs[site]; // padding lanes: any finite input, never stored
        ratios(s, k, xs, ys, py, xs[site], ys[site]);
        if (pw.applyInPlace(s.a, k * wp)) {
            slowRow = true;
            for (int c = 0; c < w; c++)
                for (int n = 0; n < k; n++) if (!(s.a[n * wp + c] <= PAIR_LIMIT)) s.slow[c] = true;
        }
        for (int n = 0; n < k; n++) System.arraycopy(s.a, n * wp, s.slot[n], 0, wp);
        if (k == 1) single(s);
        else if (k == 2) quads(s);
        else pairedQuads(s, k);
        if (slowRow)
            for (int c = 0; c < w; c++)
                if (s.slow[c]) s.out[c] = (float) scalar(s, c, s.count[c], xs, ys, xs[site], ys[site], py, pw.beta());
        MemorySegment.copy(s.out, 0, batch.maps().segment(), F32, (batch.offset(m) + (long) r * w) * 4, w);
    }

    /**
     * Pass 1: {@code s.nb[n * wp + c]} = the n-th nearest site other than {@code site} of pixel c: the raster's entry
     * n, or n + 1 at and after the site's entry. Returns true when some pixel has fewer than k (marked in
     * {@code s.slow}, its missing slots filled with the site itself).
     */
    private static boolean neighbours(Scratch s, int k, int kk, int w, int site) {
        int wp = s.wp;
        int[] ids = s.ids, nb = s.nb;
        boolean any = false;
        for (int c = 0, base = 0; c < w; c++, base += kk) {
            int pos = k, lo = Integer.MAX_VALUE; // the site's entry among the first k + 1 (k: absent)
            for (int t = 0; t <= k; t++) {
                int j = ids[base + t];
                if (j == site) pos = Math.min(pos, t);
                lo = Math.min(lo, j);
            }
            s.count[c] = k;
            s.slow[c] = false;
            if (lo >= 0) {
                for (int n = 0; n < k; n++) nb[n * wp + c] = ids[base + (n < pos ? n : n + 1)];
                continue;
            }
            int n = 0; // an inventory of at most k sites: -1 padded
            for (int t = 0; t < kk && n < k; t++) {
                int j = ids[base + t];
                if (j < 0) break;
                if (j != site) nb[n++ * wp + c] = j;
            }
            s.count[c] = n;
            s.slow[c] = n < k;
            any |= n < k;
            for (; n < k; n++) nb[n * wp + c] = site;
        }
        for (int c = w; c < wp; c++) {
            s.slow[c] = false;
            for (int n = 0; n < k; n++) nb[n * wp + c] = site;
        }
        return any;
    }

    /**
     * Pass 2: the ratios {@code r_j = (|l - j| + 1) / d_i} into {@code s.a}, slot-major (positions gathered into a
     * row first, the arithmetic in a loop of its own).
     */
    private static void ratios(Scratch s, int k, double[] xs, double[] ys, double py, double sx, double sy) {
        int wp = s.wp;
        int[] nb = s.nb;
        double[] px = s.px, inv = s.inv, gx = s.gx, gy = s.gy, a = s.a;
        double dyi = py - sy, dyi2 = dyi * dyi;
        for (int c = 0; c < wp; c++) {
            double dxi = px[c] - sx;
            inv[c] = 1.0 / (Math.sqrt(dxi * dxi + dyi2) + 1.0);
        }
        for (int n = 0; n < k; n++) {
            int off = n * wp;
            for (int c = 0; c < wp; c++) {
                int j = nb[off + c];
                gx[c] = xs[j];
                gy[c] = ys[j];
            }
            for (int c = 0; c < wp; c++) {
                double dx = px[c] - gx[c], dy = py - gy[c];
                a[off + c] = (Math.sqrt(dx * dx + dy * dy) + 1.0) * inv[c];
            }
        }
    }

    /** k = 1: {@code 1 - 1 / (1 + a) = a / (1 + a)}, clamped, as float32 into {@code s.out}. */
    private static void single(Scratch s) {
        double[] a = s.a;
        float[] out = s.out;
        for (int c = 0; c < s.wp; c++) out[c] = clamp(a[c] / (a[c] + 1.0));
    }

    /** k = 2: the one group of four, {@code A B (2 + A + B) / ((1+A) (1+B) (1+A+B))}. */
    private static void quads(Scratch s) {
        int wp = s.wp;
        double[] a = s.a;
        float[] out = s.out;
        for (int c = 0; c < wp; c++) {
            double aA = a[wp + c], aB = a[c], ya = aA + 1.0, yb = aB + 1.0;
            out[c] = clamp(aA * aB * (ya + yb) / (ya * yb * (ya + aB)));
        }
    }

    /**
     * k >= 3: A = slot k-1 (the farthest neighbour), B = slot 0 (the nearest), C = slot k-2; over the subsets v of
     * slots 1..k-3, with S = S_v (row v of {@code s.s}: row 0 holds ones, S_v = S_(v without its lowest bit) + a of
     * that bit) and T = S + C, the groups {@code N(S) / D(S) - N(T) / D(T)} as one fraction
     * {@code (N(S) D(T) - N(T) D(S)) / (D(S) D(T))}, where {@code N(S) = 2S + A + B},
     * {@code D(S) = S (S+A) (S+B) (S+A+B)}; times {@code (-1)^|v| A B}, clamped, as float32 into {@code s.out}.
     */
    private static void pairedQuads(Scratch s, int k) {
        int wp = s.wp, pairs = 1 << (k - 3);
        double[] a = s.a, sum = s.sum, aA = s.slot[k - 1], aB = s.slot[0], aC = s.slot[k - 2];
        for (int c = 0; c < wp; c++) sum[c] = pairTerm(1.0, aA[c], aB[c], aC[c]);
        for (int v = 1; v < pairs; v++) {
            double[] sp = s.s[v & (v - 1)], al = s.slot[Integer.numberOfTrailingZeros(v) + 1], sv = s.s[v];
            double sign = SIGN[v];
            for (int c = 0; c < wp; c++) {
                double y = sp[c] + al[c];
                sv[c] = y;
                sum[c] += sign * pairTerm(y, aA[c], aB[c], aC[c]);
            }
        }
        float[] out = s.out;
        for (int c = 0; c < wp; c++) out[c] = clamp(sum[c] * aA[c] * aB[c]);
    }

    /** {@code (N(S) D(T) - N(T) D(S)) / (D(S) D(T))}, T = S + C (see {@link #pairedQuads}). */
    private static double pairTerm(double y, double ac, double bc, double cc) {
        double z = y + cc, ya = y + ac, yb = y + bc, za = z + ac, zb = z + bc;
        double ny = y + y + ac + bc, nz = z + z + ac + bc;
        double dy = y * ya * yb * (ya + bc), dz = z * za * zb * (za + bc);
        return (ny * dz - nz * dy) / (dy * dz);
    }

    private static float clamp(double p) {
        return (float) (p < 0 ? 0 : (p > 1 ? 1 : p));
    }

    /** Pixel {@code c} with its {@code n} neighbours by the scalar definition: {@code Math.pow}, subset pairs. */
    private static double scalar(
            Scratch s, int c, int n, double[] xs, double[] ys, double sx, double sy, double py, double beta) {
        double px = s.px[c], dxi = px - sx, dyi = py - sy;
        double di = Math.sqrt(dxi * dxi + dyi * dyi) + 1.0;
        for (int t = 0; t < n; t++) {
            int j = s.nb[t * s.wp + c];
            double dx = px - xs[j], dy = py - ys[j];
            s.pa[t] = Math.pow((Math.sqrt(dx * dx + dy * dy) + 1.0) / di, beta);
        }
        return JavaKernels.subsetSum(s.pa, n, s.ps);
    }
}
