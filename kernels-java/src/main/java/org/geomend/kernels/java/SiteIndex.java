package org.geomend.kernels.java;

import java.util.Arrays;
import org.geomend.kernels.SitePositions;

/**
 * A uniform bucket grid over site positions (about two sites a bucket) answering exact
 * "all sites within radius R of a point" and "k nearest to a point" queries.
 */
public final class SiteIndex {

    private final SitePositions sites;
    private final double minX, minY, cell;
    private final int nx, ny;
    private final int[] start; // bucket b holds order[start[b] .. start[b+1])
    private final int[] order;

    public SiteIndex(SitePositions sites) {
        this.sites = sites;
        int n = sites.size();
        double[] b = n == 0 ? new double[] {0, 0, 1, 1} : sites.bounds();
        minX = b[0];
        minY = b[1];
        double w = Math.max(b[2] - b[0], 1), h = Math.max(b[3] - b[1], 1);
        double c = Math.sqrt(w * h / Math.max(1, n / 2.0));
        c = Math.max(c, Math.max(w, h) / 4096);
        cell = Math.max(c, 1e-3);
        nx = (int) Math.min(4096, Math.floor(w / cell) + 1);
        ny = (int) Math.min(4096, Math.floor(h / cell) + 1);
        start = new int[nx * ny + 1];
        int[] bucket = new int[n];
        for (int i = 0; i < n; i++) {
            bucket[i] = bx(sites.x()[i]) + nx * by(sites.y()[i]);
            start[bucket[i] + 1]++;
        }
        for (int i = 0; i < nx * ny; i++) start[i + 1] += start[i];
        order = new int[n];
        int[] fill = Arrays.copyOf(start, nx * ny);
        for (int i = 0; i < n; i++) order[fill[bucket[i]]++] = i; // ascending index inside a bucket
    }

    private int bx(double x) {
        return (int) Math.max(0, Math.min(nx - 1, Math.floor((x - minX) / cell)));
    }

    private int by(double y) {
        return (int) Math.max(0, Math.min(ny - 1, Math.floor((y - minY) / cell)));
    }

    public SitePositions sites() {
        return sites;
    }

    /**
     * Squared distance from (px, py) to its {@code kk}-th nearest site (infinity when there are fewer
     * sites), found by growing square rings of buckets.
     */
    public double kthNearestSq(double px, double py, int kk) {
        int n = sites.size();
        if (n < kk) return Double.POSITIVE_INFINITY;
        double[] best = new double[kk];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        int cx = bx(px), cy = by(py);
        int maxRing = Math.max(nx, ny);
        for (int ring = 0; ring <= maxRing; ring++) {
            for (int yy = cy - ring; yy <= cy + ring; yy++) {
                if (yy < 0 || yy >= ny) continue;
                boolean edgeRow = yy == cy - ring || yy == cy + ring;
                for (int xx = cx - ring; xx <= cx + ring; xx += edgeRow ? 1 : 2 * ring) {
                    if (xx >= 0 && xx < nx) {
                        int b = xx + nx * yy;
                        for (int t = start[b]; t < start[b + 1]; t++) {
                            int j = order[t];
                            double dx = px - sites.x()[j], dy = py - sites.y()[j];
                            keepSmallest(best, kk, dx * dx + dy * dy);
                        }
                    }
                    if (ring == 0) break;
                }
            }
            // lower bound on the distance to any bucket not searched yet (only sides short of the grid's edge count)
            double bound = Double.POSITIVE_INFINITY;
            if (cx - ring > 0) bound = Math.min(bound, px - (minX + (cx - ring) * cell));
            if (cx + ring < nx - 1) bound = Math.min(bound, minX + (cx + ring + 1) * cell - px);
            if (cy - ring > 0) bound = Math.min(bound, py - (minY + (cy - ring) * cell));
            if (cy + ring < ny - 1) bound = Math.min(bound, minY + (cy + ring + 1) * cell - py);
            if (bound == Double.POSITIVE_INFINITY) break;
            if (best[kk - 1] < Double.POSITIVE_INFINITY && bound > 0 && bound * bound >= best[kk - 1]) break;
        }
        return best[kk - 1];
    }

    /** Inserts {@code d} into the ascending {@code best[0..kk)} when it is smaller than {@code best[kk-1]}. */
    static void keepSmallest(double[] best, int kk, double d) {
        if (d >= best[kk - 1]) return;
        int p = kk - 1;
        while (p > 0 && best[p - 1] > d) {
            best[p] = best[p - 1];
            p--;
        }
        best[p] = d;
    }

    /** Appends to {@code out} (returns the count) every site within {@code radius} of (px, py), ascending index. */
    public int within(double px, double py, double radius, int[] out) {
        double r2 = radius * radius;
        int x0 = bx(px - radius), x1 = bx(px + radius), y0 = by(py - radius), y1 = by(py + radius);
        int n = 0;
        for (int yy = y0; yy <= y1; yy++)
            for (int xx = x0; xx <= x1; xx++) {
                int b = xx + nx * yy;
                for (int t = start[b]; t < start[b + 1]; t++) {
                    int j = order[t];
                    double dx = px - sites.x()[j], dy = py - sites.y()[j];
                    if (dx * dx + dy * dy <= r2) {
                        if (n == out.length) return -1;
                        out[n++] = j;
                    }
                }
            }
        Arrays.sort(out, 0, n);
        return n;
    }
}
