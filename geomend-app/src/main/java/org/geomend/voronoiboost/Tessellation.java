package org.geomend.voronoiboost;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.geomend.kernels.SitePositions;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.triangulate.VoronoiDiagramBuilder;

/**
 * The Voronoi tessellation of an inventory in metres, clipped to a box, and its Voronoi graph: the sites whose
 * (clipped) cells share a vertex are neighbours, as in the published VoronoiBoost code (which links every pair of
 * cells meeting at a Voronoi vertex, so four co-circular sites are all linked to each other, diagonals included,
 * where a Delaunay triangulation would keep one diagonal only).
 *
 * <p><b>Clipping.</b> Cells of sites on the convex hull are unbounded. Every cell is clipped to the inventory's
 * bounding box enlarged by {@code margin} metres on each side (the published code clips to a city outline that is
 * not published; see the README, VoronoiBoost). Cells are convex polygons holding their site strictly inside.
 *
 * <p><b>Co-located sites</b> share one cell, one graph node and hence the same features; {@link #node(int)} maps a
 * site to its node. Geometry is computed with JTS ({@code VoronoiDiagramBuilder}); vertices of neighbouring cells
 * are matched within {@code 1e-7} of the box's size.
 */
public final class Tessellation {

    private final SitePositions sites;
    private final int[] node; // site -> node (unique position)
    private final double[] nx, ny; // node positions
    private final double[][] cellX, cellY; // node -> cell vertices, counter-clockwise, not closed
    private final double[] area, centroidX, centroidY;
    private final int[][] adj;
    private final Envelope clip;

    private Tessellation(
            SitePositions sites,
            int[] node,
            double[] nx,
            double[] ny,
            double[][] cellX,
            double[][] cellY,
            double[] area,
            double[] cx,
            double[] cy,
            int[][] adj,
            Envelope clip) {
        this.sites = sites;
        this.node = node;
        this.nx = nx;
        this.ny = ny;
        this.cellX = cellX;
        this.cellY = cellY;
        this.area = area;
        this.centroidX = cx;
        this.centroidY = cy;
        this.adj = adj;
        this.clip = clip;
    }

    /**
     * Builds the tessellation of {@code sites} clipped to their bounding box enlarged by {@code margin} metres.
     *
     * @throws IllegalArgumentException for fewer than 3 distinct positions or positions all on one line
     */
    public static Tessellation build(SitePositions sites, double margin) {
        if (!(margin > 0) || !Double.isFinite(margin))
            throw new IllegalArgumentException("clip margin must be > 0 metres: " + margin);
        int n = sites.size();
        Map<Coordinate, Integer> byPos = new HashMap<>();
        int[] node = new int[n];
        List<Coordinate> unique = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Coordinate c = new Coordinate(sites.x()[i], sites.y()[i]);
            Integer k = byPos.get(c);
            if (k == null) {
                k = unique.size();
                byPos.put(c, k);
                unique.add(c);
            }
            node[i] = k;
        }
        int m = unique.size();
        if (m < 3)
            throw new IllegalArgumentException("VoronoiBoost needs at least 3 distinct site positions, got " + m);
        double[] nx = new double[m], ny = new double[m];
        for (int k = 0; k < m; k++) {
            nx[k] = unique.get(k).x;
            ny[k] = unique.get(k).y;
        }
        if (collinear(nx, ny))
            throw new IllegalArgumentException("VoronoiBoost needs sites that are not all on one line");
        Envelope env = new Envelope();
        for (Coordinate c : unique) env.expandToInclude(c);
        env.expandBy(margin);

        VoronoiDiagramBuilder b = new VoronoiDiagramBuilder();
        b.setSites(unique);
        b.setClipEnvelope(env);
        GeometryFactory gf = new GeometryFactory();
        Geometry diagram = b.getDiagram(gf);
        double[][] cellX = new double[m][], cellY = new double[m][];
        double[] area = new double[m], cx = new double[m], cy = new double[m];
        for (int g = 0; g < diagram.getNumGeometries(); g++) {
            Geometry cell = diagram.getGeometryN(g);
            Integer k = byPos.get((Coordinate) cell.getUserData());
            if (k == null) throw new IllegalStateException("Voronoi cell without its site at " + cell.getUserData());
            if (!(cell instanceof Polygon p) || p.isEmpty())
                throw new IllegalStateException(
                        "Voronoi cell of the site at " + cell.getUserData() + " is not a polygon");
            Coordinate[] ring = p.getExteriorRing().getCoordinates();
            int len = ring.length - 1; // closed ring
            double[] xs = new double[len], ys = new double[len];
            for (int v = 0; v < len; v++) {
                xs[v] = ring[v].x;
                ys[v] = ring[v].y;
            }
            if (signedArea(xs, ys) < 0) {
                reverse(xs);
                reverse(ys);
            }
            cellX[k] = xs;
            cellY[k] = ys;
            double a = signedArea(xs, ys);
            area[k] = a;
            double[] c = centroid(xs, ys, a);
            cx[k] = c[0];
            cy[k] = c[1];
        }
        for (int k = 0; k < m; k++)
            if (cellX[k] == null) throw new IllegalStateException("no Voronoi cell for the site at " + unique.get(k));
        int[][] adj = vertexGraph(cellX, cellY, 1e-7 * Math.max(env.getWidth(), env.getHeight()));
        return new Tessellation(sites, node, nx, ny, cellX, cellY, area, cx, cy, adj, env);
    }

    /** Links the nodes whose cells share a vertex (within {@code tol}). */
    static int[][] vertexGraph(double[][] cellX, double[][] cellY, double tol) {
        int m = cellX.length;
        Map<Long, List<int[]>> grid = new HashMap<>(); // cell key -> (node, vertex) entries
        List<java.util.Set<Integer>> nb = new ArrayList<>(m);
        for (int k = 0; k < m; k++) nb.add(new java.util.TreeSet<>());
        for (int k = 0; k < m; k++)
            for (int v = 0; v < cellX[k].length; v++) {
                long gx = (long) Math.floor(cellX[k][v] / tol), gy = (long) Math.floor(cellY[k][v] / tol);
                for (long dx = -1; dx <= 1; dx++)
                    for (long dy = -1; dy <= 1; dy++) {
                        List<int[]> l = grid.get(key(gx + dx, gy + dy));
                        if (l == null) continue;
                        for (int[] e : l) {
                            if (e[0] == k) continue;
                            double ddx = cellX[e[0]][e[1]] - cellX[k][v], ddy = cellY[e[0]][e[1]] - cellY[k][v];
                            if (ddx * ddx + ddy * ddy <= tol * tol) {
                                nb.get(k).add(e[0]);
                                nb.get(e[0]).add(k);
                            }
                        }
                    }
                grid.computeIfAbsent(key(gx, gy), q -> new ArrayList<>()).add(new int[] {k, v});
            }
        int[][] adj = new int[m][];
        for (int k = 0; k < m; k++)
            adj[k] = nb.get(k).stream().mapToInt(Integer::intValue).toArray();
        return adj;
    }

    private static long key(long gx, long gy) {
        return gx * 0x9E3779B97F4A7C15L ^ gy;
    }

    private static boolean collinear(double[] x, double[] y) {
        double scale = 0;
        for (int i = 1; i < x.length; i++) scale = Math.max(scale, Math.hypot(x[i] - x[0], y[i] - y[0]));
        // farthest from the first point, then the largest area against that baseline
        int far = 0;
        for (int i = 1; i < x.length; i++) if (Math.hypot(x[i] - x[0], y[i] - y[0]) == scale) far = i;
        double bx = x[far] - x[0], by = y[far] - y[0];
        for (int i = 1; i < x.length; i++)
            if (Math.abs(bx * (y[i] - y[0]) - by * (x[i] - x[0])) > 1e-9 * scale * scale) return false;
        return true;
    }

    static double signedArea(double[] xs, double[] ys) {
        double a = 0;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) a += xs[j] * ys[i] - xs[i] * ys[j];
        return a / 2;
    }

    private static double[] centroid(double[] xs, double[] ys, double area) {
        // relative to the first vertex, for precision at Lambert-93 magnitudes
        double x0 = xs[0], y0 = ys[0], sx = 0, sy = 0;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            double xj = xs[j] - x0, yj = ys[j] - y0, xi = xs[i] - x0, yi = ys[i] - y0;
            double cr = xj * yi - xi * yj;
            sx += (xj + xi) * cr;
            sy += (yj + yi) * cr;
        }
        return new double[] {x0 + sx / (6 * area), y0 + sy / (6 * area)};
    }

    private static void reverse(double[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** The inventory the tessellation was built on. */
    public SitePositions sites() {
        return sites;
    }

    /** Number of graph nodes (distinct positions). */
    public int nodes() {
        return nx.length;
    }

    /** The graph node of a site. */
    public int node(int site) {
        return node[site];
    }

    public double nodeX(int k) {
        return nx[k];
    }

    public double nodeY(int k) {
        return ny[k];
    }

    /** Vertices of the node's clipped cell, counter-clockwise, the first not repeated at the end (do not modify). */
    public double[] cellX(int k) {
        return cellX[k];
    }

    public double[] cellY(int k) {
        return cellY[k];
    }

    /** Area of the node's clipped cell, m². */
    public double area(int k) {
        return area[k];
    }

    public double centroidX(int k) {
        return centroidX[k];
    }

    public double centroidY(int k) {
        return centroidY[k];
    }

    /** Neighbours of a node in the Voronoi graph, ascending (do not modify). */
    public int[] neighbours(int k) {
        return adj[k];
    }

    /** The clip box: minX, minY, maxX, maxY. */
    public double[] clipBox() {
        return new double[] {clip.getMinX(), clip.getMinY(), clip.getMaxX(), clip.getMaxY()};
    }

    @Override
    public String toString() {
        return "Tessellation[" + nx.length + " nodes, clip " + Arrays.toString(clipBox()) + "]";
    }
}
