package org.geomend.kernels.nbl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Float64 reference of {@link NblScoring}, written for clarity: exact erfc, log-domain weights, candidate
 * tiles collected in a set. Same rules as {@link NblModel}.
 */
public final class NblReference {

    private NblReference() {}

    /** {@link #score(NblMapArrays, NblBatch, NblOptions, int)} with {@link NblOptions#DEFAULT}. */
    public static double[] score(NblMapArrays map, NblBatch b, boolean useDensity, int r) {
        return score(map, b, NblOptions.DEFAULT.withDensity(useDensity), r);
    }

    /**
     * {@code {mleX, mleY, waX, waY, candidates, spread}} of record r (NaN estimates and spread when not
     * placed).
     */
    public static double[] score(NblMapArrays map, NblBatch b, NblOptions opt, int r) {
        boolean useDensity = opt.density();
        int m0 = b.recStart[r], m1 = b.recStart[r + 1];
        // cell -> its measurement rows
        Map<Integer, java.util.List<Integer>> cells = new LinkedHashMap<>();
        for (int m = m0; m < m1; m++) {
            int c = b.cell[m];
            if (c < 0 || map.cellStart()[c] == map.cellStart()[c + 1]) continue;
            cells.computeIfAbsent(c, k -> new java.util.ArrayList<>()).add(m);
        }
        TreeSet<Integer> tiles = new TreeSet<>();
        Map<Integer, Integer> holders = new java.util.HashMap<>();
        for (int c : cells.keySet())
            for (int e = map.cellStart()[c]; e < map.cellStart()[c + 1]; e++) {
                tiles.add(map.entTile()[e]);
                holders.merge(map.entTile()[e], 1, Integer::sum);
            }
        if (opt.candidates() == NblOptions.Candidates.ALL) {
            TreeSet<Integer> all = new TreeSet<>();
            for (int t : tiles) if (holders.get(t) == cells.size()) all.add(t);
            if (!all.isEmpty()) tiles = all;
        }
        if (tiles.isEmpty()) return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN};
        double[] logw = new double[tiles.size()];
        int[] tileOf = new int[tiles.size()];
        int i = 0;
        double maxLog = Double.NEGATIVE_INFINITY;
        int bestTile = -1;
        for (int t : tiles) {
            double lw = 0;
            for (var ce : cells.entrySet()) {
                int c = ce.getKey();
                int en = -1;
                for (int e = map.cellStart()[c]; e < map.cellStart()[c + 1]; e++) if (map.entTile()[e] == t) en = e;
                lw += Math.log(measure(
                        b.rsrp,
                        ce.getValue(),
                        en < 0 ? Float.NaN : map.entMuR()[en],
                        en < 0 ? 0 : map.entInvSdR()[en],
                        opt.miss(),
                        opt.laplace()));
                if (opt.rssi())
                    lw += Math.log(measure(
                            b.rssi,
                            ce.getValue(),
                            en < 0 ? Float.NaN : map.entMuQ()[en],
                            en < 0 ? 0 : map.entInvSdQ()[en],
                            opt.miss(),
                            opt.laplace()));
                if (opt.pd() && map.fpd() != null && !Double.isNaN(map.cellX()[c])) {
                    double d = NblModel.distance(
                            map.tileX()[t], map.tileY()[t], map.tileScale()[t], map.cellX()[c], map.cellY()[c]);
                    double sum = 0;
                    int n = 0;
                    for (int m : ce.getValue())
                        if (!Float.isNaN(b.ta[m])) {
                            sum += map.fpdAt(d - b.ta[m]);
                            n++;
                        }
                    if (n > 0) lw += Math.log(sum / n);
                }
            }
            lw = (useDensity ? opt.densityPower() * Math.log(map.tileDensity()[t]) : 0) + opt.temperature() * lw;
            logw[i] = lw;
            tileOf[i] = t;
            if (lw > maxLog) {
                maxLog = lw;
                bestTile = t;
            }
            i++;
        }
        // the weighted average over the candidates of at least cutoff times the best weight, each weighing
        // its weight to the power p
        double sw = 0, sx = 0, sy = 0;
        double logCut = opt.cutoff() > 0 ? Math.log(opt.cutoff()) : Double.NEGATIVE_INFINITY;
        double p = opt.power();
        for (int k = 0; k < logw.length; k++) {
            if (logw[k] - maxLog < logCut) continue;
            double w = Math.exp(p * (logw[k] - maxLog));
            sw += w;
            sx += w * map.tileX()[tileOf[k]];
            sy += w * map.tileY()[tileOf[k]];
        }
        double wx = sx / sw, wy = sy / sw;
        double scale = map.tileScale()[bestTile];
        if (opt.shift() > 0) {
            // mean shift: the weighted average of the candidates within the radius (Mercator: metres / scale)
            double cx = opt.shiftFromMle() ? map.tileX()[bestTile] : wx,
                    cy = opt.shiftFromMle() ? map.tileY()[bestTile] : wy;
            double rm = opt.shift() / scale;
            if (opt.shiftRelative()) {
                double s0 = 0;
                for (int k = 0; k < logw.length; k++) {
                    if (logw[k] - maxLog < logCut) continue;
                    double dx = map.tileX()[tileOf[k]] - wx, dy = map.tileY()[tileOf[k]] - wy;
                    s0 += Math.exp(p * (logw[k] - maxLog)) * (dx * dx + dy * dy);
                }
                rm = opt.shift() * Math.sqrt(s0 / sw); // k spreads (Mercator)
            }
            for (int it = 0; it < opt.shiftIters(); it++) {
                double lw = 0, lx = 0, ly = 0;
                for (int k = 0; k < logw.length; k++) {
                    if (logw[k] - maxLog < logCut) continue;
                    double dx = map.tileX()[tileOf[k]] - cx, dy = map.tileY()[tileOf[k]] - cy;
                    if (dx * dx + dy * dy > rm * rm) continue;
                    double w = Math.exp(p * (logw[k] - maxLog));
                    lw += w;
                    lx += w * map.tileX()[tileOf[k]];
                    ly += w * map.tileY()[tileOf[k]];
                }
                if (!(lw > 0)) break;
                cx = lx / lw;
                cy = ly / lw;
            }
            wx = cx;
            wy = cy;
        }
        double sq = 0;
        for (int k = 0; k < logw.length; k++) {
            if (logw[k] - maxLog < logCut) continue;
            double dx = map.tileX()[tileOf[k]] - wx, dy = map.tileY()[tileOf[k]] - wy;
            sq += Math.exp(p * (logw[k] - maxLog)) * (dx * dx + dy * dy);
        }
        double spread = Math.sqrt(sq / sw) * scale;
        return new double[] {map.tileX()[bestTile], map.tileY()[bestTile], wx, wy, tiles.size(), spread};
    }

    private static double measure(
            float[] v, java.util.List<Integer> rows, float mu, float invSd, double miss, boolean laplace) {
        double sum = 0;
        int n = 0;
        for (int m : rows)
            if (!Float.isNaN(v[m])) {
                n++;
                sum += Float.isNaN(mu)
                        ? miss
                        : laplace
                                ? NblModel.laplaceTail(((double) v[m] - mu) * invSd)
                                : NblModel.tail(((double) v[m] - mu) * invSd);
            }
        if (n == 0) return 1;
        return Float.isNaN(mu) ? miss : sum / n;
    }
}
