package org.geomend.kernels.nbl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Multi-threaded Java scoring: per record, the all-cells rule intersects the reported cells' tile lists
 * through a per-thread tile -> slot table (each candidate with its entry index per cell) and
 * computes each candidate's weight in one pass over its cells; when no tile holds every cell (or with the
 * any rule) the union of the tile lists is collected through a per-thread tile -> slot table and the
 * factors are applied cell by cell. MLE (exact ties: lowest tile index), weighted average and spread are
 * folded in one pass. The Laplace factors of a candidate (single-row cells) are one {@code Math.exp} of
 * their summed exponents (a product of exps, each factor's floor applied on its own; a table lookup per
 * factor measured slower than one intrinsic exp per candidate); a multi-row cell's mean of Laplace tails
 * reads {@link #laplaceTail}, a table times a short polynomial (relative error below 1e-11). The
 * Gaussian tail uses a linearly interpolated table of erfc (step 1/256 in z, relative error below 1e-4
 * up to the floor, which is applied after the interpolation). Records are split into chunks handed to a fixed pool; each thread keeps its scratch
 * arrays, so nothing is allocated per record in steady state.
 */
public final class JavaNblScoring implements NblScoring {

    private static final int CHUNK = 256;
    private static final double Z_STEP = 1.0 / 256;
    private static final double Z_MAX = 6.0;
    private static final double[] TAIL = new double[(int) (Z_MAX / Z_STEP) + 2];

    static {
        // the floor is applied after the interpolation, so the kink at |z| ~ 4.9 is exact
        for (int i = 0; i < TAIL.length; i++) TAIL[i] = NblModel.erfc(i * Z_STEP / Math.sqrt(2));
    }

    // exp(-u) (the Laplace tail, u = sqrt(2) |z|, and products of them): exp(-i / 64) from a table times exp(-d), d = u
    // - i / 64 in
    // [0, 1/64), by its Taylor polynomial of degree 4 (relative error below 1e-11, no Math.exp per value)
    private static final double U_STEP = 1.0 / 64;
    private static final double U_MAX = -Math.log(NblModel.TAIL_FLOOR);
    private static final double[] LAP = new double[(int) (U_MAX / U_STEP) + 2];

    static {
        for (int i = 0; i < LAP.length; i++) LAP[i] = Math.exp(-i * U_STEP);
    }

    private final int threads;
    private final ExecutorService pool;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    public JavaNblScoring(int threads) {
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.pool = this.threads > 1
                ? Executors.newFixedThreadPool(this.threads - 1, r -> {
                    Thread t = new Thread(r, "nbl-score");
                    t.setDaemon(true);
                    return t;
                })
                : null;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }

    /** {@code max(2 P(N > |z|), TAIL_FLOOR)} from the table. */
    static double tail(double z) {
        double a = Math.abs(z) * (1 / Z_STEP);
        if (!(a < TAIL.length - 1)) return NblModel.TAIL_FLOOR;
        int i = (int) a;
        double f = a - i;
        return Math.max(TAIL[i] + f * (TAIL[i + 1] - TAIL[i]), NblModel.TAIL_FLOOR);
    }

    /** {@code max(exp(-sqrt(2) |z|), TAIL_FLOOR)} ({@link NblModel#laplaceTail}) from the table, to 1e-11. */
    static double laplaceTail(double z) {
        double u = Math.abs(z) * 1.4142135623730951;
        if (!(u < U_MAX)) return NblModel.TAIL_FLOOR;
        return Math.max(expNeg(u), NblModel.TAIL_FLOOR);
    }

    /** {@code exp(-u)} for u >= 0: from the table below {@link #U_MAX} (relative error below 1e-11), Math.exp above. */
    static double expNeg(double u) {
        double a = u * (1 / U_STEP);
        if (!(a < LAP.length - 1)) return Math.exp(-u);
        int i = (int) a;
        double d = (a - i) * U_STEP;
        return LAP[i] * (1 - d * (1 - d * (0.5 - d * (1.0 / 6 - d * (1.0 / 24)))));
    }

    /**
     * Map data rearranged for the scoring loop, built once per map: one cache line per tile ({x, y, scale,
     * density}), four floats per entry, the distance from each entry's cell to its tile (the same
     * {@link NblModel#distance} the loop would compute; NaN without a cell position) and f_PD with its floor
     * applied. Every value is bit-identical to what the loop computed from {@link NblMapArrays} before.
     */
    static final class Packed {
        final NblMapArrays map;
        final double[] tile; // 4 per tile: x, y, scale, density
        final float[] ent; // 4 per entry: muR, 1/sdR, muQ, 1/sdQ
        final double[] entDist;
        final double[] fpd; // max(f_PD, floor); null: no PD term
        final double[] logDens; // log P(l) per tile (the log-domain weights of a power != 1)
        final double fpdMin, fpdBin, fpdFloor;

        /** f_PD of a PD error: exactly {@link NblMapArrays#fpdAt} (floor(a) in [0, n) iff a in [0, n)). */
        double fpdAt(double err) {
            double a = (err - fpdMin) / fpdBin;
            if (!(a >= 0 && a < fpd.length)) return fpdFloor;
            return fpd[(int) a];
        }

        Packed(NblMapArrays m) {
            map = m;
            fpdMin = m.fpdMin();
            fpdBin = m.fpdBin();
            fpdFloor = m.fpdFloor();
            if (m.fpd() == null) fpd = null;
            else {
                fpd = new double[m.fpd().length];
                for (int k = 0; k < fpd.length; k++) fpd[k] = Math.max(m.fpd()[k], m.fpdFloor());
            }
            entDist = new double[m.numEntries()];
            for (int c = 0; c < m.numCells(); c++)
                for (int e = m.cellStart()[c]; e < m.cellStart()[c + 1]; e++) {
                    int t = m.entTile()[e];
                    entDist[e] = Double.isNaN(m.cellX()[c])
                            ? Double.NaN
                            : NblModel.distance(
                                    m.tileX()[t], m.tileY()[t], m.tileScale()[t], m.cellX()[c], m.cellY()[c]);
                }
            int nt = m.numTiles(), ne = m.numEntries();
            tile = new double[4 * nt];
            logDens = new double[nt];
            for (int t = 0; t < nt; t++) logDens[t] = Math.log(m.tileDensity()[t]);
            for (int t = 0; t < nt; t++) {
                tile[4 * t] = m.tileX()[t];
                tile[4 * t + 1] = m.tileY()[t];
                tile[4 * t + 2] = m.tileScale()[t];
                tile[4 * t + 3] = m.tileDensity()[t];
            }
            ent = new float[4 * ne];
            for (int e = 0; e < ne; e++) {
                ent[4 * e] = m.entMuR()[e];
                ent[4 * e + 1] = m.entInvSdR()[e];
                ent[4 * e + 2] = m.entMuQ()[e];
                ent[4 * e + 3] = m.entInvSdQ()[e];
            }
        }
    }

    private volatile Packed packed;

    /** The packed form of {@code map}, built once per map instance (maps are immutable by contract). */
    Packed packed(NblMapArrays map) {
        Packed p = packed;
        if (p == null || p.map != map) packed = p = new Packed(map);
        return p;
    }

    @Override
    public void score(NblMapArrays map, NblBatch batch, NblOptions opt, NblResult out) {
        int n = batch.numRecords;
        Packed pk = packed(map);
        if (pool == null || n <= 2 * CHUNK) {
            Scratch s = scratch.get();
            for (int r = 0; r < n; r++) scoreOne(pk, batch, opt, out, r, s);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable work = () -> {
            Scratch s = scratch.get();
            for (int c; (c = next.getAndAdd(CHUNK)) < n; ) {
                int e = Math.min(n, c + CHUNK);
                for (int r = c; r < e; r++) scoreOne(pk, batch, opt, out, r, s);
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
        // candidates of a multi-cell record: tile, weight, a factor per tile; pos: candidate slot of each
        // entry of each group (groups' entries laid out one after the other from base[k])
        int[] uT = new int[1024], pos = new int[1024], cnt = new int[1024], base = new int[16];
        double[] w = new double[1024], f = new double[1024], acc = new double[4];
        // the mean shift's candidate list (offsets about the origin, weights to the power)
        double[] px = new double[1024], py = new double[1024], pq = new double[1024];
        int[] ie = new int[1024];

        private int[] slotOf = new int[0];

        void ensureIe(int n) {
            if (ie.length < n) ie = new int[Math.max(n, ie.length * 2)];
        }

        /** The tile -> candidate slot table, all -1, for maps of up to {@code tiles} tiles. */
        int[] slotOf(int tiles) {
            if (slotOf.length < tiles) {
                slotOf = new int[tiles];
                java.util.Arrays.fill(slotOf, -1);
            }
            return slotOf;
        }

        void ensureCand(int n) {
            if (uT.length < n) {
                int m = Math.max(n, uT.length * 2);
                uT = new int[m];
                pos = new int[m];
                cnt = new int[m];
                w = new double[m];
                f = new double[m];
                px = new double[m];
                py = new double[m];
                pq = new double[m];
            }
        }

        void ensure(int k) {
            if (cur.length < k) {
                int n = Math.max(k, cur.length * 2);
                cur = new int[n];
                end = new int[n];
                ms = new int[n];
                me = new int[n];
                cellOf = new int[n];
                hasR = new boolean[n];
                hasQ = new boolean[n];
                hasP = new boolean[n];
                base = new int[n];
            }
        }
    }

    /** P(P|l) factor of one cell: mean of f_PD(d - p) over its reported PDs (rows ms..me, at least one). */
    private static double pdFactor(Packed pk, float[] ta, int ms, int me, double d) {
        if (me - ms == 1) return pk.fpdAt(d - ta[ms]); // x / 1 == x
        double sum = 0;
        int np = 0;
        for (int q = ms; q < me; q++) {
            float p = ta[q];
            if (p == p) {
                sum += pk.fpdAt(d - p);
                np++;
            }
        }
        return np == 1 ? sum : sum / np;
    }

    static void scoreOne(Packed pk, NblBatch b, NblOptions opt, NblResult out, int r, Scratch s) {
        final NblMapArrays map = pk.map;
        final int[] cellStart = map.cellStart(), entTile = map.entTile();
        final double[] tile = pk.tile, cx = map.cellX(), cy = map.cellY(), entDist = pk.entDist;
        final float[] ent = pk.ent, rsrp = b.rsrp, rssi = b.rssi, ta = b.ta;
        final boolean pd = map.fpd() != null && opt.pd(), useQ = opt.rssi(), useDensity = opt.density();
        final double miss = opt.miss(), alpha = opt.densityPower(), tau = opt.temperature();
        final boolean temper = tau != 1, powDens = useDensity && alpha != 1, lap = opt.laplace();
        final double cutoff = opt.cutoff(), pw = opt.power();
        final boolean powW = pw != 1, shift = opt.shift() > 0;
        // a power != 1 (without a temperature): log-domain weights, the MLE and the cutoff on them, and each
        // candidate's w^p = exp(p (log w - log best)) (one exp instead of Math.pow; the scale cancels in the
        // weighted average), as NblReference computes them
        final boolean logW = powW && !temper, store = cutoff > 0 || shift || logW;
        final double[] logDens = pk.logDens;
        int m0 = b.recStart[r], m1 = b.recStart[r + 1];
        s.ensure(m1 - m0);
        final int[] cur = s.cur, end = s.end, gms = s.ms, gme = s.me, cellOf = s.cellOf;
        final boolean[] hasR = s.hasR, hasQ = s.hasQ, hasP = s.hasP;
        int g = 0;
        for (int m = m0; m < m1; ) {
            int c = b.cell[m];
            int e = m + 1;
            while (e < m1 && b.cell[e] == c) e++;
            if (c >= 0 && cellStart[c] < cellStart[c + 1]) {
                cur[g] = cellStart[c];
                end[g] = cellStart[c + 1];
                gms[g] = m;
                gme[g] = e;
                cellOf[g] = c;
                boolean hr = false, hq = false, hp = false;
                for (int k = m; k < e; k++) {
                    hr |= rsrp[k] == rsrp[k];
                    hq |= rssi[k] == rssi[k];
                    hp |= ta[k] == ta[k];
                }
                hasR[g] = hr;
                hasQ[g] = hq && useQ;
                hasP[g] = hp && pd && !Double.isNaN(cx[c]);
                g++;
            }
            m = e;
        }
        int cand = 0;
        double best = logW ? Double.NEGATIVE_INFINITY : -1,
                bx = Double.NaN,
                by = Double.NaN,
                bs = Double.NaN,
                sw = 0,
                sx = 0,
                sy = 0,
                sq = 0;
        double ox = 0, oy = 0;
        if (g == 1) {
            // one cell: its entries are the candidates, no merge
            final int e0 = cur[0], e1 = end[0], ms = gms[0], me = gme[0];
            final boolean hr = hasR[0], hq = hasQ[0], hp = hasP[0], single = me - ms == 1;
            final float vr = rsrp[ms], vq = rssi[ms];
            final int t0 = entTile[e0];
            ox = tile[4 * t0];
            oy = tile[4 * t0 + 1];
            if (store) s.ensureCand(e1 - e0);
            final double[] ws = s.w;
            final int[] ts = s.uT;
            for (int en = e0; en < e1; en++) {
                int t4 = 4 * entTile[en], e4 = 4 * en;
                double dx = tile[t4] - ox, dy = tile[t4 + 1] - oy;
                double w = temper || !useDensity || logW ? 1.0 : powDens ? Math.pow(tile[t4 + 3], alpha) : tile[t4 + 3];
                if (lap && single) {
                    // both Laplace factors by one exp of the summed exponents
                    double u = 0;
                    if (hr) {
                        float mu = ent[e4];
                        if (mu != mu) w *= miss;
                        else {
                            double uk = lapU(vr, mu, ent[e4 + 1]);
                            if (uk < U_MAX) u += uk;
                            else w *= NblModel.TAIL_FLOOR;
                        }
                    }
                    if (hq) {
                        float mu = ent[e4 + 2];
                        if (mu != mu) w *= miss;
                        else {
                            double uk = lapU(vq, mu, ent[e4 + 3]);
                            if (uk < U_MAX) u += uk;
                            else w *= NblModel.TAIL_FLOOR;
                        }
                    }
                    if (logW)
                        w = logWeight(w, u, logDens, entTile[en], useDensity, alpha, hp, pk, ta, ms, me, entDist[en]);
                    else if (u != 0) w *= Math.exp(-u);
                } else {
                    if (hr)
                        w *= single
                                ? tail1(vr, ent[e4], ent[e4 + 1], miss, lap)
                                : meanTail(rsrp, ms, me, ent[e4], ent[e4 + 1], miss, lap);
                    if (hq)
                        w *= single
                                ? tail1(vq, ent[e4 + 2], ent[e4 + 3], miss, lap)
                                : meanTail(rssi, ms, me, ent[e4 + 2], ent[e4 + 3], miss, lap);
                }
                if (logW) {
                    // the log weight; the sums follow once the best one is known
                    if (!(lap && single))
                        w = logWeight(w, 0, logDens, entTile[en], useDensity, alpha, hp, pk, ta, ms, me, entDist[en]);
                    ws[en - e0] = w;
                    ts[en - e0] = entTile[en];
                    if (w > best || en == e0) {
                        best = w;
                        bx = tile[t4];
                        by = tile[t4 + 1];
                        bs = tile[t4 + 2];
                    }
                    continue;
                }
                if (hp) w *= pdFactor(pk, ta, ms, me, entDist[en]);
                if (temper) w = densityWeight(tile[t4 + 3], useDensity, alpha) * Math.pow(w, tau);
                double wa = powW ? Math.pow(w, pw) : w;
                if (store) {
                    ws[en - e0] = w;
                    ts[en - e0] = entTile[en];
                    s.f[en - e0] = wa; // the power, for the cutoff sums and the mean shift
                }
                sw += wa;
                sx += wa * dx;
                sy += wa * dy;
                sq += wa * (dx * dx + dy * dy);
                if (w > best) {
                    best = w;
                    bx = tile[t4];
                    by = tile[t4 + 1];
                    bs = tile[t4 + 2];
                }
            }
            cand = e1 - e0;
        } else if (g > 1) {
            // the all-cells rule by intersecting the groups' tile lists (candidates in ascending tile order,
            // as the union's first appearance order would give); an empty intersection, or the any rule, takes
            // the union path
            int n = opt.candidates() == NblOptions.Candidates.ALL ? intersect(entTile, map.numTiles(), s, g) : 0;
            if (n > 0) {
                final int[] uT = s.uT, ie = s.ie;
                final double[] w = s.w;
                for (int j = 0; j < n; j++) {
                    double wj = temper || logW ? 1.0 : densityWeight(tile[4 * uT[j] + 3], useDensity, alpha);
                    // Laplace factors of single-row groups: one exp of their summed exponents
                    double u = 0;
                    for (int k = 0, jg = j * g; k < g; k++) {
                        final int en = ie[jg + k], e4 = 4 * en, ms = gms[k], me = gme[k];
                        final boolean single = me - ms == 1;
                        if (lap && single) {
                            if (hasR[k]) {
                                float mu = ent[e4];
                                if (mu != mu) wj *= miss;
                                else {
                                    double uk = lapU(rsrp[ms], mu, ent[e4 + 1]);
                                    if (uk < U_MAX) u += uk;
                                    else wj *= NblModel.TAIL_FLOOR;
                                }
                            }
                            if (hasQ[k]) {
                                float mu = ent[e4 + 2];
                                if (mu != mu) wj *= miss;
                                else {
                                    double uk = lapU(rssi[ms], mu, ent[e4 + 3]);
                                    if (uk < U_MAX) u += uk;
                                    else wj *= NblModel.TAIL_FLOOR;
                                }
                            }
                            if (hasP[k]) wj *= pdFactor(pk, ta, ms, me, entDist[en]);
                            continue;
                        }
                        if (hasR[k])
                            wj *= single
                                    ? tail1(rsrp[ms], ent[e4], ent[e4 + 1], miss, lap)
                                    : meanTail(rsrp, ms, me, ent[e4], ent[e4 + 1], miss, lap);
                        if (hasQ[k])
                            wj *= single
                                    ? tail1(rssi[ms], ent[e4 + 2], ent[e4 + 3], miss, lap)
                                    : meanTail(rssi, ms, me, ent[e4 + 2], ent[e4 + 3], miss, lap);
                        if (hasP[k]) wj *= pdFactor(pk, ta, ms, me, entDist[en]);
                    }
                    w[j] = logW
                            ? logWeight(wj, u, logDens, uT[j], useDensity, alpha, false, pk, ta, 0, 0, 0)
                            : u != 0 ? wj * Math.exp(-u) : wj;
                }
            } else {
                n = unionWeights(pk, b, opt, s, g);
                if (logW) for (int j = 0; j < n; j++) s.w[j] = Math.log(s.w[j]);
            }
            cand = n;
            final int[] uT = s.uT;
            final double[] w = s.w;
            if (temper)
                for (int j = 0; j < n; j++)
                    w[j] = densityWeight(tile[4 * uT[j] + 3], useDensity, alpha) * Math.pow(w[j], tau);
            // 3. estimates; origin of the weighted sums: the first candidate
            if (n > 0) {
                ox = tile[4 * uT[0]];
                oy = tile[4 * uT[0] + 1];
            }
            int bestT = Integer.MAX_VALUE;
            if (logW) {
                for (int j = 0; j < n; j++) {
                    double wj = w[j];
                    if (wj > best || (wj == best && uT[j] < bestT) || j == 0) { // exact ties: the lowest tile index
                        bestT = uT[j];
                        best = wj;
                        int t4 = 4 * uT[j];
                        bx = tile[t4];
                        by = tile[t4 + 1];
                        bs = tile[t4 + 2];
                    }
                }
            } else
                for (int j = 0; j < n; j++) {
                    int t4 = 4 * uT[j];
                    double dx = tile[t4] - ox, dy = tile[t4 + 1] - oy, wj = w[j], wa = powW ? Math.pow(wj, pw) : wj;
                    if (store) s.f[j] = wa; // the power, for the cutoff sums and the mean shift
                    sw += wa;
                    sx += wa * dx;
                    sy += wa * dy;
                    sq += wa * (dx * dx + dy * dy);
                    if (wj > best || (wj == best && uT[j] < bestT)) { // exact ties: the lowest tile index
                        bestT = uT[j];
                        best = wj;
                        bx = tile[t4];
                        by = tile[t4 + 1];
                        bs = tile[t4 + 2];
                    }
                }
        }
        if (logW) {
            // both paths keep the candidates' tiles and log weights in s.uT, s.w: the powers' sums
            double[] acc = powSums(tile, s.uT, s.w, s.f, cand, best, pw, ox, oy, s.acc);
            sw = acc[0];
            sx = acc[1];
            sy = acc[2];
            sq = acc[3];
        }
        if (cutoff > 0 && cand > 1) {
            // the weighted sums again over the candidates of at least cutoff * best (both paths keep the
            // candidates' tiles and weights in s.uT, s.w)
            double[] acc =
                    cutSums(tile, s.uT, s.w, powW ? s.f : s.w, cand, cutLimit(logW, cutoff, best), ox, oy, s.acc);
            sw = acc[0];
            sx = acc[1];
            sy = acc[2];
            sq = acc[3];
        }
        double wx = Double.NaN, wy = Double.NaN, spread = Double.NaN;
        if (cand > 0) {
            if (sw > 0) {
                double mx = sx / sw, my = sy / sw;
                if (shift) {
                    // mean shift from the weighted average or the MLE tile (about the origin ox, oy); the
                    // spread about where it ends
                    double lim = cutoff > 0 ? cutLimit(logW, cutoff, best) : Double.NEGATIVE_INFINITY;
                    double[] c = meanShift(
                            tile,
                            s.uT,
                            s.w,
                            s.f,
                            cand,
                            lim,
                            pw,
                            ox,
                            oy,
                            opt.shiftFromMle() ? bx - ox : mx,
                            opt.shiftFromMle() ? by - oy : my,
                            opt.shiftRelative()
                                    ? opt.shift() * Math.sqrt(Math.max(0, sq / sw - mx * mx - my * my))
                                    : opt.shift() / bs,
                            opt.shiftIters(),
                            s);
                    double dx = c[0], dy = c[1];
                    wx = ox + dx;
                    wy = oy + dy;
                    spread = Math.sqrt(Math.max(0, sq / sw - 2 * (mx * dx + my * dy) + dx * dx + dy * dy)) * bs;
                } else {
                    wx = ox + mx;
                    wy = oy + my;
                    spread = Math.sqrt(Math.max(0, sq / sw - mx * mx - my * my)) * bs;
                }
            } else {
                wx = bx;
                wy = by;
                spread = 0;
            }
        }
        out.candidates[r] = cand;
        out.mleX[r] = cand > 0 ? bx : Double.NaN;
        out.mleY[r] = cand > 0 ? by : Double.NaN;
        out.waX[r] = wx;
        out.waY[r] = wy;
        out.spread[r] = spread;
    }

    /**
     * Steps 1-2 of a multi-cell record without an all-cells intersection: the union of the g groups' tiles
     * (through the per-thread tile -> slot table) and their weights before
     * the temperature into s.w; returns the number of candidates (their tiles in s.uT).
     */
    private static int unionWeights(Packed pk, NblBatch b, NblOptions opt, Scratch s, int g) {
        final NblMapArrays map = pk.map;
        final int[] cellStart = map.cellStart(), entTile = map.entTile();
        final double[] tile = pk.tile, cx = map.cellX(), cy = map.cellY();
        final float[] ent = pk.ent, rsrp = b.rsrp, rssi = b.rssi, ta = b.ta;
        final boolean useDensity = opt.density(), lap = opt.laplace(), temper = opt.temperature() != 1;
        final double miss = opt.miss(), alpha = opt.densityPower();
        final int[] cur = s.cur, end = s.end, gms = s.ms, gme = s.me, cellOf = s.cellOf;
        final boolean[] hasR = s.hasR, hasQ = s.hasQ, hasP = s.hasP;
        // 1. the union of the groups' tiles (in order of first appearance, through a per-thread tile ->
        //    slot table that is reset afterwards), how many groups hold each, and the slot of every entry
        final int[] base = s.base;
        int total = 0;
        for (int k = 0; k < g; k++) {
            base[k] = total;
            total += end[k] - cur[k];
        }
        s.ensureCand(total);
        final int[] uT = s.uT, pos = s.pos, cnt = s.cnt, slotOf = s.slotOf(map.numTiles());
        final double[] w = s.w, f = s.f;
        int n = 0;
        for (int k = 0; k < g; k++) {
            final int e0 = cur[k], e1 = end[k], bk = base[k] - e0;
            for (int e = e0; e < e1; e++) {
                int t = entTile[e], j = slotOf[t];
                if (j < 0) {
                    slotOf[t] = j = n;
                    uT[n] = t;
                    cnt[n++] = 0;
                }
                cnt[j]++;
                pos[bk + e] = j;
            }
        }
        for (int j = 0; j < n; j++) slotOf[uT[j]] = -1;
        // (the all-cells rule never gets here with tiles every group holds: intersect() took those records,
        // so every candidate lacks some group's statistics, which then weigh the miss factor)
        // 2. weights, factor by factor (density, then per group R, Q, PD)
        for (int j = 0; j < n; j++) w[j] = temper ? 1.0 : densityWeight(tile[4 * uT[j] + 3], useDensity, alpha);
        for (int k = 0; k < g; k++) {
            final int ms = gms[k],
                    me = gme[k],
                    c = cellOf[k],
                    e0 = cellStart[c],
                    ne = cellStart[c + 1] - e0,
                    bk = base[k];
            final boolean single = me - ms == 1;
            if (hasR[k]) typeFactor(rsrp, 0, ms, me, single, e0, ne, pos, bk, ent, f, w, n, miss, lap);
            if (hasQ[k]) typeFactor(rssi, 2, ms, me, single, e0, ne, pos, bk, ent, f, w, n, miss, lap);
            if (hasP[k]) {
                final double ccx = cx[c], ccy = cy[c];
                for (int j = 0; j < n; j++) {
                    int t4 = 4 * uT[j];
                    w[j] *= pdFactor(pk, ta, ms, me, NblModel.distance(tile[t4], tile[t4 + 1], tile[t4 + 2], ccx, ccy));
                }
            }
        }
        return n;
    }

    /**
     * One measurement type of one group on the union's candidates: f = the miss weight, then the group's
     * factor on the candidates it holds (entries e0 .. e0 + ne, their slots pos[bk ..]), w *= f. o: 0 for
     * RSRP, 2 for RSSI in the packed entries.
     */
    private static void typeFactor(
            float[] v,
            int o,
            int ms,
            int me,
            boolean single,
            int e0,
            int ne,
            int[] pos,
            int bk,
            float[] ent,
            double[] f,
            double[] w,
            int n,
            double miss,
            boolean lap) {
        java.util.Arrays.fill(f, 0, n, miss);
        final float x = v[ms];
        for (int i = 0; i < ne; i++) {
            int p = pos[bk + i];
            int e4 = 4 * (e0 + i) + o;
            f[p] = single
                    ? tail1(x, ent[e4], ent[e4 + 1], miss, lap)
                    : meanTail(v, ms, me, ent[e4], ent[e4 + 1], miss, lap);
        }
        for (int j = 0; j < n; j++) w[j] *= f[j];
    }

    /**
     * The tiles every group holds: the shortest group's tiles get their position in the per-thread tile ->
     * slot table, the other groups' entries look their tile up there (counting hits, noting the entry),
     * the table is reset; the tiles held by all, in the shortest group's (ascending) order, go to s.uT and,
     * for candidate j and group k, the entry index to s.ie[j * g + k]. Returns how many (0: none, the
     * caller takes the union).
     */
    private static int intersect(int[] entTile, int numTiles, Scratch s, int g) {
        final int[] cur = s.cur, end = s.end;
        int d = 0;
        for (int k = 1; k < g; k++) if (end[k] - cur[k] < end[d] - cur[d]) d = k;
        final int e0 = cur[d], len = end[d] - e0;
        s.ensureCand(len);
        s.ensureIe(len * g);
        final int[] uT = s.uT, ie = s.ie, cnt = s.cnt, slotOf = s.slotOf(numTiles);
        for (int j = 0; j < len; j++) {
            slotOf[entTile[e0 + j]] = j;
            cnt[j] = 0;
            ie[j * g + d] = e0 + j;
        }
        for (int k = 0; k < g; k++) {
            if (k == d) continue;
            for (int e = cur[k], ek = end[k]; e < ek; e++) {
                int j = slotOf[entTile[e]];
                if (j >= 0) {
                    cnt[j]++;
                    ie[j * g + k] = e;
                }
            }
        }
        int n = 0;
        for (int j = 0; j < len; j++) {
            int t = entTile[e0 + j];
            slotOf[t] = -1;
            if (cnt[j] != g - 1) continue;
            if (n != j) System.arraycopy(ie, j * g, ie, n * g, g);
            uT[n++] = t;
        }
        return n;
    }

    /**
     * The exponent {@code sqrt(2) |z|} of the Laplace factor of value x against a statistic (mean not NaN),
     * z in float as {@link #tail1} computes it; at least {@link #U_MAX} (or NaN) where the factor is the floor.
     */
    private static double lapU(float x, float mu, float invSd) {
        return Math.abs((double) ((x - mu) * invSd)) * 1.4142135623730951;
    }

    /** {@link #meanTail} of one reported value (the record's only row of the cell; x not NaN unless the type is unreported). */
    private static double tail1(float x, float mu, float invSd, double miss, boolean lap) {
        if (mu != mu) return miss;
        return lap ? laplaceTail((x - mu) * invSd) : tail((x - mu) * invSd);
    }

    private static double meanTail(float[] v, int ms, int me, float mu, float invSd, double miss, boolean lap) {
        if (mu != mu) return miss;
        double sum = 0;
        int n = 0;
        for (int q = ms; q < me; q++) {
            float x = v[q];
            if (x == x) {
                sum += lap ? laplaceTail((x - mu) * invSd) : tail((x - mu) * invSd);
                n++;
            }
        }
        return n == 1 ? sum : sum / n;
    }

    /**
     * The weighted sums {@code {sw, sx, sy, sq}} (about the origin ox, oy) over the candidates 0..n-1 (tile
     * index uT, weight w) whose weight is at least lim, each summed with its weight in wp (w to the power of the
     * weighted average, as the first pass stored it, or w itself), into acc.
     */
    private static double[] cutSums(
            double[] tile, int[] uT, double[] w, double[] wp, int n, double lim, double ox, double oy, double[] acc) {
        double sw = 0, sx = 0, sy = 0, sq = 0;
        for (int j = 0; j < n; j++) {
            double wj = w[j];
            if (!(wj >= lim)) continue;
            wj = wp[j];
            int t4 = 4 * uT[j];
            double dx = tile[t4] - ox, dy = tile[t4 + 1] - oy;
            sw += wj;
            sx += wj * dx;
            sy += wj * dy;
            sq += wj * (dx * dx + dy * dy);
        }
        acc[0] = sw;
        acc[1] = sx;
        acc[2] = sy;
        acc[3] = sq;
        return acc;
    }

    /**
     * Mean shift (about the origin ox, oy): from (cx, cy), {@code iters} times the weighted average (weights
     * to the power pw, as the weighted sums stored them in wp, unless pw is 1) of the candidates of weight (or
     * log weight) at least lim within Mercator radius rm of the current point; stops where no candidate is
     * within it or at a fixed point. Each pass reads a list of the candidates within about 2 rm of a centre
     * (offsets and weights in s.px, s.py, s.pq, in candidate order), rebuilt from all candidates whenever the
     * point is more than rm from that centre: every candidate within rm of the point is on it, so the sums
     * are those over all candidates, in the same order, bit for bit. Returns {@code {x, y}} about the origin
     * in s.acc.
     */
    private static double[] meanShift(
            double[] tile,
            int[] uT,
            double[] w,
            double[] wp,
            int n,
            double lim,
            double pw,
            double ox,
            double oy,
            double cx,
            double cy,
            double rm,
            int iters,
            Scratch s) {
        final double r2 = rm * rm;
        // the list radius, (2.015 rm)^2: 1.5 % above 2 rm against rounding; no list without a finite radius
        final double b2 = r2 < Double.POSITIVE_INFINITY ? 4.0625 * r2 : Double.POSITIVE_INFINITY;
        if (pw == 1) wp = w;
        final double[] px = s.px, py = s.py, pq = s.pq;
        double kx = 0, ky = 0;
        int m = -1;
        for (int it = 0; it < iters; it++) {
            double qx = cx - kx, qy = cy - ky;
            if (m < 0 || qx * qx + qy * qy > r2) {
                kx = cx;
                ky = cy;
                m = 0;
                for (int j = 0; j < n; j++) {
                    if (!(w[j] >= lim)) continue;
                    int t4 = 4 * uT[j];
                    double dx = tile[t4] - ox, dy = tile[t4 + 1] - oy, ex = dx - kx, ey = dy - ky;
                    if (!(ex * ex + ey * ey <= b2)) continue;
                    px[m] = dx;
                    py[m] = dy;
                    pq[m++] = wp[j];
                }
            }
            double lw = 0, lx = 0, ly = 0;
            for (int j = 0; j < m; j++) {
                double dx = px[j], dy = py[j], ex = dx - cx, ey = dy - cy;
                if (ex * ex + ey * ey > r2) continue;
                double wj = pq[j];
                lw += wj;
                lx += wj * dx;
                ly += wj * dy;
            }
            if (!(lw > 0)) break;
            double nx = lx / lw, ny = ly / lw;
            // a fixed point: the same candidates again, the same sums in the same order, the same point
            boolean same = nx == cx && ny == cy;
            cx = nx;
            cy = ny;
            if (same) break;
        }
        double[] acc = s.acc;
        acc[0] = cx;
        acc[1] = cy;
        return acc;
    }

    /**
     * The weighted sums {@code {sw, sx, sy, sq}} (about the origin ox, oy) of candidates 0..n-1 (tile index uT,
     * log weight lw) with the weights {@code exp(pw (lw - best))} (w^pw over the best's, stored in f), into
     * acc; zeros when no weight is above 0 (best is -infinity).
     */
    private static double[] powSums(
            double[] tile,
            int[] uT,
            double[] lw,
            double[] f,
            int n,
            double best,
            double pw,
            double ox,
            double oy,
            double[] acc) {
        double sw = 0, sx = 0, sy = 0, sq = 0;
        if (best > Double.NEGATIVE_INFINITY)
            for (int j = 0; j < n; j++) {
                double wa = Math.exp(pw * (lw[j] - best));
                f[j] = wa;
                int t4 = 4 * uT[j];
                double dx = tile[t4] - ox, dy = tile[t4 + 1] - oy;
                sw += wa;
                sx += wa * dx;
                sy += wa * dy;
                sq += wa * (dx * dx + dy * dy);
            }
        else java.util.Arrays.fill(f, 0, n, 0.0);
        acc[0] = sw;
        acc[1] = sx;
        acc[2] = sy;
        acc[3] = sq;
        return acc;
    }

    /** The cutoff's limit: {@code cutoff * best}, or on log weights {@code best + log(cutoff)}. */
    private static double cutLimit(boolean logW, double cutoff, double best) {
        return logW ? best + Math.log(cutoff) : cutoff * best;
    }

    /**
     * The log weight of a candidate: {@code -u} (the summed Laplace exponents), plus the log of the product
     * of its other factors (the miss and floor factors, the mean tails; times P(P|l) of a single cell with
     * hp), plus {@code alpha log P(l)} with the density.
     */
    private static double logWeight(
            double prod,
            double u,
            double[] logDens,
            int t,
            boolean useDensity,
            double alpha,
            boolean hp,
            Packed pk,
            float[] ta,
            int ms,
            int me,
            double dist) {
        if (hp) prod *= pdFactor(pk, ta, ms, me, dist);
        double lw = prod == 1 ? -u : Math.log(prod) - u;
        if (useDensity) lw += alpha == 1 ? logDens[t] : alpha * logDens[t];
        return lw;
    }

    /** P(l)^alpha, or 1 without the density. */
    private static double densityWeight(double d, boolean useDensity, double alpha) {
        return !useDensity ? 1.0 : alpha == 1 ? d : Math.pow(d, alpha);
    }
}
