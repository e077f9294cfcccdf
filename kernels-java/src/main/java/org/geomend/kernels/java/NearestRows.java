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
 * block ({@link JavaKernels#candidates}), pruned for each {@value #SUB} x {@value #SUB} sub-block by the rectangle
 * of its pixel centres ({@link #prune}: a candidate is kept only if its least distance to the rectangle can reach
 * the kk-th smallest of the candidates' greatest distances to it), then the sub-block's {@value #SUB} x {@value
 * #SUB} pixels {@link #L} at a time with the Vector API: per candidate (ascending index) one vector of squared
 * distances ({@code dx dx + dy dy}, rounded as the reference rounds it) and, when some lane beats its kk-th distance,
 * a branch-free insertion into the sorted lanes. A candidate goes after every kept distance it does not beat strictly,
 * so equal distances keep the lower index (the SPEC's tie rule, as {@link org.geomend.kernels.Reference#nearest}).
 * The ranks of a block go to a scratch tile first, then to the raster one block row at a time.
 */
final class NearestRows {

    static final VectorSpecies<Double> SP = SpdiRows.SP;
    static final int L = SpdiRows.L;
    static final VectorSpecies<Integer> IS = SpdiRows.IS;
    /** Side, in pixels, of the sub-blocks with their own pruned candidate list. */
    static final int SUB = 8;
    /** Pixels of a sub-block, padded to whole vectors (lanes past an edge repeat the edge pixel). */
    static final int LANES = (SUB * SUB + L - 1) / L * L;

    private static final DoubleVector INF = DoubleVector.broadcast(SP, Double.POSITIVE_INFINITY);
    private static final DoubleVector NONE = DoubleVector.broadcast(SP, -1);

    /** The vector rows or their scalar mirror ({@link #scalarRows}) while the vector rows are not compiled. */
    static final Warmup WARMUP = new Warmup("neighbour raster");

    /** Per-thread scratch, grown to the largest block candidate list and kk seen. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        int[] sub = new int[0], tile = new int[0], off = new int[LANES], row = new int[0];
        double[] sx = new double[0], sy = new double[0], top = new double[0], bd = new double[0];
        double[] bi = new double[0], px = new double[LANES], py = new double[LANES];

        void fit(int nc, int kk) {
            if (sub.length < nc) {
                sub = new int[nc];
                sx = new double[nc];
                sy = new double[nc];
            }
            if (top.length < kk) {
                top = new double[kk];
                bd = new double[kk * L];
                bi = new double[kk * L];
                tile = new int[JavaKernels.BLOCK * JavaKernels.BLOCK * kk];
                row = new int[SUB * kk];
            }
        }
    }

    private NearestRows() {}

    static void run(JavaKernels pool, SitePositions sites, KnnRaster dst) {
        GridSpec g = dst.grid();
        int kk = dst.kk(), block = JavaKernels.BLOCK;
        SiteIndex index = new SiteIndex(sites);
        int bw = (g.width() + block - 1) / block, bh = (g.height() + block - 1) / block;
        MemorySegment out = dst.idx().segment();
        double[] xs = sites.x(), ys = sites.y();
        double res = g.resolution();
        pool.parallelFor(bw * bh, b -> {
            boolean vector = WARMUP.hot() || WARMUP.vector();
            long t0 = WARMUP.hot() ? 0 : System.nanoTime();
            int bc = (b % bw) * block, br = (b / bw) * block;
            int ce = Math.min(bc + block, g.width()), re = Math.min(br + block, g.height());
            double cx = g.x0() + (bc + ce) * 0.5 * res, cy = g.y0() + (br + re) * 0.5 * res;
            int[] cand = JavaKernels.candidates(index, cx, cy, kk, Math.hypot(ce - bc, re - br) * 0.5 * res);
            Scratch s = SCRATCH.get();
            s.fit(cand.length, kk);
            int[] sub = s.sub, tile = s.tile, off = s.off;
            double[] sx = s.sx, sy = s.sy, px = s.px, py = s.py;
            for (int sr = br; sr < re; sr += SUB)
                for (int sc = bc; sc < ce; sc += SUB) {
                    int sce = Math.min(sc + SUB, ce), sre = Math.min(sr + SUB, re);
                    int n = prune(g, sc, sce, sr, sre, kk, cand, xs, ys, s.top, sub);
                    for (int t = 0; t < n; t++) {
                        sx[t] = xs[sub[t]];
                        sy[t] = ys[sub[t]];
                    }
                    if (!vector) {
                        for (int c = 0; c < sce - sc; c++) px[c] = g.centreX(sc + c);
                        scalarRows(g, sc, sce, sr, sre, kk, n, sub, sx, sy, px, s.bd, s.row, out);
                        continue;
                    }
                    for (int p = 0; p < LANES; p++) { // lane p: pixel (p / SUB, p % SUB), clamped to the sub-block
                        int r = sr + Math.min(p / SUB, sre - sr - 1), c = sc + Math.min(p % SUB, sce - sc - 1);
                        px[p] = g.centreX(c);
                        py[p] = g.centreY(r);
                        off[p] = ((r - br) * block + c - bc) * kk;
                    }
                    for (int q = 0; q < LANES; q += L) {
                        scan(
                                DoubleVector.fromArray(SP, px, q),
                                DoubleVector.fromArray(SP, py, q),
                                kk,
                                n,
                                sub,
                                sx,
                                sy,
                                s.bd,
                                s.bi);
                        for (int t = 0; t < kk; t++) // rank t of L pixels, scattered to the tile
                        ((IntVector) DoubleVector.fromArray(SP, s.bi, t * L).convertShape(VectorOperators.D2I, IS, 0))
                                    .intoArray(tile, t, off, q);
                    }
                }
            if (vector)
                for (int r = br; r < re; r++)
                    MemorySegment.copy(
                            tile,
                            (r - br) * block * kk,
                            out,
                            I32,
                            ((long) r * g.width() + bc) * kk * 4,
                            (ce - bc) * kk);
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
     * [sc, sce) x [sr, sre), into {@code sub} (ascending); returns their count. The pixel centres lie in the rectangle
     * of the corner pixels' centres; every point of it has its kk-th nearest candidate within the kk-th smallest of
     * the candidates' greatest squared distances to the rectangle ({@code u}), so a candidate whose least squared
     * distance to the rectangle exceeds {@code u} is never among the kk nearest, ties included; the relative slack
     * (1e-9, far above float64 rounding) keeps every candidate that rounded distances could rank.
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
            double[] top,
            int[] sub) {
        int nc = cand.length;
        if (nc <= kk) {
            System.arraycopy(cand, 0, sub, 0, nc);
            return nc;
        }
        double xa = g.centreX(sc), xb = g.centreX(sce - 1), ya = g.centreY(sr), yb = g.centreY(sre - 1);
        double x0 = Math.min(xa, xb), x1 = Math.max(xa, xb), y0 = Math.min(ya, yb), y1 = Math.max(ya, yb);
        Arrays.fill(top, 0, kk, Double.POSITIVE_INFINITY);
        for (int t = 0; t < nc; t++) {
            double x = xs[cand[t]], y = ys[cand[t]];
            double fx = Math.max(x - x0, x1 - x), fy = Math.max(y - y0, y1 - y);
            SiteIndex.keepSmallest(top, kk, fx * fx + fy * fy);
        }
        double u = top[kk - 1] * (1 + 1e-9) + 1e-6;
        int n = 0;
        for (int t = 0; t < nc; t++) {
            double x = xs[cand[t]], y = ys[cand[t]];
            double nx = Math.max(0, Math.max(x0 - x, x - x1)), ny = Math.max(0, Math.max(y0 - y, y - y1));
            if (nx * nx + ny * ny <= u) sub[n++] = cand[t];
        }
        return n;
    }

    /**
     * The kk nearest of {@code n} candidates for the lanes at (vpx, vpy): distances into bd, indices into bi. Rank j
     * is first written when candidate j arrives (bd infinite, bi -1), so nothing is filled beforehand; ranks past n
     * stay -1.
     */
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
        int lastAt = (kk - 1) * L;
        for (int t = n; t < kk; t++) NONE.intoArray(bi, t * L);
        for (int j = 0; j < n; j++) {
            DoubleVector dx = vpx.sub(sx[j]), dy = vpy.sub(sy[j]);
            DoubleVector d = dx.mul(dx).add(dy.mul(dy));
            if (j >= kk) {
                if (!d.compare(VectorOperators.LT, DoubleVector.fromArray(SP, bd, lastAt))
                        .anyTrue()) continue;
            } else {
                INF.intoArray(bd, j * L);
                NONE.intoArray(bi, j * L);
            }
            DoubleVector id = DoubleVector.broadcast(SP, sub[j]);
            // m_t = d < bd[t] is monotone in t (bd sorted): d lands at the first t with m_t, the rest shift by one
            DoubleVector prevD = DoubleVector.fromArray(SP, bd, 0), prevI = DoubleVector.fromArray(SP, bi, 0);
            VectorMask<Double> prevM = d.compare(VectorOperators.LT, prevD);
            prevD.blend(d, prevM).intoArray(bd, 0); // whole-vector stores: a masked one stalls the next load
            prevI.blend(id, prevM).intoArray(bi, 0);
            for (int t = 1, te = Math.min(j, kk - 1); t <= te; t++) { // ranks past j are still empty
                DoubleVector curD = DoubleVector.fromArray(SP, bd, t * L), curI = DoubleVector.fromArray(SP, bi, t * L);
                VectorMask<Double> m = d.compare(VectorOperators.LT, curD);
                curD.blend(d, m).blend(prevD, prevM).intoArray(bd, t * L);
                curI.blend(id, m).blend(prevI, prevM).intoArray(bi, t * L);
                prevD = curD;
                prevI = curI;
                prevM = m;
            }
        }
    }
}
