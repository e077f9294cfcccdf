package org.geomend.kernels.java;

import static org.geomend.kernels.GridBuffer.I32;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.SitePositions;

/**
 * {@link JavaKernels#nearestSites}: one candidate list per {@link JavaKernels#BLOCK} x {@link JavaKernels#BLOCK}
 * block ({@link JavaKernels#candidates}), pruned for each {@value #SUB} x {@value #SUB} sub-block by the same bound
 * (the kk-th nearest of the sub-block's centre among the block's candidates, which hold it), then every row of a
 * sub-block {@link #L} pixels at a time with the Vector API: per candidate (ascending index) one vector of squared
 * distances ({@code dx dx + dy dy}, rounded as the reference rounds it) and, when some lane beats its kk-th distance,
 * a branch-free insertion into the sorted lanes. A candidate goes after every kept distance it does not beat strictly,
 * so equal distances keep the lower index (the SPEC's tie rule, as {@link org.geomend.kernels.Reference#nearest}).
 */
final class NearestRows {

    static final VectorSpecies<Double> SP = SpdiRows.SP;
    static final int L = SpdiRows.L;
    static final VectorSpecies<Integer> IS = SpdiRows.IS;
    /** Side, in pixels, of the sub-blocks with their own pruned candidate list. */
    static final int SUB = 8;

    /** The vector rows or their scalar mirror ({@link #scalarRows}) while the vector rows are not compiled. */
    static final Warmup WARMUP = new Warmup("neighbour raster");

    private NearestRows() {}

    static void run(JavaKernels pool, SitePositions sites, KnnRaster dst) {
        GridSpec g = dst.grid();
        int kk = dst.kk(), block = JavaKernels.BLOCK;
        SiteIndex index = new SiteIndex(sites);
        int bw = (g.width() + block - 1) / block, bh = (g.height() + block - 1) / block;
        MemorySegment out = dst.idx().segment();
        double[] xs = sites.x(), ys = sites.y();
        double res = g.resolution();
        int lanes = (SUB + L - 1) / L * L;
        pool.parallelFor(bw * bh, b -> {
            boolean vector = WARMUP.hot() || WARMUP.vector();
            long t0 = WARMUP.hot() ? 0 : System.nanoTime();
            int bc = (b % bw) * block, br = (b / bw) * block;
            int ce = Math.min(bc + block, g.width()), re = Math.min(br + block, g.height());
            double cx = g.x0() + (bc + ce) * 0.5 * res, cy = g.y0() + (br + re) * 0.5 * res;
            int[] cand = JavaKernels.candidates(index, cx, cy, kk, Math.hypot(ce - bc, re - br) * 0.5 * res);
            int[] sub = new int[cand.length];
            double[] cd = new double[cand.length], sx = new double[cand.length], sy = new double[cand.length];
            double[] top = new double[kk], bd = new double[kk * L], bi = new double[kk * L], px = new double[lanes];
            int[] row = new int[lanes * kk], stride = new int[L];
            for (int l = 0; l < L; l++) stride[l] = l * kk;
            for (int sr = br; sr < re; sr += SUB)
                for (int sc = bc; sc < ce; sc += SUB) {
                    int sce = Math.min(sc + SUB, ce), sre = Math.min(sr + SUB, re);
                    int n = prune(g, sc, sce, sr, sre, kk, cand, xs, ys, cd, top, sub);
                    for (int t = 0; t < n; t++) {
                        sx[t] = xs[sub[t]];
                        sy[t] = ys[sub[t]];
                    }
                    for (int c = 0; c < lanes; c++) px[c] = g.centreX(Math.min(sc + c, g.width() - 1));
                    if (!vector) {
                        scalarRows(g, sc, sce, sr, sre, kk, n, sub, sx, sy, px, bd, row, out);
                        continue;
                    }
                    for (int r = sr; r < sre; r++) {
                        DoubleVector vpy = DoubleVector.broadcast(SP, g.centreY(r));
                        for (int c0 = 0; c0 < sce - sc; c0 += L) {
                            DoubleVector vpx = DoubleVector.fromArray(SP, px, c0);
                            scan(vpx, vpy, kk, n, sub, sx, sy, bd, bi);
                            for (int t = 0; t < kk; t++) // rank t of L pixels, scattered to pixel-major order
                            ((IntVector) DoubleVector.fromArray(SP, bi, t * L).convertShape(VectorOperators.D2I, IS, 0))
                                        .intoArray(row, c0 * kk + t, stride, 0);
                        }
                        long base = ((long) r * g.width() + sc) * kk;
                        MemorySegment.copy(row, 0, out, I32, base * 4, (sce - sc) * kk);
                    }
                }
            if (vector) WARMUP.vectorDone(t0);
            else WARMUP.scalarDone(t0);
        });
    }

    /**
     * The rows of the sub-block [sc, sce) x [sr, sre) pixel by pixel, the scalar mirror of {@link #scan} (the same
     * distances, the same insertion rule: the same raster); {@code bd} holds kk distances.
     */
    private static void scalarRows(
            GridSpec g,
            int sc,
            int sce,
            int sr,
            int sre,
            int kk,
            int n,
            int[] sub,
            double[] sx,
            double[] sy,
            double[] px,
            double[] bd,
            int[] row,
            MemorySegment out) {
        for (int r = sr; r < sre; r++) {
            double py = g.centreY(r);
            for (int c = 0; c < sce - sc; c++) {
                int o = c * kk;
                Arrays.fill(bd, 0, kk, Double.POSITIVE_INFINITY);
                Arrays.fill(row, o, o + kk, -1);
                for (int j = 0; j < n; j++) {
                    double dx = px[c] - sx[j], dy = py - sy[j], d = dx * dx + dy * dy;
                    if (!(d < bd[kk - 1])) continue;
                    int t = kk - 1;
                    for (; t > 0 && d < bd[t - 1]; t--) {
                        bd[t] = bd[t - 1];
                        row[o + t] = row[o + t - 1];
                    }
                    bd[t] = d;
                    row[o + t] = sub[j];
                }
            }
            MemorySegment.copy(row, 0, out, I32, ((long) r * g.width() + sc) * kk * 4, (sce - sc) * kk);
        }
    }

    /**
     * The candidates of {@code cand} (ascending) that can be among the kk nearest of a pixel centre of the sub-block
     * [sc, sce) x [sr, sre), into {@code sub} (ascending); returns their count.
     */
    private static int prune(
            GridSpec g,
            int sc,
            int sce,
            int sr,
            int sre,
            int kk,
            int[] cand,
            double[] xs,
            double[] ys,
            double[] cd,
            double[] top,
            int[] sub) {
        int nc = cand.length;
        if (nc <= kk) {
            System.arraycopy(cand, 0, sub, 0, nc);
            return nc;
        }
        double res = g.resolution();
        double cx = g.x0() + (sc + sce) * 0.5 * res, cy = g.y0() + (sr + sre) * 0.5 * res;
        double h = Math.hypot(sce - sc, sre - sr) * 0.5 * res;
        Arrays.fill(top, Double.POSITIVE_INFINITY);
        for (int t = 0; t < nc; t++) {
            double dx = cx - xs[cand[t]], dy = cy - ys[cand[t]], d = dx * dx + dy * dy;
            cd[t] = d;
            SiteIndex.keepSmallest(top, kk, d);
        }
        double radius = JavaKernels.candidateRadius(top[kk - 1], h), r2 = radius * radius;
        int n = 0;
        for (int t = 0; t < nc; t++) if (cd[t] <= r2) sub[n++] = cand[t];
        return n;
    }

    /** The kk nearest of {@code n} candidates for the lanes at (vpx, vpy): distances into bd, indices into bi. */
    private static void scan(
            DoubleVector vpx,
            DoubleVector vpy,
            int kk,
            int n,
            int[] sub,
            double[] sx,
            double[] sy,
            double[] bd,
            double[] bi) {
        Arrays.fill(bd, Double.POSITIVE_INFINITY);
        Arrays.fill(bi, -1);
        int lastAt = (kk - 1) * L;
        DoubleVector last = DoubleVector.broadcast(SP, Double.POSITIVE_INFINITY);
        for (int j = 0; j < n; j++) {
            DoubleVector dx = vpx.sub(sx[j]), dy = vpy.sub(sy[j]);
            DoubleVector d = dx.mul(dx).add(dy.mul(dy));
            if (!d.compare(VectorOperators.LT, last).anyTrue()) continue;
            DoubleVector id = DoubleVector.broadcast(SP, sub[j]);
            // m_t = d < bd[t] is monotone in t (bd sorted): d lands at the first t with m_t, the rest shift by one
            DoubleVector prevD = DoubleVector.fromArray(SP, bd, 0), prevI = DoubleVector.fromArray(SP, bi, 0);
            VectorMask<Double> prevM = d.compare(VectorOperators.LT, prevD);
            d.intoArray(bd, 0, prevM);
            id.intoArray(bi, 0, prevM);
            for (int t = 1, te = Math.min(j, kk - 1); t <= te; t++) { // ranks past j are still empty
                DoubleVector curD = DoubleVector.fromArray(SP, bd, t * L), curI = DoubleVector.fromArray(SP, bi, t * L);
                VectorMask<Double> m = d.compare(VectorOperators.LT, curD);
                curD.blend(d, m).blend(prevD, prevM).intoArray(bd, t * L);
                curI.blend(id, m).blend(prevI, prevM).intoArray(bi, t * L);
                prevD = curD;
                prevI = curI;
                prevM = m;
            }
            last = DoubleVector.fromArray(SP, bd, lastAt);
        }
    }
}
