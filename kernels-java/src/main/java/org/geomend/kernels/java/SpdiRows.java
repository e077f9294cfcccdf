package org.geomend.kernels.java;

import static org.geomend.kernels.GridBuffer.F32;
import static org.geomend.kernels.GridBuffer.I32;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.SitePositions;

/**
 * The rows of {@link JavaKernels#spdiMaps}, {@link #L} pixels at a time with the Vector API (float64 lanes), in
 * passes over one row:
 *
 * <ol>
 *   <li>scalar: the k neighbours other than the map's site of every pixel (the raster's first k + 1 entries with
 *       the site's skipped), as site indices, slot-major;</li>
 *   <li>the ratios {@code r_j = (|l - j| + 1) / d_i}: one division per pixel ({@code 1 / d_i}), then per
 *       neighbour a gathered position, one square root and one multiplication;</li>
 *   <li>{@code a_j = r_j^beta} in place ({@link Power}): multiplications for an integer beta (beta = 2:
 *       {@code r_j r_j}), a square root and multiplications for a half-integer one, else one lanewise {@code LOG}
 *       and one {@code EXP} per neighbour (no scalar {@code Math.pow});</li>
 *   <li>the inclusion-exclusion sum grouped in fours on A (the farthest neighbour) and B (the nearest):
 *       {@code 1/S - 1/(S+A) - 1/(S+B) + 1/(S+A+B) = A B (2S + A + B) / (S (S+A) (S+B) (S+A+B))}, no group
 *       cancels (the grouping of {@code SpdiSweep}); the groups of S and S + C (C the last of the other
 *       neighbours) share one division, so k = 5 costs 4 divisions a pixel here (16 in {@link JavaKernels#subsetSum});
 *       clamped to [0, 1], stored as float32.</li>
 * </ol>
 * Each pass is its own loop with straight-line vector code: no vector is handed across a call or merged from two
 * paths (C2 would box it). Until C2 has compiled these loops (seconds into a run on a loaded 2-core machine) every
 * vector is a heap object: a short {@code geolocate} (15 maps) took 15 s against 6 s before; plain loops warmed up at
 * once but were slower than the old scalar code for beta = 2 once compiled, so this is the trade made. Pixels where a product could leave the float64 range (some {@code a_j >}
 * {@value #PAIR_LIMIT}) or with fewer than k neighbours (an inventory of at most k sites) are evaluated by the scalar
 * definition ({@code Math.pow}, {@link JavaKernels#subsetSum}).
 */
final class SpdiRows {

    static final VectorSpecies<Double> SP = DoubleVector.SPECIES_PREFERRED;
    /** Float64 lanes per vector (8 with AVX-512, 4 with AVX2). */
    static final int L = SP.length();
    /** Float32 vectors of as many lanes (the map's stores). */
    static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(32 * L));
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

    /** The vector rows or their scalar mirror ({@link #scalarRow}) while the vector rows are not compiled. */
    static final Warmup WARMUP = new Warmup("sPDI rows");

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

        /** {@code r^beta} as {@link #applyInPlace} computes it, one value ({@link Math#log}, {@link Math#exp}). */
        double apply(double r) {
            if (transcendental) return Math.exp(Math.log(r) * beta);
            if (half) r = Math.sqrt(r);
            return switch (n) {
                case 1 -> r;
                case 2 -> r * r;
                case 4 -> {
                    double r2 = r * r;
                    yield r2 * r2;
                }
                case 3 -> r * r * r;
                case 6 -> {
                    double r2 = r * r;
                    yield r2 * r2 * r2;
                }
                case 5 -> {
                    double r2 = r * r;
                    yield r2 * r2 * r;
                }
                default -> Math.exp(Math.log(r) * n);
            };
        }

        /**
         * {@code x[i] = x[i]^beta} for {@code i < len} (a multiple of {@link #L}); true when some result exceeds
         * {@link #PAIR_LIMIT} or is NaN.
         */
        boolean applyInPlace(double[] x, int len) {
            boolean wide = false;
            if (transcendental) return power(x, len, beta);
            if (half) // r^(m + 1/2) = sqrt(r)^(2m + 1): n is 2m + 1
            for (int i = 0; i < len; i += L)
                    DoubleVector.fromArray(SP, x, i).sqrt().intoArray(x, i);
            switch (n) {
                case 1 -> wide = check(x, len);
                case 2, 4 -> { // r^4 = (r^2)^2
                    for (int p = n; p > 1; p >>= 1) square(x, len);
                    wide = check(x, len);
                }
                case 3, 6 -> { // r^6 = (r^2)^3
                    if (n == 6) square(x, len);
                    for (int i = 0; i < len; i += L) {
                        DoubleVector r = DoubleVector.fromArray(SP, x, i);
                        r.mul(r).mul(r).intoArray(x, i);
                    }
                    wide = check(x, len);
                }
                case 5 -> {
                    for (int i = 0; i < len; i += L) {
                        DoubleVector r = DoubleVector.fromArray(SP, x, i), r2 = r.mul(r);
                        r2.mul(r2).mul(r).intoArray(x, i);
                    }
                    wide = check(x, len);
                }
                default -> wide = power(x, len, n);
            }
            return wide;
        }
    }

    /** {@code x[i] = exp(e ln x[i])} lanewise; true when some result exceeds {@link #PAIR_LIMIT} or is NaN. */
    private static boolean power(double[] x, int len, double e) {
        boolean wide = false;
        for (int i = 0; i < len; i += L) {
            DoubleVector a = DoubleVector.fromArray(SP, x, i)
                    .lanewise(VectorOperators.LOG)
                    .mul(e)
                    .lanewise(VectorOperators.EXP);
            a.intoArray(x, i);
            wide |= tooWide(a);
        }
        return wide;
    }

    private static void square(double[] x, int len) {
        for (int i = 0; i < len; i += L) {
            DoubleVector r = DoubleVector.fromArray(SP, x, i);
            r.mul(r).intoArray(x, i);
        }
    }

    /** True when some {@code x[i]} exceeds {@link #PAIR_LIMIT} or is NaN. */
    private static boolean check(double[] x, int len) {
        boolean wide = false;
        for (int i = 0; i < len; i += L) wide |= tooWide(DoubleVector.fromArray(SP, x, i));
        return wide;
    }

    private static boolean tooWide(DoubleVector a) {
        return a.compare(VectorOperators.GT, PAIR_LIMIT)
                .or(a.test(VectorOperators.IS_NAN))
                .anyTrue();
    }

    /** Per-task scratch, one row: raster entries, neighbours and a_j slot-major, subset sums, the output. */
    static final class Scratch {
        final int k, kk, w, wp;
        final int[] ids, nb, count, stride, et;
        final double[] px, a, s, pa, ps, ra, rs;
        final boolean[] slow;
        final float[] out;

        Scratch(int k, int kk, int w) {
            this.k = k;
            this.kk = kk;
            this.w = w;
            wp = (w + L - 1) / L * L;
            ids = new int[wp * kk];
            stride = new int[L];
            for (int l = 0; l < L; l++) stride[l] = l * kk;
            nb = new int[k * wp];
            et = new int[(k + 1) * L];
            count = new int[wp];
            px = new double[wp];
            a = new double[(k + 1) * wp]; // slot k stays 0
            s = new double[((k >= 3 ? 1 << (k - 3) : 0) + 1) * L]; // row 0: ones
            java.util.Arrays.fill(s, 0, L, 1.0);
            pa = new double[k];
            ps = new double[1 << k];
            ra = new double[k + 1]; // slot k stays 0
            rs = new double[(k >= 3 ? 1 << (k - 3) : 0) + 1];
            rs[0] = 1.0;
            slow = new boolean[wp];
            out = new float[wp];
        }
    }

    /** The last scratch of each thread, reused while k, kk and the width stay (no pass writes its fixed parts). */
    private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

    static Scratch scratch(int k, int kk, int w) {
        Scratch s = SCRATCH.get();
        if (s == null || s.k != k || s.kk != kk || s.w != w) SCRATCH.set(s = new Scratch(k, kk, w));
        return s;
    }

    /** Every map of {@code batch}, tasks of {@link #ROWS_PER_TASK} rows. */
    static void maps(JavaKernels pool, SitePositions sites, KnnRaster knn, int k, MapBatch batch) {
        int h = batch.height(), per = (h + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        pool.parallelFor(batch.count() * per, task -> {
            int m = task / per, r0 = (task % per) * ROWS_PER_TASK;
            Scratch s = scratch(k, knn.kk(), batch.width());
            Power pw = Power.of(batch.beta()[m]);
            for (int r = r0, re = Math.min(h, r0 + ROWS_PER_TASK); r < re; r++) {
                if (WARMUP.hot()) {
                    row(sites, knn, k, batch, m, r, pw, s);
                    continue;
                }
                long t0 = System.nanoTime();
                if (WARMUP.vector()) {
                    row(sites, knn, k, batch, m, r, pw, s);
                    WARMUP.vectorDone(t0);
                } else {
                    scalarRow(sites, knn, k, batch, m, r, pw, s);
                    WARMUP.scalarDone(t0);
                }
            }
        });
    }

    /**
     * Row {@code r} of map {@code m} by the scalar mirror of {@link #row}: pixel by pixel, the same operations in
     * the same order (so bit for bit the same map for an integer beta up to 6 or a half-integer one up to 3; for other betas
     * {@link Math#log} and {@link Math#exp} stand for the lanewise {@code LOG} and {@code EXP}, which may differ
     * in the last bits).
     */
    static void scalarRow(
            SitePositions sites, KnnRaster knn, int k, MapBatch batch, int m, int r, Power pw, Scratch s) {
        GridSpec g = knn.grid();
        int kk = knn.kk(), w = batch.width(), wp = s.wp, site = batch.site()[m], col0 = batch.col0()[m];
        double[] xs = sites.x(), ys = sites.y(), a = s.ra, ss = s.rs;
        int gr = batch.row0()[m] + r;
        double py = g.centreY(gr), sx = xs[site], sy = ys[site], dyi = py - sy;
        MemorySegment.copy(knn.idx().segment(), I32, ((long) gr * g.width() + col0) * kk * 4, s.ids, 0, w * kk);
        for (int c = 0; c < w; c++) {
            double px = g.centreX(col0 + c);
            s.px[c] = px;
            int o = c * kk, pos = k, n = k;
            boolean slow = false;
            for (int t = 0; t <= k; t++) {
                int e = s.ids[o + t];
                if (e == site && pos == k) pos = t;
                slow |= e < 0;
            }
            if (slow) { // as shortLanes
                n = 0;
                for (int t = 0; t < kk && n < k; t++) {
                    int j = s.ids[o + t];
                    if (j < 0) break;
                    if (j != site) s.nb[n++ * wp + c] = j;
                }
                slow = n < k;
            } else for (int t = 0; t < k; t++) s.nb[t * wp + c] = s.ids[o + (pos <= t ? t + 1 : t)];
            if (!slow) {
                double dxi = px - sx;
                double inv = 1.0 / (Math.sqrt(Math.fma(dxi, dxi, dyi * dyi)) + 1.0);
                for (int t = 0; t < k; t++) {
                    int j = s.nb[t * wp + c];
                    double dx = px - xs[j], dy = py - ys[j];
                    double p = pw.apply((Math.sqrt(Math.fma(dx, dx, dy * dy)) + 1.0) * inv);
                    a[t] = p;
                    slow |= !(p <= PAIR_LIMIT);
                }
            }
            double p;
            if (slow) p = scalar(s, c, n, xs, ys, sx, sy, py, pw.beta());
            else {
                if (k == 1) p = a[0] / (a[0] + 1.0);
                else if (k == 2) {
                    double ya = a[1] + 1.0, yb = a[0] + 1.0;
                    p = a[1] * a[0] * (ya + yb) / (ya * yb * (ya + a[0]));
                } else p = pairedQuad(a, ss, k);
                p = Math.min(Math.max(p, 0.0), 1.0);
            }
            s.out[c] = (float) p;
        }
        MemorySegment.copy(s.out, 0, batch.maps().segment(), F32, (batch.offset(m) + (long) r * w) * 4, w);
    }

    /** One pixel of {@link #pairedQuads}: {@code a} holds its k powers and a zero in slot k, {@code ss[0]} is 1. */
    private static double pairedQuad(double[] a, double[] ss, int k) {
        int pairs = 1 << (k - 3);
        double aA = a[k - 1], aB = a[0], ab = aA + aB, aC = a[k - 2], sum = 0;
        for (int v = 0; v < pairs; v++) {
            int parent = v == 0 ? 0 : (v & (v - 1)) + 1, slot = v == 0 ? k : Integer.numberOfTrailingZeros(v) + 1;
            double sv = ss[parent] + a[slot];
            ss[v + 1] = sv;
            double tv = sv + aC;
            double sa = sv + aA, sb = sv + aB, ta = tv + aA, tb = tv + aB;
            double ns = sv + sv + ab, nt = tv + tv + ab;
            double ds = sv * sa * sb * (sa + aB), dt = tv * ta * tb * (ta + aB);
            double term = (ns * dt - nt * ds) / (ds * dt);
            sum = sum + term * SIGN[v];
        }
        return sum * aA * aB;
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
     * n, or n + 1 at and after the site's entry ({@code pos}, k when absent), gathered {@link #L} pixels at a time.
     * Returns true when some pixel has fewer than k (marked in {@code s.slow}, its missing slots filled with the site
     * itself). {@code s.ids} holds {@code wp} pixels (the padding ones repeat the site).
     */
    private static boolean neighbours(Scratch s, int k, int kk, int w, int site) {
        int wp = s.wp;
        int[] ids = s.ids, nb = s.nb, stride = s.stride;
        java.util.Arrays.fill(ids, w * kk, wp * kk, site);
        IntVector vs = IntVector.broadcast(IS, site), none = IntVector.broadcast(IS, k);
        boolean any = false;
        int[] et = s.et;
        for (int c0 = 0; c0 < wp; c0 += L) {
            IntVector pos = none, lo = IntVector.broadcast(IS, 0);
            for (int t = 0; t <= k; t++) { // one gather per raster entry, kept for the blends below
                IntVector e = IntVector.fromArray(IS, ids, c0 * kk + t, stride, 0);
                e.intoArray(et, t * L);
                pos = pos.min(none.blend(t, e.compare(VectorOperators.EQ, vs)));
                lo = lo.min(e);
            }
            for (int n = 0; n < k; n++) {
                IntVector e = IntVector.fromArray(IS, et, n * L), f = IntVector.fromArray(IS, et, (n + 1) * L);
                e.blend(f, pos.compare(VectorOperators.LE, n)).intoArray(nb, n * wp + c0);
            }
            boolean short_ = lo.compare(VectorOperators.LT, 0).anyTrue();
            for (int c = c0; c < c0 + L; c++) {
                s.slow[c] = false;
                s.count[c] = k;
            }
            if (short_) any |= shortLanes(s, k, kk, Math.min(w, c0 + L), c0, site);
        }
        return any;
    }

    /** Pixels c0..ce-1 of an inventory of at most k sites (-1 padded lists): neighbours one by one. */
    private static boolean shortLanes(Scratch s, int k, int kk, int ce, int c0, int site) {
        int wp = s.wp;
        boolean any = false;
        for (int c = c0; c < ce; c++) {
            int n = 0;
            for (int t = 0; t < kk && n < k; t++) {
                int j = s.ids[c * kk + t];
                if (j < 0) break;
                if (j != site) s.nb[n++ * wp + c] = j;
            }
            s.count[c] = n;
            s.slow[c] = n < k;
            any |= n < k;
            for (; n < k; n++) s.nb[n * wp + c] = site;
        }
        return any;
    }

    /** Pass 2: the ratios {@code r_j = (|l - j| + 1) / d_i} into {@code s.a}, slot-major. */
    private static void ratios(Scratch s, int k, double[] xs, double[] ys, double py, double sx, double sy) {
        int wp = s.wp;
        int[] nb = s.nb;
        DoubleVector vpy = DoubleVector.broadcast(SP, py), one = DoubleVector.broadcast(SP, 1.0);
        for (int c0 = 0; c0 < wp; c0 += L) {
            DoubleVector vpx = DoubleVector.fromArray(SP, s.px, c0);
            DoubleVector dxi = vpx.sub(sx), dyi = vpy.sub(sy);
            DoubleVector inv = one.div(dxi.fma(dxi, dyi.mul(dyi)).sqrt().add(1.0));
            for (int n = 0; n < k; n++) {
                DoubleVector dx = vpx.sub(DoubleVector.fromArray(SP, xs, 0, nb, n * wp + c0));
                DoubleVector dy = vpy.sub(DoubleVector.fromArray(SP, ys, 0, nb, n * wp + c0));
                dx.fma(dx, dy.mul(dy)).sqrt().add(1.0).mul(inv).intoArray(s.a, n * wp + c0);
            }
        }
    }

    /** k = 1: {@code 1 - 1 / (1 + a) = a / (1 + a)}, clamped, as float32 into {@code s.out}. */
    private static void single(Scratch s) {
        for (int c0 = 0; c0 < s.wp; c0 += L) {
            DoubleVector a = DoubleVector.fromArray(SP, s.a, c0);
            DoubleVector p = a.div(a.add(1.0)).max(0.0).min(1.0);
            ((FloatVector) p.convertShape(VectorOperators.D2F, FS, 0)).intoArray(s.out, c0);
        }
    }

    /** k = 2: the one group of four, {@code A B (2 + A + B) / ((1+A) (1+B) (1+A+B))}. */
    private static void quads(Scratch s) {
        int wp = s.wp;
        for (int c0 = 0; c0 < wp; c0 += L) {
            DoubleVector aA = DoubleVector.fromArray(SP, s.a, wp + c0), aB = DoubleVector.fromArray(SP, s.a, c0);
            DoubleVector ya = aA.add(1.0), yb = aB.add(1.0);
            DoubleVector p = aA.mul(aB)
                    .mul(ya.add(yb))
                    .div(ya.mul(yb).mul(ya.add(aB)))
                    .max(0.0)
                    .min(1.0);
            ((FloatVector) p.convertShape(VectorOperators.D2F, FS, 0)).intoArray(s.out, c0);
        }
    }

    /**
     * k >= 3: A = slot k-1 (the farthest neighbour), B = slot 0 (the nearest), C = slot k-2; over the subsets v of
     * slots 1..k-3, with S = S_v and T = S + C, the groups {@code N(S) / D(S) - N(T) / D(T)} as one fraction
     * {@code (N(S) D(T) - N(T) D(S)) / (D(S) D(T))}, where {@code N(S) = 2S + A + B},
     * {@code D(S) = S (S+A) (S+B) (S+A+B)}; times {@code (-1)^|v| A B}, clamped, as float32 into {@code s.out}.
     */
    private static void pairedQuads(Scratch s, int k) {
        int wp = s.wp, pairs = 1 << (k - 3);
        for (int c0 = 0; c0 < wp; c0 += L) {
            DoubleVector aA = DoubleVector.fromArray(SP, s.a, (k - 1) * wp + c0);
            DoubleVector aB = DoubleVector.fromArray(SP, s.a, c0), ab = aA.add(aB);
            DoubleVector aC = DoubleVector.fromArray(SP, s.a, (k - 2) * wp + c0);
            DoubleVector sum = DoubleVector.zero(SP);
            for (int v = 0; v < pairs; v++) {
                // S_v = S_(v without its lowest bit) + a_(that bit's slot); S_0 = 1 + 0 (row 0 of s.s holds ones,
                // slot k of s.a zeros), so the loop body has no branch
                int parent = v == 0 ? 0 : (v & (v - 1)) + 1, slot = v == 0 ? k : Integer.numberOfTrailingZeros(v) + 1;
                DoubleVector sv = DoubleVector.fromArray(SP, s.s, parent * L)
                        .add(DoubleVector.fromArray(SP, s.a, slot * wp + c0));
                sv.intoArray(s.s, (v + 1) * L);
                DoubleVector tv = sv.add(aC);
                DoubleVector sa = sv.add(aA), sb = sv.add(aB), ta = tv.add(aA), tb = tv.add(aB);
                DoubleVector ns = sv.add(sv).add(ab), nt = tv.add(tv).add(ab);
                DoubleVector ds = sv.mul(sa).mul(sb).mul(sa.add(aB)),
                        dt = tv.mul(ta).mul(tb).mul(ta.add(aB));
                DoubleVector term = ns.mul(dt).sub(nt.mul(ds)).div(ds.mul(dt));
                sum = sum.add(term.mul(SIGN[v]));
            }
            DoubleVector p = sum.mul(aA).mul(aB).max(0.0).min(1.0);
            ((FloatVector) p.convertShape(VectorOperators.D2F, FS, 0)).intoArray(s.out, c0);
        }
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
