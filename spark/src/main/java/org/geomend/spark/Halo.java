package org.geomend.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.geomend.geolocate.Geolocator;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.java.SiteIndex;

/**
 * Sites partitioned by lattice tile, each tile with the halo of sites its maps can depend on (README, "the halo
 * rule"). A tile is the set of targets whose window's corner falls in one {@code tileCore x tileCore} block of the
 * lattice, exactly as {@link Geolocator} groups them, so a task draws the raster {@code geolocate} draws. Its raster
 * R is the union of those windows. A closed-form map at a pixel p depends only on the {@code kk} nearest sites of p
 * (Voronoi kk = 1, sPDI kk = k + 1; ties go to the lower site index in the kernels, and a halo keeps the inventory's
 * order). Cover R with cells C of side at most {@code cell}; with r_C the distance from C's centre to its kk-th
 * nearest site of the whole inventory and h = max_C (r_C + half C's diagonal), every point p of R has kk sites within
 * h (the triangle inequality), and every site within h of p lies within h of R. So the halo H = the sites within h
 * of R holds the kk nearest sites of every pixel of R, and the tile's maps drawn with H alone equal the maps drawn
 * with the whole inventory, bit for bit. Where fewer than kk sites exist in all, h is infinite: the halo is the whole
 * inventory (the safe fallback). h is widened by one pixel so rounding in the distances cannot matter.
 */
final class Halo {
    /** One tile: its targets and halo (global site indices, ascending), and the halo radius in CRS units. */
    record Tile(long key, int[] targets, int[] halo, double radius) implements java.io.Serializable {}

    private Halo() {}

    static List<Tile> tiles(SitePositions pos, int[] targets, Geolocator.Layout layout, int kk, double cell) {
        return tiles(pos, targets, layout, kk, cell, w -> w);
    }

    /**
     * As above, for maps that read a grid larger than their window ({@code reads}: the U-Net students' padded grid,
     * {@link org.geomend.student.Features#padded}); R is then the union of those grids. {@code kk <= 0}: the maps can
     * depend on every site (no bound): every halo is the whole inventory.
     */
    static List<Tile> tiles(
            SitePositions pos,
            int[] targets,
            Geolocator.Layout layout,
            int kk,
            double cell,
            java.util.function.UnaryOperator<GridSpec> reads) {
        Map<Long, List<Integer>> groups = new TreeMap<>();
        for (int t : targets) {
            GridSpec w = layout.window(pos, t);
            long tx = Math.floorDiv(w.latticeCol(), layout.tileCore()),
                    ty = Math.floorDiv(w.latticeRow(), layout.tileCore());
            groups.computeIfAbsent(ty * (1L << 32) + tx, k -> new ArrayList<>()).add(t);
        }
        SiteIndex index = new SiteIndex(pos);
        List<Tile> out = new ArrayList<>();
        double res = layout.resolution();
        for (Map.Entry<Long, List<Integer>> g : groups.entrySet()) {
            double x0 = Double.POSITIVE_INFINITY, y0 = Double.POSITIVE_INFINITY;
            double x1 = Double.NEGATIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
            for (int t : g.getValue()) {
                GridSpec w = reads.apply(layout.window(pos, t));
                x0 = Math.min(x0, w.latticeCol() * res);
                y0 = Math.min(y0, w.latticeRow() * res);
                x1 = Math.max(x1, (w.latticeCol() + w.width()) * res);
                y1 = Math.max(y1, (w.latticeRow() + w.height()) * res);
            }
            double h = kk <= 0 ? Double.POSITIVE_INFINITY : radius(index, kk, x0, y0, x1, y1, cell);
            int[] halo;
            if (Double.isInfinite(h))
                halo = java.util.stream.IntStream.range(0, pos.size()).toArray();
            else {
                h += res;
                List<Integer> in = new ArrayList<>();
                for (int i = 0; i < pos.size(); i++) {
                    double dx = Math.max(0, Math.max(x0 - pos.x()[i], pos.x()[i] - x1));
                    double dy = Math.max(0, Math.max(y0 - pos.y()[i], pos.y()[i] - y1));
                    if (dx * dx + dy * dy <= h * h) in.add(i);
                }
                halo = in.stream().mapToInt(Integer::intValue).toArray();
            }
            out.add(new Tile(
                    g.getKey(),
                    g.getValue().stream().mapToInt(Integer::intValue).toArray(),
                    halo,
                    h));
        }
        return out;
    }

    /** max over cells C of [x0, x1] x [y0, y1] of (distance from C's centre to its kk-th nearest site + half diagonal). */
    static double radius(SiteIndex index, int kk, double x0, double y0, double x1, double y1, double cell) {
        int nx = (int) Math.max(1, Math.ceil((x1 - x0) / cell)), ny = (int) Math.max(1, Math.ceil((y1 - y0) / cell));
        double cw = (x1 - x0) / nx, ch = (y1 - y0) / ny, half = Math.hypot(cw, ch) / 2;
        double h = 0;
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++) {
                double d = index.kthNearestSq(x0 + (i + 0.5) * cw, y0 + (j + 0.5) * ch, kk);
                if (Double.isInfinite(d)) return Double.POSITIVE_INFINITY;
                h = Math.max(h, Math.sqrt(d) + half);
            }
        return h;
    }
}
