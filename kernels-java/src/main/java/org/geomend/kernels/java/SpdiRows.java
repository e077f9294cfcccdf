package org.geomend.kernels.java;

import static org.geomend.kernels.GridBuffer.F32;
import static org.geomend.kernels.GridBuffer.I32;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.SitePositions;

/**
 * The rows of {@link JavaKernels#spdiMaps}, {@link #L} pixels at a time with the Vector API (float64 lanes).
 *
 * <ol>
 *   <li>Per row, scalar: the k neighbours other than the map's site of every pixel (the raster's list with the site
 *       skipped), their positions stored slot-major.</li>
 *   <li>Per {@link #L} pixels: {@code 1 / d_i} once, then per neighbour the ratio {@code r_j = (|l - j| + 1) / d_i}
 *       as one square root and one multiplication, and {@code a_j = r_j^beta} by {@link Power}: multiplications
 *       for an integer beta (beta = 2: {@code r_j r_j}), one more square root for a half-integer one, else one
 *       lanewise {@code LOG} and one {@code EXP} (no scalar {@code Math.pow}).</li>
 *   <li>The inclusion-exclusion sum grouped in fours on A (the farthest neighbour) and B (the nearest):
 *       {@code 1/S - 1/(S+A) - 1/(S+B) + 1/(S+A+B) = A B (2S + A + B) / (S (S+A) (S+B) (S+A+B))} over the subsets
 *       of the other k - 2, so a pixel costs {@code 2^(k-2)} divisions and no group cancels (the grouping of
 *       {@code SpdiSweep}). Clamped to [0, 1], stored as float32.</li>
 * </ol>
 * Lanes where a product could leave the float64 range (some {@code a_j > }{@value #QUAD_LIMIT}), and pixels with fewer
 * than k neighbours (an inventory of at most k sites), are evaluated by the scalar path ({@code Math.pow} and
 * {@link JavaKernels#subsetSum}).
 */
final class SpdiRows {

    static final VectorSpecies<Double> SP = DoubleVector.SPECIES_PREFERRED;
    /** Float64 lanes per vector (8 with AVX-512, 4 with AVX2). */
    static final int L = SP.length();
    /** Float32 vectors of as many lanes (the map's stores). */
    static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(32 * L));
    /** Largest a_j for which the grouping in fours cannot overflow: (1 + 8 a)^4 stays far below 1e308. */
    static final double QUAD_LIMIT = 1e60;
    /** Rows per task. */
    static final int ROWS_PER_TASK = 8;

    private SpdiRows() {}

    /**
     * {@code r^beta}: {@code r^n} by squaring, times {@code sqrt(r)} when beta is {@code n + 1/2}, for integer and
     * half-integer betas up to 64; {@code exp(beta ln r)} lanewise otherwise.
     */
    record Power(double beta, int n, boolean half, boolean transcendental) {

        static Power of(double beta) {
            double twice = beta * 2;
            if (beta > 0 && beta <= 64 && twice == Math.rint(twice)) {
                int t = (int) twice;
                return new Power(beta, t / 2, (t & 1) != 0, false);
            }
            return new Power(beta, 0, false, true);
        }

        DoubleVector apply(DoubleVector r) {
            if (transcendental) return r.lanewise(VectorOperators.LOG).mul(beta).lanewise(VectorOperators.EXP);
            DoubleVector acc = half ? r.sqrt() : null, p = r;
            for (int e = n; e > 0; e >>= 1) {
                if ((e & 1) != 0) acc = acc == null ? p : acc.mul(p);
                if (e > 1) p = p.mul(p);
            }
            return acc;
        }
    }

    /** Per-task scratch: neighbour positions slot-major, pixel x, subset sums, the row's output. */
    static final class Scratch {
        final int wp;
        final double[] nx, ny, px, s, a, pa, ps;
        final float[] out;
        final int[] count;
        final boolean[] slow;

        Scratch(int k, int w) {
            this.wp = (w + L - 1) / L * L;
            nx = new double[k * wp];
            ny = new double[k * wp];
            px = new double[wp];
            count = new int[wp];
            slow = new boolean[wp];
            s = new double[(k >= 2 ? 1 << (k - 2) : 1) * L];
            a = new double[k * L];
            pa = new double[k];
            ps = new double[1 << k];
            out = new float[wp];
        }
    }

    /** Every map of {@code batch}, tasks of {@link #ROWS_PER_TASK} rows. */
    static void maps(JavaKernels pool, SitePositions sites, KnnRaster knn, int k, MapBatch batch) {
        int h = batch.height(), per = (h + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        pool.parallelFor(batch.count() * per, task -> {
            int m = task / per, r0 = (task % per) * ROWS_PER_TASK;
            Scratch s = new Scratch(k, batch.width());
            Power pw = Power.of(batch.beta()[m]);
            for (int r = r0, re = Math.min(h, r0 + ROWS_PER_TASK); r < re; r++) row(sites, knn, k, batch, m, r, pw, s);
        });
    }

    /** Row {@code r} of map {@code m}. */
    static void row(SitePositions sites, KnnRaster knn, int k, MapBatch batch, int m, int r, Power pw, Scratch s) {
        GridSpec g = knn.grid();
        MemorySegment idx = knn.idx().segment();
        int kk = knn.kk(), w = batch.width(), wp = s.wp, site = batch.site()[m], col0 = batch.col0()[m];
        double[] xs = sites.x(), ys = sites.y();
        double sx = xs[site], sy = ys[site];
        int gr = batch.row0()[m] + r;
        double py = g.centreY(gr);
        long src = ((long) gr * g.width() + col0) * kk;
        boolean slowRow = false;
        for (int c = 0; c < w; c++, src += kk) {
            s.px[c] = g.centreX(col0 + c);
            int n = 0;
            for (int t = 0; t < kk && n < k; t++) {
                int j = idx.getAtIndex(I32, src + t);
                if (j < 0) break;
                if (j == site) continue;
                s.nx[n * wp + c] = xs[j];
                s.ny[n * wp + c] = ys[j];
                n++;
            }
            s.count[c] = n;
            s.slow[c] = n < k;
            if (n < k) {
                slowRow = true;
                for (; n < k; n++) { // any finite position: the lane is redone by the scalar path
                    s.nx[n * wp + c] = sx;
                    s.ny[n * wp + c] = sy;
                }
            }
        }
        for (int c = w; c < wp; c++) { // padding lanes: any finite input, never stored
            s.px[c] = sx;
            s.slow[c] = false;
            for (int n = 0; n < k; n++) {
                s.nx[n * wp + c] = sx;
                s.ny[n * wp + c] = sy;
            }
        }
        DoubleVector vpy = DoubleVector.broadcast(SP, py), one = DoubleVector.broadcast(SP, 1.0);
        int quads = k >= 2 ? 1 << (k - 2) : 0;
        for (int c0 = 0; c0 < wp; c0 += L) {
            DoubleVector vpx = DoubleVector.fromArray(SP, s.px, c0);
            DoubleVector dxi = vpx.sub(sx), dyi = vpy.sub(sy);
            DoubleVector inv = one.div(dxi.fma(dxi, dyi.mul(dyi)).sqrt().add(1.0));
            DoubleVector big = DoubleVector.zero(SP);
            for (int n = 0; n < k; n++) {
                DoubleVector dx = vpx.sub(DoubleVector.fromArray(SP, s.nx, n * wp + c0));
                DoubleVector dy = vpy.sub(DoubleVector.fromArray(SP, s.ny, n * wp + c0));
                DoubleVector a = pw.apply(dx.fma(dx, dy.mul(dy)).sqrt().add(1.0).mul(inv));
                a.intoArray(s.a, n * L);
                big = big.max(a);
            }
            DoubleVector p;
            if (k == 1) {
                DoubleVector aa = DoubleVector.fromArray(SP, s.a, 0);
                p = aa.div(aa.add(1.0));
            } else {
                // A = the farthest neighbour (slot k-1), B = the nearest (slot 0); subsets of slots 1..k-2
                DoubleVector aA = DoubleVector.fromArray(SP, s.a, (k - 1) * L);
                DoubleVector aB = DoubleVector.fromArray(SP, s.a, 0), ab = aA.add(aB);
                DoubleVector sum = DoubleVector.zero(SP);
                for (int v = 0; v < quads; v++) {
                    DoubleVector sv = v == 0
                            ? one
                            : DoubleVector.fromArray(SP, s.s, (v & (v - 1)) * L)
                                    .add(DoubleVector.fromArray(SP, s.a, (Integer.numberOfTrailingZeros(v) + 1) * L));
                    sv.intoArray(s.s, v * L);
                    DoubleVector ya = sv.add(aA), yb = sv.add(aB);
                    DoubleVector term =
                            sv.add(sv).add(ab).div(sv.mul(ya).mul(yb).mul(ya.add(aB)));
                    sum = (Integer.bitCount(v) & 1) == 0 ? sum.add(term) : sum.sub(term);
                }
                p = sum.mul(aA).mul(aB);
            }
            ((FloatVector) p.max(0.0).min(1.0).convertShape(VectorOperators.D2F, FS, 0)).intoArray(s.out, c0);
            VectorMask<Double> wide =
                    big.compare(VectorOperators.GT, QUAD_LIMIT).or(big.test(VectorOperators.IS_NAN));
            if (wide.anyTrue()) {
                slowRow = true;
                for (int c = c0; c < c0 + L; c++) if (wide.laneIsSet(c - c0)) s.slow[c] = true;
            }
        }
        if (slowRow)
            for (int c = 0; c < w; c++)
                if (s.slow[c]) s.out[c] = (float) scalar(s, c, s.count[c], sx, sy, py, pw.beta());
        MemorySegment.copy(s.out, 0, batch.maps().segment(), F32, (batch.offset(m) + (long) r * w) * 4, w);
    }

    /** Pixel {@code c} with its {@code n} neighbours as the scalar definition: {@code Math.pow}, subset pairs. */
    private static double scalar(Scratch s, int c, int n, double sx, double sy, double py, double beta) {
        double px = s.px[c], dxi = px - sx, dyi = py - sy;
        double di = Math.sqrt(dxi * dxi + dyi * dyi) + 1.0;
        for (int t = 0; t < n; t++) {
            double dx = px - s.nx[t * s.wp + c], dy = py - s.ny[t * s.wp + c];
            s.pa[t] = Math.pow((Math.sqrt(dx * dx + dy * dy) + 1.0) / di, beta);
        }
        return JavaKernels.subsetSum(s.pa, n, s.ps);
    }
}
