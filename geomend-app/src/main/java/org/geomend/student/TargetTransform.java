package org.geomend.student;

/**
 * The student's target space (SPEC section 2): {@code y' = -1 / log10(y)} with {@code y} clamped to
 * [{@link #FLOOR}, {@link #CEIL}] (so 0 maps to 1/9 and the transform stays finite; no pixel of a 600 x 600 map
 * comes near 0.5), inverse {@code p = 10^(-1/y')} with {@code y' <= 0} giving {@link #FLOOR}, then mask and
 * renormalisation ({@link #toMap}).
 */
public final class TargetTransform {

    public static final double FLOOR = 1e-9, CEIL = 0.5;

    private TargetTransform() {}

    public static float forward(double y) {
        double c = Math.min(CEIL, Math.max(FLOOR, y));
        return (float) (-1.0 / Math.log10(c));
    }

    public static double inverse(double t) {
        return t <= 0 ? FLOOR : Math.pow(10, -1.0 / t);
    }

    /**
     * The map of one network output: crops {@code w x h} at ({@code col0}, {@code row0}) out of the {@code pw}-wide
     * output starting at {@code off}, inverts the transform, zeroes pixels where {@code mask} (same crop layout,
     * may be null) is 0 and normalises to sum 1 (float64 sum). Returns the sum before normalisation.
     */
    public static double toMap(
            float[] out, int off, int pw, int col0, int row0, int w, int h, byte[] mask, float[] dst, int dstOff) {
        double s = 0;
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) {
                int q = dstOff + r * w + c;
                double p = mask != null && mask[r * w + c] == 0 ? 0 : inverse(out[off + (row0 + r) * pw + col0 + c]);
                dst[q] = (float) p;
                s += p;
            }
        if (s > 0) for (int i = 0; i < w * h; i++) dst[dstOff + i] = (float) (dst[dstOff + i] / s);
        return s;
    }

    /**
     * Resamples the map {@code src} (grid {@code from}) onto {@code to} (an integer multiple of its resolution,
     * usually): each source pixel's mass goes to the target pixel holding its centre; mass outside {@code to} is
     * dropped. Used to train and score at a reduced resolution (e.g. 600 x 600 at 100 m to 150 x 150 at 400 m).
     */
    public static float[] resample(float[] src, org.geomend.kernels.GridSpec from, org.geomend.kernels.GridSpec to) {
        float[] out = new float[Math.toIntExact(to.pixels())];
        if (from.equals(to)) {
            System.arraycopy(src, 0, out, 0, out.length);
            return out;
        }
        double[] acc = new double[out.length];
        for (int r = 0; r < from.height(); r++) {
            int tr = (int) Math.floor((from.centreY(r) - to.y0()) / to.resolution());
            if (tr < 0 || tr >= to.height()) continue;
            for (int c = 0; c < from.width(); c++) {
                int tc = (int) Math.floor((from.centreX(c) - to.x0()) / to.resolution());
                if (tc < 0 || tc >= to.width()) continue;
                acc[tr * to.width() + tc] += src[r * from.width() + c];
            }
        }
        for (int i = 0; i < out.length; i++) out[i] = (float) acc[i];
        return out;
    }

    /** The coarse map (at {@code off} in {@code src}) on the fine grid: even spread, renormalised (the inverse of {@link #resample}'s block sums, as eval scores on the dataset's grid). */
    public static float[] spread(
            float[] src, int off, org.geomend.kernels.GridSpec coarse, org.geomend.kernels.GridSpec fine) {
        int fw = fine.width(), fh = fine.height();
        float[] out = new float[fw * fh];
        if (coarse.equals(fine)) {
            System.arraycopy(src, off, out, 0, out.length);
            return out;
        }
        int[] cell = new int[out.length];
        int[] count = new int[Math.toIntExact(coarse.pixels())];
        for (int r = 0; r < fh; r++) {
            int cr = (int) Math.floor((fine.centreY(r) - coarse.y0()) / coarse.resolution());
            for (int c = 0; c < fw; c++) {
                int cc = (int) Math.floor((fine.centreX(c) - coarse.x0()) / coarse.resolution());
                int q = cr < 0 || cr >= coarse.height() || cc < 0 || cc >= coarse.width()
                        ? -1
                        : cr * coarse.width() + cc;
                cell[r * fw + c] = q;
                if (q >= 0) count[q]++;
            }
        }
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            int q = cell[i];
            double v = q < 0 ? 0 : (double) src[off + q] / count[q];
            out[i] = (float) v;
            s += v;
        }
        if (!(s > 0))
            throw new java.io.UncheckedIOException(
                    new java.io.IOException(fine + ": the student's map has no mass on the dataset grid"));
        for (int i = 0; i < out.length; i++) out[i] = (float) (out[i] / s);
        return out;
    }
}
