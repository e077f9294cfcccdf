package org.geomend.nbl;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Offline phase (paper IV-B): streams GPS-tagged measurement rows into per-(cell, tile) moments of RSRP
 * and RSSI, per-tile record counts (P(l)) and per-cell position moments. The calling thread parses and
 * hands chunks of rows to worker threads through a bounded queue (memory stays bounded by the number of
 * distinct (cell, tile) pairs, not by the input); each worker owns a partial aggregate, merged at the end
 * with Chan's formulas. A second pass builds f_PD when the data hold PDs.
 *
 * <p>Rows without a GPS position are skipped and counted. Cell positions for PD: from {@code --cells}
 * when given, else the RSRP-power-weighted centroid of the cell's samples (said on the notice stream).
 */
public final class MapBuilder {

    /** A source of measurement rows that can be read more than once. */
    @FunctionalInterface
    public interface RowSource {
        void forEach(MeasurementCsv.RowConsumer c) throws IOException;

        static RowSource files(List<Path> files) {
            return c -> {
                for (Path f : files) MeasurementCsv.read(f, c);
            };
        }
    }

    public static final double FPD_MIN = -3000, FPD_BIN = 20, FPD_FLOOR = 1e-7, RANGE_MIN = 50;
    private static final int CHUNK = 8192;

    private final int zoom, threads;
    private final MapOptions opt;
    private final Map<String, double[]> knownCells;
    private final PrintStream notices;
    public long rowsRead, rowsNoPosition, records;

    /** A map with the default map options ({@link MapOptions#defaults}) at this zoom. */
    public MapBuilder(int zoom, Map<String, double[]> knownCells, int threads, PrintStream notices) {
        this(MapOptions.defaults(zoom), knownCells, threads, notices);
    }

    public MapBuilder(MapOptions opt, Map<String, double[]> knownCells, int threads, PrintStream notices) {
        this.opt = opt;
        this.zoom = opt.zoom();
        this.knownCells = knownCells;
        this.threads = Math.max(1, threads);
        this.notices = notices;
    }

    static final class Chunk {
        final int[] cell = new int[CHUNK], tx = new int[CHUNK], ty = new int[CHUNK];
        final boolean[] first = new boolean[CHUNK];
        final double[] rsrp = new double[CHUNK],
                rssi = new double[CHUNK],
                mx = new double[CHUNK],
                my = new double[CHUNK];
        int n;
    }

    private static final Chunk END = new Chunk();

    /** Partial aggregate of one worker. */
    static final class Partial {
        LongIntMap ent = new LongIntMap(1 << 12);
        long[] nR = new long[1 << 12], nQ = new long[1 << 12];
        double[] mR = new double[1 << 12], vR = new double[1 << 12], mQ = new double[1 << 12], vQ = new double[1 << 12];
        int slots;
        LongIntMap tiles = new LongIntMap(1 << 10);
        long[] tileCount = new long[1 << 10];
        int tileSlots;
        // per cell (global index)
        long[] pn = new long[64];
        double[] pmx = new double[64], pvx = new double[64], pmy = new double[64], pvy = new double[64];
        double[] ws = new double[64], wx = new double[64], wy = new double[64];
        long[] pnY = new long[64];

        static long entKey(int cell, int x, int y) {
            return (long) cell << 42 | (long) x << 21 | y;
        }

        int slot(long key) {
            int s = ent.getOrPut(key, slots);
            if (s == slots) {
                if (++slots > nR.length) {
                    int n = nR.length * 2;
                    nR = Arrays.copyOf(nR, n);
                    nQ = Arrays.copyOf(nQ, n);
                    mR = Arrays.copyOf(mR, n);
                    vR = Arrays.copyOf(vR, n);
                    mQ = Arrays.copyOf(mQ, n);
                    vQ = Arrays.copyOf(vQ, n);
                }
            }
            return s;
        }

        int tileSlot(long key) {
            int s = tiles.getOrPut(key, tileSlots);
            if (s == tileSlots && ++tileSlots > tileCount.length)
                tileCount = Arrays.copyOf(tileCount, tileCount.length * 2);
            return s;
        }

        void cellCap(int c) {
            if (c < pn.length) return;
            int n = Math.max(c + 1, pn.length * 2);
            pn = Arrays.copyOf(pn, n);
            pnY = Arrays.copyOf(pnY, n);
            pmx = Arrays.copyOf(pmx, n);
            pvx = Arrays.copyOf(pvx, n);
            pmy = Arrays.copyOf(pmy, n);
            pvy = Arrays.copyOf(pvy, n);
            ws = Arrays.copyOf(ws, n);
            wx = Arrays.copyOf(wx, n);
            wy = Arrays.copyOf(wy, n);
        }

        void add(Chunk k) {
            for (int i = 0; i < k.n; i++) {
                int c = k.cell[i];
                int s = slot(entKey(c, k.tx[i], k.ty[i]));
                if (!Double.isNaN(k.rsrp[i])) Moments.add(nR, mR, vR, s, k.rsrp[i]);
                if (!Double.isNaN(k.rssi[i])) Moments.add(nQ, mQ, vQ, s, k.rssi[i]);
                if (k.first[i]) {
                    int ts = tileSlot(Tiles.key(k.tx[i], k.ty[i]));
                    tileCount[ts]++;
                }
                cellCap(c);
                Moments.add(pn, pmx, pvx, c, k.mx[i]);
                Moments.add(pnY, pmy, pvy, c, k.my[i]);
                double w = Double.isNaN(k.rsrp[i]) ? 1e-10 : Math.pow(10, k.rsrp[i] / 10);
                ws[c] += w;
                wx[c] += w * k.mx[i];
                wy[c] += w * k.my[i];
            }
        }

        void merge(Partial o) {
            o.ent.forEach((key, os) -> {
                int s = slot(key);
                Moments.merge(nR, mR, vR, s, o.nR[os], o.mR[os], o.vR[os]);
                Moments.merge(nQ, mQ, vQ, s, o.nQ[os], o.mQ[os], o.vQ[os]);
            });
            o.tiles.forEach((key, os) -> {
                int ts = tileSlot(key); // before reading the field: tileSlot may grow the array
                tileCount[ts] += o.tileCount[os];
            });
            cellCap(o.pn.length - 1);
            for (int c = 0; c < o.pn.length; c++) {
                Moments.merge(pn, pmx, pvx, c, o.pn[c], o.pmx[c], o.pvx[c]);
                Moments.merge(pnY, pmy, pvy, c, o.pnY[c], o.pmy[c], o.pvy[c]);
                ws[c] += o.ws[c];
                wx[c] += o.wx[c];
                wy[c] += o.wy[c];
            }
        }
    }

    public NblMap build(RowSource src) throws IOException {
        Map<String, Integer> cells = new HashMap<>();
        List<String> cellIds = new ArrayList<>();
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(2 * threads);
        Partial[] parts = new Partial[threads];
        Thread[] workers = new Thread[threads];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            Partial p = parts[t] = new Partial();
            workers[t] = new Thread(
                    () -> {
                        try {
                            for (Chunk k; (k = queue.take()) != END; ) p.add(k);
                        } catch (Throwable e) {
                            synchronized (failure) {
                                failure[0] = e;
                            }
                        }
                    },
                    "nbl-build-" + t);
            workers[t].start();
        }
        boolean[] taSeen = {false};
        String[] lastRecord = {null};
        Chunk[] cur = {new Chunk()};
        try {
            src.forEach(row -> {
                rowsRead++;
                if (!row.hasPosition()) {
                    rowsNoPosition++;
                    return;
                }
                boolean first = !row.record.equals(lastRecord[0]);
                if (first) {
                    records++;
                    lastRecord[0] = row.record;
                }
                Integer c = cells.get(row.cell);
                if (c == null) {
                    c = cellIds.size();
                    cells.put(row.cell, c);
                    cellIds.add(row.cell);
                }
                if (!Double.isNaN(row.ta)) taSeen[0] = true;
                Chunk k = cur[0];
                int i = k.n++;
                k.cell[i] = c;
                k.tx[i] = Tiles.tileX(row.lon, zoom);
                k.ty[i] = Tiles.tileY(row.lat, zoom);
                k.first[i] = first;
                k.rsrp[i] = row.rsrp;
                k.rssi[i] = row.rssi;
                k.mx[i] = Tiles.mercX(row.lon);
                k.my[i] = Tiles.mercY(row.lat);
                if (k.n == CHUNK) {
                    put(queue, k);
                    cur[0] = new Chunk();
                }
            });
            if (cur[0].n > 0) put(queue, cur[0]);
        } finally {
            for (int t = 0; t < threads; t++) put(queue, END);
            for (Thread w : workers) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (failure[0] != null) throw new IllegalStateException("map build worker failed: " + failure[0], failure[0]);
        Partial all = parts[0];
        for (int t = 1; t < threads; t++) all.merge(parts[t]);
        all.cellCap(cellIds.size());
        Draft d = assemble(all, cellIds);
        NblMap.Fpd fpd = taSeen[0] ? buildFpd(d, src) : null;
        return new NblMap(zoom, d.totalRecords, knownCells == null, d.cells, d.tileKeys, d.tileCount, d.ent, fpd);
    }

    private static void put(BlockingQueue<Chunk> q, Chunk k) {
        try {
            q.put(k);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** The arrays of a map before f_PD (whose pass needs the cell positions). */
    private static final class Draft {
        NblMap.CellTable cells;
        NblMap.EntryTable ent;
        long[] tileKeys, tileCount;
        long totalRecords;
        Map<String, Integer> index;
    }

    // pseudo-samples each entry received from its ancestors (multi-resolution), per type; zero otherwise
    private double[] kR, kQ;

    /**
     * Multi-resolution back-off: the entries' moments (at the map's zoom) are aggregated per (cell, tile)
     * at each coarser zoom {@code zoom - 1 .. zoom - levels}; from the coarsest down, each level's moments
     * are merged with {@code shrink} pseudo-samples of its (already shrunk) parent's distribution, and the
     * entries finally with their shrunk parent. The merged means and m2 replace the entries'; the
     * pseudo-samples are remembered so the sigma counts them.
     */
    private void shrink(Partial a) {
        int ne = a.slots, levels = opt.levels();
        double k = opt.shrink();
        long[] keys = new long[ne];
        a.ent.forEach((key, s) -> keys[s] = key);
        // level L (1..levels) moments per (cell, x >> L, y >> L): n, mean, m2 for R and Q
        List<Map<Long, double[]>> lv = new ArrayList<>();
        for (int l = 0; l <= levels; l++) lv.add(new HashMap<>());
        for (int s = 0; s < ne; s++)
            for (int l = 1; l <= levels; l++) {
                double[] m = lv.get(l).computeIfAbsent(parent(keys[s], l), x -> new double[6]);
                mergeInto(m, 0, a.nR[s], a.mR[s], a.vR[s]);
                mergeInto(m, 3, a.nQ[s], a.mQ[s], a.vQ[s]);
            }
        // shrink each level towards the next coarser one, coarsest first
        for (int l = levels - 1; l >= 1; l--)
            for (var en : lv.get(l).entrySet()) {
                double[] p = lv.get(l + 1).get(parentOf(en.getKey()));
                double[] m = en.getValue();
                pseudo(m, 0, p, k);
                pseudo(m, 3, p, k);
            }
        for (int s = 0; s < ne; s++) {
            double[] p = lv.get(1).get(parent(keys[s], 1));
            double[] m = {a.nR[s], a.mR[s], a.vR[s], a.nQ[s], a.mQ[s], a.vQ[s]};
            kR[s] = pseudo(m, 0, p, k);
            kQ[s] = pseudo(m, 3, p, k);
            a.mR[s] = m[1];
            a.vR[s] = m[2];
            a.mQ[s] = m[4];
            a.vQ[s] = m[5];
        }
    }

    /**
     * Per cell and type (0: RSRP, 1: RSSI), the deviation pooled over the cell's entries, {@code sqrt(sum m2
     * / sum (n - 1))}; the sigma prior where the cell has no degree of freedom ({@link MapOptions#pooled}).
     */
    private double[][] pooledSigma(Partial a, int nc) {
        double[][] m2 = new double[2][nc], df = new double[2][nc];
        a.ent.forEach((key, s) -> {
            int c = (int) (key >>> 42);
            m2[0][c] += a.vR[s];
            df[0][c] += Math.max(0, a.nR[s] - 1);
            m2[1][c] += a.vQ[s];
            df[1][c] += Math.max(0, a.nQ[s] - 1);
        });
        double[][] sd = new double[2][nc];
        for (int t = 0; t < 2; t++)
            for (int c = 0; c < nc; c++) sd[t][c] = df[t][c] > 0 ? Math.sqrt(m2[t][c] / df[t][c]) : opt.sigmaPrior();
        return sd;
    }

    /**
     * Spatial smoothing ({@link MapOptions#smooth}): each entry's moments are merged with {@code smoothK}
     * pseudo-samples of its neighbourhood, the same cell's entries on the (2 r + 1)^2 tiles around it
     * (itself excluded) as they were before any smoothing: counts and count-weighted mean summed, the
     * within-tile sums of squares added (no between-tile term). The pseudo-samples count in the sigma.
     */
    private void smooth(Partial a) {
        int ne = a.slots, r = opt.smooth(), side = 1 << opt.zoom();
        double k = opt.smoothK();
        long[] keys = new long[ne];
        a.ent.forEach((key, s) -> keys[s] = key);
        double[] nR = new double[ne], mR = a.mR.clone(), vR = a.vR.clone();
        double[] nQ = new double[ne], mQ = a.mQ.clone(), vQ = a.vQ.clone();
        for (int s = 0; s < ne; s++) {
            nR[s] = a.nR[s];
            nQ[s] = a.nQ[s];
        }
        double[] nb = new double[6], m = new double[6];
        for (int s = 0; s < ne; s++) {
            long key = keys[s];
            int c = (int) (key >>> 42), x = (int) (key >>> 21) & 0x1FFFFF, y = (int) key & 0x1FFFFF;
            java.util.Arrays.fill(nb, 0);
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++) {
                    int xx = x + dx, yy = y + dy;
                    if ((dx == 0 && dy == 0) || xx < 0 || yy < 0 || xx >= side || yy >= side) continue;
                    int o = a.ent.get(Partial.entKey(c, xx, yy));
                    if (o < 0) continue;
                    pool(nb, 0, nR[o], mR[o], vR[o]);
                    pool(nb, 3, nQ[o], mQ[o], vQ[o]);
                }
            m[0] = a.nR[s] + kR[s];
            m[1] = a.mR[s];
            m[2] = a.vR[s];
            m[3] = a.nQ[s] + kQ[s];
            m[4] = a.mQ[s];
            m[5] = a.vQ[s];
            kR[s] += pseudo(m, 0, nb, k);
            kQ[s] += pseudo(m, 3, nb, k);
            a.mR[s] = m[1];
            a.vR[s] = m[2];
            a.mQ[s] = m[4];
            a.vQ[s] = m[5];
        }
    }

    /** Adds n values of mean {@code mean} and sum of squares m2 to the pool {@code p[o .. o + 2]} (no between term). */
    private static void pool(double[] p, int o, double n, double mean, double m2) {
        if (n == 0) return;
        double t = p[o] + n;
        p[o + 1] += (mean - p[o + 1]) * n / t;
        p[o + 2] += m2;
        p[o] = t;
    }

    private static long parent(long key, int l) {
        int c = (int) (key >>> 42), x = (int) (key >>> 21) & 0x1FFFFF, y = (int) key & 0x1FFFFF;
        return Partial.entKey(c, x >> l, y >> l);
    }

    private static long parentOf(long key) {
        return parent(key, 1);
    }

    private static void mergeInto(double[] m, int o, long n, double mean, double m2) {
        if (n == 0) return;
        double a = m[o];
        if (a == 0) {
            m[o] = n;
            m[o + 1] = mean;
            m[o + 2] = m2;
            return;
        }
        double t = a + n, d = mean - m[o + 1];
        m[o + 1] += d * n / t;
        m[o + 2] += m2 + d * d * (a * n / t);
        m[o] = t;
    }

    /**
     * Merges k pseudo-samples of the parent's distribution (its mean, its variance m2 / (n - 1), or none
     * with fewer than 2 values) into moments {@code m[o .. o + 2]}; returns k (0 when the parent has none).
     */
    private static double pseudo(double[] m, int o, double[] p, double k) {
        if (p == null || p[o] == 0) return 0;
        double var = p[o] > 1 ? p[o + 2] / (p[o] - 1) : 0;
        double n = m[o];
        if (n == 0) {
            m[o + 1] = p[o + 1];
            m[o + 2] = k * var;
        } else {
            double t = n + k, d = p[o + 1] - m[o + 1];
            m[o + 1] += d * k / t;
            m[o + 2] += k * var + d * d * (n * k / t);
        }
        m[o] = n + k;
        return k;
    }

    private Draft assemble(Partial a, List<String> cellIds) {
        Draft m = new Draft();
        int nc = cellIds.size();
        m.cells = NblMap.CellTable.allocate(nc);
        cellIds.toArray(m.cells.ids());
        // tiles, sorted by key
        long[] tk = new long[a.tileSlots];
        a.tiles.forEach((key, s) -> {
            tk[s] = key;
        });
        Integer[] ord = new Integer[a.tileSlots];
        for (int i = 0; i < ord.length; i++) ord[i] = i;
        Arrays.sort(ord, (p, q) -> Long.compare(tk[p], tk[q]));
        m.tileKeys = new long[ord.length];
        m.tileCount = new long[ord.length];
        LongIntMap tileIdx = new LongIntMap(ord.length);
        for (int i = 0; i < ord.length; i++) {
            m.tileKeys[i] = tk[ord[i]];
            m.tileCount[i] = a.tileCount[ord[i]];
            m.totalRecords += m.tileCount[i];
            tileIdx.getOrPut(m.tileKeys[i], i);
        }
        // entries, sorted by (cell, tile index)
        int ne = a.slots;
        long[] sortKey = new long[ne];
        a.ent.forEach((key, s) -> {
            int c = (int) (key >>> 42), x = (int) (key >>> 21) & 0x1FFFFF, y = (int) key & 0x1FFFFF;
            int t = tileIdx.get(Tiles.key(x, y));
            if (t < 0) throw new IllegalStateException("entry without tile");
            sortKey[s] = (long) c << 32 | t;
        });
        kR = new double[ne];
        kQ = new double[ne];
        double[][] pooled = opt.pooled() ? pooledSigma(a, nc) : null;
        if (opt.levels() > 0) shrink(a);
        if (opt.smooth() > 0) smooth(a);
        Integer[] eo = new Integer[ne];
        for (int i = 0; i < ne; i++) eo[i] = i;
        Arrays.sort(eo, (p, q) -> Long.compare(sortKey[p], sortKey[q]));
        NblMap.EntryTable e = m.ent = NblMap.EntryTable.allocate(nc, ne);
        int[] cellStart = e.cellStart();
        for (int i = 0; i < ne; i++) {
            int s = eo[i];
            int c = (int) (sortKey[s] >>> 32);
            cellStart[c + 1]++;
            e.tile()[i] = (int) sortKey[s];
            e.nR()[i] = (int) a.nR[s];
            e.nQ()[i] = (int) a.nQ[s];
            e.muR()[i] = a.nR[s] == 0 && kR[s] == 0 ? Float.NaN : (float) a.mR[s];
            e.sdR()[i] = (float) opt.sigma(a.nR[s] + kR[s], a.vR[s], pooled == null ? opt.sigmaPrior() : pooled[0][c]);
            e.muQ()[i] = a.nQ[s] == 0 && kQ[s] == 0 ? Float.NaN : (float) a.mQ[s];
            e.sdQ()[i] = (float) opt.sigma(a.nQ[s] + kQ[s], a.vQ[s], pooled == null ? opt.sigmaPrior() : pooled[1][c]);
        }
        for (int c = 0; c < nc; c++) cellStart[c + 1] += cellStart[c];
        // cells
        NblMap.CellTable cl = m.cells;
        int given = 0;
        for (int c = 0; c < nc; c++) {
            cl.samples()[c] = a.pn[c];
            cl.centroidLat()[c] = Tiles.latOfMerc(a.pmy[c]);
            cl.centroidLon()[c] = Tiles.lonOfMerc(a.pmx[c]);
            double var = a.pn[c] < 2 ? 0 : (a.pvx[c] + a.pvy[c]) / (a.pn[c] - 1);
            // uniform disc of radius R: E|x - mean|^2 = R^2 / 2
            cl.rangeM()[c] = Math.max(RANGE_MIN, Math.sqrt(2 * var) * Math.cos(Math.toRadians(cl.centroidLat()[c])));
            double[] k = knownCells == null ? null : knownCells.get(cl.ids()[c]);
            if (k != null) {
                cl.lat()[c] = k[0];
                cl.lon()[c] = k[1];
                given++;
            } else if (knownCells == null) {
                cl.lat()[c] = Tiles.latOfMerc(a.wy[c] / a.ws[c]);
                cl.lon()[c] = Tiles.lonOfMerc(a.wx[c] / a.ws[c]);
            } else {
                cl.lat()[c] = Double.NaN;
                cl.lon()[c] = Double.NaN;
            }
        }
        m.index = new HashMap<>(nc * 2);
        for (int c = 0; c < nc; c++) m.index.put(cl.ids()[c], c);
        if (notices != null) {
            if (knownCells == null)
                notices.println(
                        "nbl build: no --cells: cell positions estimated as the RSRP-power-weighted centroid of each cell's samples");
            else if (given < nc)
                notices.println(
                        "nbl build: " + (nc - given) + " of " + nc + " cells not in --cells: no PD term for them");
        }
        return m;
    }

    /** Second pass: histogram of (distance from the cell's position to the GPS fix) - PD; null when no row has both. */
    private NblMap.Fpd buildFpd(Draft m, RowSource src) throws IOException {
        return fpdOf(fpdHistogram(m.index, m.cells.lat(), m.cells.lon(), src));
    }

    /**
     * The raw f_PD histogram of {@code src}'s rows against the cell positions {@code cellLat/cellLon} (by
     * {@code index}): {@code FPD bins} counts, then the number of PDs counted (histograms of disjoint row sets add up).
     */
    static long[] fpdHistogram(Map<String, Integer> idx, double[] cellLat, double[] cellLon, RowSource src)
            throws IOException {
        int bins = (int) ((-2 * FPD_MIN) / FPD_BIN);
        long[] h = new long[bins + 1];
        src.forEach(row -> {
            if (!row.hasPosition() || Double.isNaN(row.ta)) return;
            Integer c = idx.get(row.cell);
            if (c == null || Double.isNaN(cellLat[c])) return;
            double err = Tiles.haversine(row.lat, row.lon, cellLat[c], cellLon[c]) - row.ta;
            int b = (int) Math.floor((err - FPD_MIN) / FPD_BIN);
            if (b >= 0 && b < bins) h[b]++;
            h[bins]++;
        });
        return h;
    }

    /** f_PD from a histogram of {@link #fpdHistogram}; null when it counted no PD. */
    static NblMap.Fpd fpdOf(long[] hist) {
        int bins = hist.length - 1;
        long n = hist[bins];
        if (n == 0) return null;
        float[] fpd = new float[bins];
        // light smoothing (1-2-1) of the empirical histogram; density per metre
        for (int b = 0; b < bins; b++) {
            double s = 2.0 * hist[b] + (b > 0 ? hist[b - 1] : 0) + (b + 1 < bins ? hist[b + 1] : 0);
            fpd[b] = (float) (s / 4 / n / FPD_BIN);
        }
        return new NblMap.Fpd(fpd, FPD_MIN, FPD_BIN, FPD_FLOOR, n);
    }
}
