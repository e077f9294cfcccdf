package org.geomend.kernels;

/**
 * Float64 brute-force references, written for clarity, not speed: what every backend is tested
 * against. Maps are heap {@code double[height * width]}, row 0 south.
 */
public final class Reference {

    private Reference() {}

    /** The {@code kk} nearest sites of point (px, py), by (squared distance, index); -1 padded. */
    public static int[] nearest(SitePositions s, double px, double py, int kk) {
        int[] best = new int[kk];
        double[] bd = new double[kk];
        java.util.Arrays.fill(best, -1);
        java.util.Arrays.fill(bd, Double.POSITIVE_INFINITY);
        for (int j = 0; j < s.size(); j++) {
            double dx = px - s.x()[j], dy = py - s.y()[j], d = dx * dx + dy * dy;
            if (d >= bd[kk - 1]) continue; // strictly nearer only: equal distance keeps the lower index
            int p = kk - 1;
            while (p > 0 && bd[p - 1] > d) {
                bd[p] = bd[p - 1];
                best[p] = best[p - 1];
                p--;
            }
            bd[p] = d;
            best[p] = j;
        }
        return best;
    }

    /** P(i|l) of SPEC section 2 over all 2^k subsets, literally, clamped to [0, 1]. */
    public static double spdiProbability(SitePositions s, int i, double px, double py, double beta, int k) {
        int[] nn = nearest(s, px, py, k + 1);
        int[] c = new int[k];
        int n = 0;
        for (int j : nn) if (j >= 0 && j != i && n < k) c[n++] = j;
        double di = s.distancePlus1(px, py, i);
        double[] a = new double[n];
        for (int t = 0; t < n; t++) a[t] = Math.pow(s.distancePlus1(px, py, c[t]) / di, beta);
        double sum = 0;
        for (int v = 0; v < (1 << n); v++) {
            double denom = 1;
            for (int t = 0; t < n; t++) if ((v >> t & 1) != 0) denom += a[t];
            sum += (Integer.bitCount(v) % 2 == 0 ? 1.0 : -1.0) / denom;
        }
        return Math.min(1, Math.max(0, sum));
    }

    /** Normalised sPDI map of site i on {@code window}; {@code mask} (may be null) as in {@link GeoKernels#normalize}. */
    public static double[] spdiMap(SitePositions s, int i, GridSpec window, double beta, int k, boolean[] mask) {
        double[] m = new double[(int) window.pixels()];
        for (int r = 0; r < window.height(); r++)
            for (int c = 0; c < window.width(); c++)
                m[r * window.width() + c] = spdiProbability(s, i, window.centreX(c), window.centreY(r), beta, k);
        return normalise(m, mask);
    }

    /** Normalised Voronoi map of site i on {@code window}. */
    public static double[] voronoiMap(SitePositions s, int i, GridSpec window, boolean[] mask) {
        double[] m = new double[(int) window.pixels()];
        for (int r = 0; r < window.height(); r++)
            for (int c = 0; c < window.width(); c++)
                m[r * window.width() + c] = nearest(s, window.centreX(c), window.centreY(r), 1)[0] == i ? 1 : 0;
        return normalise(m, mask);
    }

    public static double[] normalise(double[] m, boolean[] mask) {
        double sum = 0;
        for (int p = 0; p < m.length; p++) {
            if (mask != null && !mask[p]) m[p] = 0;
            sum += m[p];
        }
        if (sum > 0) for (int p = 0; p < m.length; p++) m[p] /= sum;
        return m;
    }

    /** KS2 by brute force: every grid-line intersection, every quadrant, masses summed afresh. O((WH)^2). */
    public static double ks2(double[] p, double[] q, int width, int height) {
        double best = 0;
        for (int a = 0; a <= width; a++)
            for (int b = 0; b <= height; b++) {
                double[] d = new double[4];
                for (int r = 0; r < height; r++)
                    for (int c = 0; c < width; c++) {
                        int quad = (c < a ? 0 : 1) + (r < b ? 0 : 2);
                        d[quad] += p[r * width + c] - q[r * width + c];
                    }
                for (double v : d) best = Math.max(best, Math.abs(v));
            }
        return best;
    }

    /**
     * The teacher's curve by brute force: for each beta, KS2 of the normalised {@link #spdiMap} of site i on
     * {@code window} against {@code truth} (normalised, heap, row 0 south). O(betas (WH)^2): tiny windows only.
     */
    public static double[] betaSweepKs2(
            SitePositions s, int i, GridSpec window, double[] betas, int k, double[] truth) {
        double[] out = new double[betas.length];
        for (int t = 0; t < betas.length; t++)
            out[t] = ks2(spdiMap(s, i, window, betas[t], k, null), truth, window.width(), window.height());
        return out;
    }

    /** L1 distance of two maps. */
    public static double l1(double[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
        return s;
    }
}
