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

    public static double inverse(double t) { return t <= 0 ? FLOOR : Math.pow(10, -1.0 / t); }

    /**
     * The map of one network output: crops {@code w x h} at ({@code col0}, {@code row0}) out of the {@code pw}-wide
     * output starting at {@code off}, inverts the transform, zeroes pixels where {@code mask} (same crop layout,
     * may be null) is 0 and normalises to sum 1 (float64 sum). Returns the sum before normalisation.
     */
    public static double toMap(float[] out, int off, int pw, int col0, int row0, int w, int h, byte[] mask, float[] dst,
                               int dstOff) {
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
}
