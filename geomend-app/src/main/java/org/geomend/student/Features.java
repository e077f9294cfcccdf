package org.geomend.student;

import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.SitePositions;

/**
 * The student's three input channels (SPEC section 2): for every pixel l, distances X (pixel centre to site, plus
 * 1 m) to the nearest sites of the whole inventory (the target site included), each transformed as
 * {@code 1 - exp(-X / d_i(l))} with {@code d_i(l)} the distance to the target site i. {@code paper}: NN1, NN2, NN3;
 * {@code repo} (the authors' public inference code): NN1, NN2 and the mean of NN1..NN5. Where the inventory has
 * fewer sites than needed the missing distance counts as infinite (channel value 1).
 *
 * <p>Padding: the network needs a side that is a multiple of {@code 2^(depth-1)}, so the features are computed on
 * the window grown on every side ({@link #padded}: {@code (P - W) / 2} pixels west and south, the rest east and
 * north): the real geometry, not a reflection or zeros. Predictions are cropped back to the window.
 */
public final class Features {

    private Features() {}

    /** The grid the network runs on for {@code window}: grown to {@code cfg.padded(side)} pixels, centred. */
    public static GridSpec padded(GridSpec window, UNetConfig cfg) {
        int pw = cfg.padded(window.width()), ph = cfg.padded(window.height());
        int left = (pw - window.width()) / 2, bottom = (ph - window.height()) / 2;
        double r = window.resolution();
        return new GridSpec(window.x0() - left * r, window.y0() - bottom * r, r, pw, ph);
    }

    /** Column offset of the window inside its padded grid (row offset likewise with heights). */
    public static int offset(int padded, int size) {
        return (padded - size) / 2;
    }

    /**
     * Writes the three channels of site {@code site} on grid {@code g} (usually {@link #padded}) to
     * {@code dst[off + c * pixels + row * width + col]}.
     */
    public static void compute(
            GeoKernels geo,
            BufferAllocator alloc,
            SitePositions sites,
            int site,
            GridSpec g,
            String kind,
            float[] dst,
            int off) {
        boolean repo = kind.equals("repo");
        int kk = repo ? 5 : 3;
        long px = g.pixels();
        try (KnnRaster knn = new KnnRaster(g, kk, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, px * kk))) {
            geo.nearestSites(sites, knn);
            double[] d = new double[kk];
            for (int r = 0; r < g.height(); r++) {
                double py = g.centreY(r);
                for (int c = 0; c < g.width(); c++) {
                    double pxx = g.centreX(c);
                    double di = sites.distancePlus1(pxx, py, site);
                    for (int n = 0; n < kk; n++) {
                        int j = knn.get(r, c, n);
                        d[n] = j < 0 ? Double.POSITIVE_INFINITY : sites.distancePlus1(pxx, py, j);
                    }
                    double x2 = d[2];
                    if (repo) {
                        double s = 0;
                        for (double v : d) s += v;
                        x2 = s / kk;
                    }
                    int q = off + r * g.width() + c;
                    dst[q] = transform(d[0], di);
                    dst[q + (int) px] = transform(d[1], di);
                    dst[q + 2 * (int) px] = transform(x2, di);
                }
            }
        }
    }

    static float transform(double x, double di) {
        return Double.isInfinite(x) ? 1f : (float) (1 - Math.exp(-x / di));
    }
}
