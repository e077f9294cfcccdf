package org.geomend.kernels.nbl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Multi-threaded Java scoring: per record, a k-way merge of the reported cells' tile lists (sorted by
 * tile index) visits each candidate tile once and folds MLE and weighted average in the same pass. The
 * Gaussian tail uses a linearly interpolated table (step 1/256 in z; absolute error below 1e-6 of the
 * float64 value). Records are split into chunks handed to a fixed pool; each thread keeps its scratch
 * arrays, so nothing is allocated per record in steady state.
 */
public final class JavaNblScoring implements NblScoring {

    private static final int CHUNK = 256;
    private static final double Z_STEP = 1.0 / 256;
    private static final double Z_MAX = 6.0;
    private static final double[] TAIL = new double[(int) (Z_MAX / Z_STEP) + 2];

    static {
        for (int i = 0; i < TAIL.length; i++) TAIL[i] = NblModel.tail(i * Z_STEP);
    }

    private final int threads;
    private final ExecutorService pool;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    public JavaNblScoring(int threads) {
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.pool = this.threads > 1 ? Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, "nbl-score");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    @Override public String name() { return "java"; }

    @Override public void close() { if (pool != null) pool.shutdownNow(); }

    /** {@code max(2 P(N > |z|), TAIL_FLOOR)} from the table. */
    static double tail(double z) {
        double a = Math.abs(z) * (1 / Z_STEP);
        if (!(a < TAIL.length - 1)) return NblModel.TAIL_FLOOR;
        int i = (int) a;
        double f = a - i;
        return TAIL[i] + f * (TAIL[i + 1] - TAIL[i]);
    }

    @Override
    public void score(NblMapArrays map, NblBatch batch, boolean useDensity, NblResult out) {
        int n = batch.numRecords;
        if (pool == null || n <= 2 * CHUNK) {
            Scratch s = scratch.get();
            for (int r = 0; r < n; r++) scoreOne(map, batch, useDensity, out, r, s);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable work = () -> {
            Scratch s = scratch.get();
            for (int c; (c = next.getAndAdd(CHUNK)) < n; ) {
                int e = Math.min(n, c + CHUNK);
                for (int r = c; r < e; r++) scoreOne(map, batch, useDensity, out, r, s);
            }
        };
        List<Future<?>> fs = new ArrayList<>(threads - 1);
        for (int t = 0; t < threads - 1; t++) fs.add(pool.submit(work));
        work.run();
        try {
            for (Future<?> f : fs) f.get();
        } catch (Exception e) {
            throw new IllegalStateException("nbl scoring failed: " + e.getMessage(), e);
        }
    }

    static final class Scratch {
        int[] cur = new int[16], end = new int[16], ms = new int[16], me = new int[16], cellOf = new int[16];
        boolean[] hasR = new boolean[16], hasQ = new boolean[16], hasP = new boolean[16];

        void ensure(int k) {
            if (cur.length < k) {
                int n = Math.max(k, cur.length * 2);
                cur = new int[n]; end = new int[n]; ms = new int[n]; me = new int[n]; cellOf = new int[n];
                hasR = new boolean[n]; hasQ = new boolean[n]; hasP = new boolean[n];
            }
        }
    }

    static void scoreOne(NblMapArrays map, NblBatch b, boolean useDensity, NblResult out, int r, Scratch s) {
        final int[] cellStart = map.cellStart(), entTile = map.entTile();
        final float[] muR = map.entMuR(), isR = map.entInvSdR(), muQ = map.entMuQ(), isQ = map.entInvSdQ();
        final double[] tx = map.tileX(), ty = map.tileY(), cx = map.cellX(), cy = map.cellY();
        final float[] tsc = map.tileScale(), dens = map.tileDensity();
        final boolean pd = map.fpd() != null;
        int m0 = b.recStart[r], m1 = b.recStart[r + 1];
        s.ensure(m1 - m0);
        int g = 0;
        for (int m = m0; m < m1; ) {
            int c = b.cell[m];
            int e = m + 1;
            while (e < m1 && b.cell[e] == c) e++;
            if (c >= 0 && cellStart[c] < cellStart[c + 1]) {
                s.cur[g] = cellStart[c];
                s.end[g] = cellStart[c + 1];
                s.ms[g] = m;
                s.me[g] = e;
                s.cellOf[g] = c;
                boolean hr = false, hq = false, hp = false;
                for (int k = m; k < e; k++) {
                    hr |= !Float.isNaN(b.rsrp[k]);
                    hq |= !Float.isNaN(b.rssi[k]);
                    hp |= !Float.isNaN(b.ta[k]);
                }
                s.hasR[g] = hr;
                s.hasQ[g] = hq;
                s.hasP[g] = hp && pd && !Double.isNaN(cx[c]);
                g++;
            }
            m = e;
        }
        int cand = 0;
        double best = -1, bx = Double.NaN, by = Double.NaN, sw = 0, sx = 0, sy = 0;
        if (g > 0) {
            // origin for the weighted sums: first tile of the first group (keeps the sums well conditioned)
            double ox = tx[entTile[s.cur[0]]], oy = ty[entTile[s.cur[0]]];
            while (true) {
                int t = Integer.MAX_VALUE;
                for (int k = 0; k < g; k++) if (s.cur[k] < s.end[k] && entTile[s.cur[k]] < t) t = entTile[s.cur[k]];
                if (t == Integer.MAX_VALUE) break;
                double w = useDensity ? dens[t] : 1.0;
                for (int k = 0; k < g; k++) {
                    int ms = s.ms[k], me = s.me[k];
                    if (s.cur[k] < s.end[k] && entTile[s.cur[k]] == t) {
                        int en = s.cur[k]++;
                        if (s.hasR[k]) w *= meanTail(b.rsrp, ms, me, muR[en], isR[en]);
                        if (s.hasQ[k]) w *= meanTail(b.rssi, ms, me, muQ[en], isQ[en]);
                    } else {
                        if (s.hasR[k]) w *= NblModel.MISS;
                        if (s.hasQ[k]) w *= NblModel.MISS;
                    }
                    if (s.hasP[k]) {
                        int c = s.cellOf[k];
                        double d = NblModel.distance(tx[t], ty[t], tsc[t], cx[c], cy[c]);
                        double sum = 0;
                        int np = 0;
                        for (int q = ms; q < me; q++) {
                            float p = b.ta[q];
                            if (p == p) { sum += map.fpdAt(d - p); np++; }
                        }
                        w *= sum / np;
                    }
                }
                cand++;
                sw += w;
                sx += w * (tx[t] - ox);
                sy += w * (ty[t] - oy);
                if (w > best) { best = w; bx = tx[t]; by = ty[t]; }
            }
            if (sw > 0) { sx = ox + sx / sw; sy = oy + sy / sw; } else { sx = bx; sy = by; }
        }
        out.candidates[r] = cand;
        out.mleX[r] = cand > 0 ? bx : Double.NaN;
        out.mleY[r] = cand > 0 ? by : Double.NaN;
        out.waX[r] = cand > 0 ? sx : Double.NaN;
        out.waY[r] = cand > 0 ? sy : Double.NaN;
    }

    private static double meanTail(float[] v, int ms, int me, float mu, float invSd) {
        if (mu != mu) return NblModel.MISS;
        double sum = 0;
        int n = 0;
        for (int q = ms; q < me; q++) {
            float x = v[q];
            if (x == x) { sum += tail((x - mu) * invSd); n++; }
        }
        return sum / n;
    }
}
