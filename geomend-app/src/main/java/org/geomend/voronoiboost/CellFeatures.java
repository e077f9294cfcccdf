package org.geomend.voronoiboost;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.locationtech.jts.algorithm.MinimumAreaRectangle;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * The 14 per-site features of the published VoronoiBoost model, computed on a {@link Tessellation}, in the order
 * of {@link #NAMES} (the published {@code selected_features}). "Ring k" is the set of nodes exactly k hops away in
 * the Voronoi graph; "ball k" is every node at most k hops away, the site itself included. Distances are Euclidean
 * in metres, areas in m².
 *
 * <ul>
 *   <li>{@code mean_d_neighbors_K_1_div} (K = 6, 8, 10): mean distance from the site to ring K over the same for
 *       ring 1;</li>
 *   <li>{@code mean_distance_K_1_div}: mean distance between pairs of ring-K nodes over the same for ring 1;</li>
 *   <li>{@code min_d_neighbors_8}: distance to the nearest ring-8 node (m);</li>
 *   <li>{@code convex_hull_width_8_1_div}: width (shorter side) of the minimum-area rectangle around the convex hull
 *       of ball 8, over the same for ball 1;</li>
 *   <li>{@code mean_area_neighbors_K_1_div} (K = 4, 6, 8): mean cell area over ball K, over the same for ball 1;</li>
 *   <li>{@code mean_d_t_barc_v_10_1_div}: mean distance from a node to its own cell's centroid over ball 10, over the
 *       same for ball 1;</li>
 *   <li>{@code d_v_max}: largest distance from the site to a vertex of its own cell (m);</li>
 *   <li>{@code v_diameter_v_width_div}: longer over shorter side of the minimum-area rectangle of the site's cell.</li>
 * </ul>
 *
 * <p>Small graphs follow the published fallbacks: an empty ring K is replaced by ring K-1 when the ball already
 * holds every node (else by ring K+1); a ring with fewer than 2 nodes for the pairwise mean likewise; a ball with
 * fewer than 3 points for the hull by ball K+1. Our own rule for degenerate ratios (0/0, as for the centroid
 * distances of a perfect lattice, or x/0 for collinear hulls): the feature is 1.
 */
public final class CellFeatures {

    public static final List<String> NAMES = List.of(
            "mean_d_neighbors_6_1_div",
            "mean_d_neighbors_8_1_div",
            "mean_d_neighbors_10_1_div",
            "mean_distance_6_1_div",
            "mean_distance_8_1_div",
            "mean_distance_10_1_div",
            "min_d_neighbors_8",
            "convex_hull_width_8_1_div",
            "mean_area_neighbors_4_1_div",
            "mean_area_neighbors_6_1_div",
            "mean_area_neighbors_8_1_div",
            "mean_d_t_barc_v_10_1_div",
            "d_v_max",
            "v_diameter_v_width_div");

    public static final int COUNT = 14;

    private CellFeatures() {}

    /** Features of every graph node, [node][feature] (sites map to nodes by {@link Tessellation#node}). */
    public static double[][] ofNodes(Tessellation t) {
        double[][] out = new double[t.nodes()][];
        IntStream.range(0, t.nodes()).parallel().forEach(k -> out[k] = ofNode(t, k, new Rings(t, k)));
        return out;
    }

    /** Features of one node. */
    public static double[] ofNode(Tessellation t, int k) {
        return ofNode(t, k, new Rings(t, k));
    }

    private static double[] ofNode(Tessellation t, int k, Rings r) {
        double[] f = new double[COUNT];
        double md1 = meanDist(t, k, r.ringOrFallback(1, 1));
        f[0] = ratio(meanDist(t, k, r.ringOrFallback(6, 1)), md1);
        f[1] = ratio(meanDist(t, k, r.ringOrFallback(8, 1)), md1);
        f[2] = ratio(meanDist(t, k, r.ringOrFallback(10, 1)), md1);
        double mp1 = meanPairwise(t, r.ringOrFallback(1, 2));
        f[3] = ratio(meanPairwise(t, r.ringOrFallback(6, 2)), mp1);
        f[4] = ratio(meanPairwise(t, r.ringOrFallback(8, 2)), mp1);
        f[5] = ratio(meanPairwise(t, r.ringOrFallback(10, 2)), mp1);
        f[6] = minDist(t, k, r.ringOrFallback(8, 1));
        f[7] = ratio(rectangleSides(hullPoints(t, r, 8))[0], rectangleSides(hullPoints(t, r, 1))[0]);
        double a1 = meanArea(t, r.ball(1));
        f[8] = ratio(meanArea(t, r.ball(4)), a1);
        f[9] = ratio(meanArea(t, r.ball(6)), a1);
        f[10] = ratio(meanArea(t, r.ball(8)), a1);
        f[11] = ratio(meanCentroidDist(t, r.ball(10)), meanCentroidDist(t, r.ball(1)));
        double[] cx = t.cellX(k), cy = t.cellY(k);
        double dv = 0;
        for (int v = 0; v < cx.length; v++) dv = Math.max(dv, Math.hypot(cx[v] - t.nodeX(k), cy[v] - t.nodeY(k)));
        f[12] = dv;
        double[] sides = rectangleSides(cellPoints(cx, cy));
        f[13] = ratio(sides[1], sides[0]);
        return f;
    }

    /** a / b, or 1 when b is 0 (see the class comment). */
    static double ratio(double a, double b) {
        return b > 0 ? a / b : 1.0;
    }

    private static double meanDist(Tessellation t, int k, int[] ring) {
        double s = 0;
        for (int j : ring) s += Math.hypot(t.nodeX(j) - t.nodeX(k), t.nodeY(j) - t.nodeY(k));
        return s / ring.length;
    }

    private static double minDist(Tessellation t, int k, int[] ring) {
        double m = Double.POSITIVE_INFINITY;
        for (int j : ring) m = Math.min(m, Math.hypot(t.nodeX(j) - t.nodeX(k), t.nodeY(j) - t.nodeY(k)));
        return m;
    }

    private static double meanPairwise(Tessellation t, int[] ring) {
        if (ring.length < 2) return 0;
        double s = 0;
        for (int a = 0; a < ring.length; a++)
            for (int b = a + 1; b < ring.length; b++)
                s += Math.hypot(t.nodeX(ring[a]) - t.nodeX(ring[b]), t.nodeY(ring[a]) - t.nodeY(ring[b]));
        return s / ((double) ring.length * (ring.length - 1) / 2);
    }

    private static double meanArea(Tessellation t, int[] ball) {
        double s = 0;
        for (int j : ball) s += t.area(j);
        return s / ball.length;
    }

    private static double meanCentroidDist(Tessellation t, int[] ball) {
        double s = 0;
        for (int j : ball) s += Math.hypot(t.centroidX(j) - t.nodeX(j), t.centroidY(j) - t.nodeY(j));
        return s / ball.length;
    }

    /** Ball K, or the first larger ball with at least 3 points (the whole graph when none has). */
    private static double[][] hullPoints(Tessellation t, Rings r, int level) {
        int[] ball = r.ball(level);
        while (ball.length < 3 && !r.exhausted(level)) ball = r.ball(++level);
        double[][] p = new double[ball.length][];
        for (int a = 0; a < ball.length; a++) p[a] = new double[] {t.nodeX(ball[a]), t.nodeY(ball[a])};
        return p;
    }

    private static double[][] cellPoints(double[] xs, double[] ys) {
        double[][] p = new double[xs.length][];
        for (int a = 0; a < xs.length; a++) p[a] = new double[] {xs[a], ys[a]};
        return p;
    }

    private static final GeometryFactory GF = new GeometryFactory();

    /**
     * Shorter and longer side of the minimum-area rectangle enclosing {@code pts} (JTS
     * {@link MinimumAreaRectangle}, the rectangle shapely's {@code minimum_rotated_rectangle} gives); {0, length}
     * for collinear points. Coordinates are taken relative to the first point for precision.
     */
    static double[] rectangleSides(double[][] pts) {
        double ox = pts[0][0], oy = pts[0][1];
        Coordinate[] c = new Coordinate[pts.length];
        for (int a = 0; a < pts.length; a++) c[a] = new Coordinate(pts[a][0] - ox, pts[a][1] - oy);
        Geometry rect = MinimumAreaRectangle.getMinimumRectangle(GF.createMultiPointFromCoords(c));
        Coordinate[] v = rect.getCoordinates();
        if (v.length < 3) { // a segment (collinear points) or a point
            double len = v.length == 2 ? v[0].distance(v[1]) : 0;
            return new double[] {0, len};
        }
        double s1 = v[0].distance(v[1]), s2 = v[1].distance(v[2]);
        return new double[] {Math.min(s1, s2), Math.max(s1, s2)};
    }

    /** Breadth-first hop rings around one node, extended on demand. */
    static final class Rings {
        private final Tessellation t;
        private final java.util.ArrayList<int[]> rings = new java.util.ArrayList<>();
        private final java.util.HashSet<Integer> seen = new java.util.HashSet<>();

        Rings(Tessellation t, int k) {
            this.t = t;
            seen.add(k);
            rings.add(new int[] {k});
        }

        /** Ring {@code level} (grown as needed; empty past the graph's reach). */
        int[] ring(int level) {
            while (rings.size() <= level) {
                int[] last = rings.get(rings.size() - 1);
                int[] next = new int[16];
                int n = 0;
                for (int a : last)
                    for (int b : t.neighbours(a))
                        if (seen.add(b)) {
                            if (n == next.length) next = Arrays.copyOf(next, 2 * n);
                            next[n++] = b;
                        }
                int[] ring = Arrays.copyOf(next, n);
                Arrays.sort(ring);
                rings.add(ring);
                if (n == 0) break;
            }
            return level < rings.size() ? rings.get(level) : new int[0];
        }

        /** True when ball {@code level} already holds every node reachable from the centre. */
        boolean exhausted(int level) {
            ring(level + 1);
            return level + 1 >= rings.size() || rings.get(level + 1).length == 0;
        }

        /** Ring {@code level}, or the published fallback when it has fewer than {@code min} nodes. */
        int[] ringOrFallback(int level, int min) {
            int[] r = ring(level);
            if (r.length >= min) return r;
            // past the graph's reach: step down; else step up (the published recursion)
            int l = level;
            if (exhausted(level)) {
                while (l > 1 && ring(l).length < min) l--;
            } else {
                while (ring(l).length < min && !exhausted(l)) l++;
            }
            r = ring(l);
            if (r.length < min) {
                // nothing qualifies (a graph too small): the largest ring there is
                int best = 1;
                for (int q = 1; q < rings.size(); q++) if (rings.get(q).length > rings.get(best).length) best = q;
                r = ring(best);
            }
            return r;
        }

        /** Every node at most {@code level} hops away, the centre included. */
        int[] ball(int level) {
            ring(level);
            int n = 0;
            for (int q = 0; q <= level && q < rings.size(); q++) n += rings.get(q).length;
            int[] out = new int[n];
            int o = 0;
            for (int q = 0; q <= level && q < rings.size(); q++) {
                System.arraycopy(rings.get(q), 0, out, o, rings.get(q).length);
                o += rings.get(q).length;
            }
            return out;
        }
    }
}
