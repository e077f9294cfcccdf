package org.geomend.voronoiboost;

/**
 * A convex cell and the origin it is scaled about. The cell scaled by s is {@code o + s (P - o)}; because P is
 * convex and holds o strictly inside, these cells are nested, and a point p lies in the cell scaled by s exactly
 * when {@code gauge(p) <= s}, where the gauge (Minkowski functional of P about o) is
 * {@code max over edges e of n_e . (p - o) / h_e} (n_e the edge's outward unit normal, h_e its distance from o).
 * So "which scaled cells hold this pixel centre" is one gauge evaluation, and both the training target and the
 * map drawing use it.
 */
public final class ScaledCell {

    /** What the cell is scaled about. */
    public enum Origin {
        /** the base station's position (our default: the station is where its users concentrate) */
        STATION,
        /** the centre of the cell's bounding box (shapely's {@code affinity.scale} default, as in the published code) */
        BBOX_CENTRE;

        public String cliName() {
            return this == STATION ? "station" : "bbox-centre";
        }

        public static Origin parse(String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "station" -> STATION;
                case "bbox-centre", "bbox-center" -> BBOX_CENTRE;
                default -> throw new IllegalArgumentException("--origin must be station or bbox-centre: '" + s + "'");
            };
        }
    }

    private final double ox, oy;
    private final double[] a, b; // per edge: n / h
    private final double[] vx, vy; // vertices relative to o

    private ScaledCell(double ox, double oy, double[] a, double[] b, double[] vx, double[] vy) {
        this.ox = ox;
        this.oy = oy;
        this.a = a;
        this.b = b;
        this.vx = vx;
        this.vy = vy;
    }

    /**
     * @param xs cell vertices, counter-clockwise, the first not repeated
     * @param sx site position (used for {@link Origin#STATION})
     */
    public static ScaledCell of(double[] xs, double[] ys, double sx, double sy, Origin origin) {
        double ox = sx, oy = sy;
        if (origin == Origin.BBOX_CENTRE) {
            double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = x0, y1 = x1;
            for (int i = 0; i < xs.length; i++) {
                x0 = Math.min(x0, xs[i]);
                x1 = Math.max(x1, xs[i]);
                y0 = Math.min(y0, ys[i]);
                y1 = Math.max(y1, ys[i]);
            }
            ox = (x0 + x1) / 2;
            oy = (y0 + y1) / 2;
        }
        return about(xs, ys, ox, oy);
    }

    /** The cell scaled about the point (ox, oy), which must lie strictly inside the convex cell. */
    public static ScaledCell about(double[] xs, double[] ys, double ox, double oy) {
        int n = xs.length;
        if (n < 3) throw new IllegalArgumentException("a cell needs at least 3 vertices, got " + n);
        double[] a = new double[n], b = new double[n], vx = new double[n], vy = new double[n];
        int m = 0;
        double size = 0;
        for (int i = 0; i < n; i++) size = Math.max(size, Math.hypot(xs[i] - ox, ys[i] - oy));
        for (int i = 0; i < n; i++) {
            vx[i] = xs[i] - ox;
            vy[i] = ys[i] - oy;
            int j = (i + 1) % n;
            double dx = xs[j] - xs[i], dy = ys[j] - ys[i], len = Math.hypot(dx, dy);
            if (len <= 1e-12 * size) continue; // repeated vertex
            double nx = dy / len, ny = -dx / len; // outward for a counter-clockwise ring
            double h = nx * (xs[i] - ox) + ny * (ys[i] - oy);
            if (!(h > 1e-9 * size))
                throw new IllegalArgumentException(
                        "the scaling origin is not strictly inside the cell (or the cell is not convex and counter-clockwise)");
            a[m] = nx / h;
            b[m] = ny / h;
            m++;
        }
        return new ScaledCell(ox, oy, java.util.Arrays.copyOf(a, m), java.util.Arrays.copyOf(b, m), vx, vy);
    }

    /** The smallest scale whose scaled cell holds (x, y) (0 at the origin). */
    public double gauge(double x, double y) {
        double px = x - ox, py = y - oy, g = 0;
        for (int e = 0; e < a.length; e++) g = Math.max(g, a[e] * px + b[e] * py);
        return g;
    }

    public double originX() {
        return ox;
    }

    public double originY() {
        return oy;
    }

    /** Bounding box of the cell scaled by {@code s}: minX, minY, maxX, maxY. */
    public double[] bounds(double s) {
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = x0, y1 = x1;
        for (int i = 0; i < vx.length; i++) {
            x0 = Math.min(x0, ox + s * vx[i]);
            x1 = Math.max(x1, ox + s * vx[i]);
            y0 = Math.min(y0, oy + s * vy[i]);
            y1 = Math.max(y1, oy + s * vy[i]);
        }
        return new double[] {x0, y0, x1, y1};
    }
}
