package org.geomend.kernels.nn;

/**
 * Naive float64 definitions of the {@link NnKernels} forward operations (and Adam), on flat row-major arrays:
 * the yardstick the backends are tested against (forward directly, backward by finite differences through these).
 */
public final class NnReference {

    private NnReference() {}

    /** Same-padded stride-1 convolution: x [n,ci,h,w], wt [co,ci,k,k], b [co] to [n,co,h,w]. */
    public static double[] conv2d(double[] x, int n, int ci, int h, int w, double[] wt, int co, int k, double[] b) {
        int p = k / 2;
        double[] y = new double[n * co * h * w];
        for (int img = 0; img < n; img++)
            for (int o = 0; o < co; o++)
                for (int r = 0; r < h; r++)
                    for (int c = 0; c < w; c++) {
                        double s = b[o];
                        for (int i = 0; i < ci; i++)
                            for (int kh = 0; kh < k; kh++)
                                for (int kw = 0; kw < k; kw++) {
                                    int rr = r + kh - p, cc = c + kw - p;
                                    if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
                                    s += wt[((o * ci + i) * k + kh) * k + kw] * x[((img * ci + i) * h + rr) * w + cc];
                                }
                        y[((img * co + o) * h + r) * w + c] = s;
                    }
        return y;
    }

    public static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.max(x[i], 0);
        return y;
    }

    /** 2 x 2 max-pool of {@code planes} planes of h x w. */
    public static double[] maxPool2(double[] x, int planes, int h, int w) {
        double[] y = new double[planes * (h / 2) * (w / 2)];
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < h / 2; r++)
                for (int c = 0; c < w / 2; c++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int a = 0; a < 2; a++)
                        for (int b = 0; b < 2; b++) m = Math.max(m, x[(p * h + 2 * r + a) * w + 2 * c + b]);
                    y[(p * (h / 2) + r) * (w / 2) + c] = m;
                }
        return y;
    }

    /** Nearest-neighbour up-sampling by 2 of {@code planes} planes of h x w. */
    public static double[] upsample2(double[] x, int planes, int h, int w) {
        double[] y = new double[planes * 4 * h * w];
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < 2 * h; r++)
                for (int c = 0; c < 2 * w; c++) y[(p * 2 * h + r) * 2 * w + c] = x[(p * h + r / 2) * w + c / 2];
        return y;
    }

    /** Channel concatenation of a [n,ca,hw] and b [n,cb,hw]. */
    public static double[] concat(double[] a, int ca, double[] b, int cb, int n, int hw) {
        double[] y = new double[n * (ca + cb) * hw];
        for (int img = 0; img < n; img++) {
            System.arraycopy(a, img * ca * hw, y, img * (ca + cb) * hw, ca * hw);
            System.arraycopy(b, img * cb * hw, y, img * (ca + cb) * hw + ca * hw, cb * hw);
        }
        return y;
    }

    /** {@code sum(mask |pred - target|) / max(1, sum(mask))}. */
    public static double l1Loss(double[] pred, double[] target, double[] mask) {
        double s = 0, m = 0;
        for (int i = 0; i < pred.length; i++) { s += mask[i] * Math.abs(pred[i] - target[i]); m += mask[i]; }
        return s / Math.max(1, m);
    }

    /** One bias-corrected Adam step in float64, in place on {@code p}, {@code m}, {@code v}. */
    public static void adam(double[] p, double[] g, double[] m, double[] v, double lr, double b1, double b2, double eps,
                            int step) {
        for (int i = 0; i < p.length; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            double mh = m[i] / (1 - Math.pow(b1, step)), vh = v[i] / (1 - Math.pow(b2, step));
            p[i] -= lr * mh / (Math.sqrt(vh) + eps);
        }
    }
}
