package org.geomend.voronoiboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.geomend.kernels.SitePositions;
import org.junit.jupiter.api.Test;

/** Feature values on hand-made layouts whose geometry is known in closed form. */
class CellFeaturesTest {

    /** A rectangular lattice, {@code 2h+1} sites a side, spacing ax by ay, offset far from the origin (Lambert-93-like). */
    static SitePositions lattice(int h, double ax, double ay) {
        List<double[]> p = new ArrayList<>();
        for (int i = -h; i <= h; i++)
            for (int j = -h; j <= h; j++) p.add(new double[] {700_000 + i * ax, 6_600_000 + j * ay});
        return positions(p);
    }

    static SitePositions positions(List<double[]> p) {
        double[] x = new double[p.size()], y = new double[p.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = p.get(i)[0];
            y[i] = p.get(i)[1];
        }
        return new SitePositions(x, y);
    }

    /** Lattice offsets (i, j) at Chebyshev distance exactly k: the hop ring k of a lattice whose cells meet at corners. */
    static List<int[]> ring(int k) {
        List<int[]> r = new ArrayList<>();
        for (int i = -k; i <= k; i++)
            for (int j = -k; j <= k; j++) if (Math.max(Math.abs(i), Math.abs(j)) == k) r.add(new int[] {i, j});
        return r;
    }

    static double meanDist(int k, double ax, double ay) {
        double s = 0;
        for (int[] o : ring(k)) s += Math.hypot(o[0] * ax, o[1] * ay);
        return s / ring(k).size();
    }

    static double meanPairwise(int k, double ax, double ay) {
        List<int[]> r = ring(k);
        double s = 0;
        int n = 0;
        for (int a = 0; a < r.size(); a++)
            for (int b = a + 1; b < r.size(); b++) {
                s += Math.hypot((r.get(a)[0] - r.get(b)[0]) * ax, (r.get(a)[1] - r.get(b)[1]) * ay);
                n++;
            }
        return s / n;
    }

    /**
     * A 41 x 41 rectangular lattice (400 m by 200 m): every Voronoi vertex is shared by four cells, so each site has
     * 8 neighbours (diagonals included) and ring k is the Chebyshev ring of 8k sites. The centre site and everything
     * within 10 hops of it lie 10 hops or more inside the lattice, so their cells are exact 400 x 200 rectangles.
     */
    @Test
    void rectangularLatticeCentre() {
        double ax = 400, ay = 200;
        SitePositions p = lattice(20, ax, ay);
        Tessellation t = Tessellation.build(p, 1000);
        int centre = (41 * 41) / 2;
        int k = t.node(centre);
        assertEquals(8, t.neighbours(k).length);
        assertEquals(ax * ay, t.area(k), 1e-6);
        double[] f = CellFeatures.ofNode(t, k);
        double md1 = meanDist(1, ax, ay), mp1 = meanPairwise(1, ax, ay);
        double[] want = {
            meanDist(6, ax, ay) / md1,
            meanDist(8, ax, ay) / md1,
            meanDist(10, ax, ay) / md1,
            meanPairwise(6, ax, ay) / mp1,
            meanPairwise(8, ax, ay) / mp1,
            meanPairwise(10, ax, ay) / mp1,
            8 * ay, // nearest ring-8 site: 8 rows up or down
            (16 * ay) / (2 * ay), // hull of ball 8 is 16ax x 16ay, of ball 1 2ax x 2ay: widths 16ay, 2ay
            1,
            1,
            1, // equal cells
            1, // every centroid is its site: 0/0, our documented rule
            Math.hypot(ax / 2, ay / 2), // farthest corner of its own cell
            ax / ay
        };
        assertArrayEquals(want, f, 1e-9 * 1e4);
    }

    /**
     * A hexagonal lattice (spacing a): 6 neighbours, ring k of 6k sites, hexagonal cells of circumradius a / sqrt(3)
     * whose minimum-area rectangle is 2R x sqrt(3) R.
     */
    @Test
    void hexagonalLatticeCentre() {
        double a = 500;
        List<double[]> pts = new ArrayList<>();
        int h = 22;
        for (int j = -h; j <= h; j++)
            for (int i = -h; i <= h; i++)
                pts.add(new double[] {700_000 + a * (i + 0.5 * j), 6_600_000 + a * Math.sqrt(3) / 2 * j});
        SitePositions p = positions(pts);
        Tessellation t = Tessellation.build(p, 1000);
        int centre = pts.size() / 2;
        int k = t.node(centre);
        assertEquals(6, t.neighbours(k).length);
        CellFeatures.Rings r = new CellFeatures.Rings(t, k);
        for (int q = 1; q <= 10; q++) assertEquals(6 * q, r.ring(q).length, "ring " + q);
        double[] f = CellFeatures.ofNode(t, k);
        double rad = a / Math.sqrt(3);
        assertEquals(1, f[8], 1e-6);
        assertEquals(1, f[10], 1e-6);
        assertEquals(rad, f[12], 1e-6);
        assertEquals(2 / Math.sqrt(3), f[13], 1e-6);
        assertEquals(
                8 * a * Math.sqrt(3) / 2,
                f[6],
                1e-6); // ring 8 is a hexagon of corner radius 8a: nearest at its sides' midpoints
        assertEquals(8, f[7], 1e-6); // hulls of balls 8 and 1: similar hexagons of corner radius 8a and a
    }

    /**
     * Three sites, checked by hand: A(0,0), B(800,0), C(0,600), clipped 1000 m outside their bounding box. The one
     * Voronoi vertex is the circumcentre, the hypotenuse's midpoint (400, 300); A's cell is the rectangle
     * [-1000, 400] x [-1000, 300]. Every ring past 1 is empty and every ball holds all three sites, so the
     * published fallbacks make every ratio 1.
     */
    @Test
    void threeSitesByHand() {
        double ox = 700_000, oy = 6_600_000;
        SitePositions p =
                positions(List.of(new double[] {ox, oy}, new double[] {ox + 800, oy}, new double[] {ox, oy + 600}));
        Tessellation t = Tessellation.build(p, 1000);
        int a = t.node(0);
        assertArrayEquals(new int[] {1, 2}, t.neighbours(a));
        assertEquals(1400.0 * 1300.0, t.area(a), 1e-6);
        assertEquals(ox + (-1000 + 400) / 2.0, t.centroidX(a), 1e-6);
        double[] f = CellFeatures.ofNode(t, a);
        double[] want = {1, 1, 1, 1, 1, 1, 600, 1, 1, 1, 1, 1, Math.hypot(1000, 1000), 1400.0 / 1300.0};
        assertArrayEquals(want, f, 1e-9);
    }

    @Test
    void degenerateInventoriesAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Tessellation.build(positions(List.of(new double[] {0, 0}, new double[] {1, 1})), 100));
        assertThrows(
                IllegalArgumentException.class,
                () -> Tessellation.build(
                        positions(List.of(
                                new double[] {0, 0}, new double[] {1, 1}, new double[] {2, 2}, new double[] {5, 5})),
                        100));
    }

    @Test
    void colocatedSitesShareOneCell() {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) pts.add(new double[] {i * 300.0, j * 300.0});
        pts.add(new double[] {600, 600}); // a second site at the centre's position
        Tessellation t = Tessellation.build(positions(pts), 500);
        assertEquals(25, t.nodes());
        assertEquals(t.node(12), t.node(25));
    }
}
