package org.geomend.kernels.nn;

/**
 * The simplest correct float64 evaluation of every {@link NnKernels} operation, forward and backward, the L1 loss and
 * Adam, on flat NCHW {@code double[]} arrays, written straight from the definitions (loops over every term, no tiling,
 * no reordering): the yardstick every backend (Java, CUDA, cuDNN) is tested against, directly or by finite
 * differences through the forward operations. Slow; for small test tensors only.
 */
public final class NnReference {

    private NnReference() {}

    /** y[n,o,y,x] = b[o] + sum_{i,ky,kx} w[o,i,ky,kx] x[n,i,y+ky-p,x+kx-p] (0 outside), p = k/2. */
    public static double[] conv2dForward(
            double[] x, double[] w, double[] b, int n, int ci, int co, int h, int wd, int k) {
        int p = k / 2;
        double[] y = new double[n * co * h * wd];
        for (int img = 0; img < n; img++)
            for (int o = 0; o < co; o++)
                for (int r = 0; r < h; r++)
                    for (int c = 0; c < wd; c++) {
                        double s = b[o];
                        for (int i = 0; i < ci; i++)
                            for (int ky = 0; ky < k; ky++)
                                for (int kx = 0; kx < k; kx++) {
                                    int yy = r + ky - p, xx = c + kx - p;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                                    s += w[((o * ci + i) * k + ky) * k + kx] * x[((img * ci + i) * h + yy) * wd + xx];
                                }
                        y[((img * co + o) * h + r) * wd + c] = s;
                    }
        return y;
    }

    /** dx = d(sum dy * y)/dx: every forward term w * x[...] scattered back to its x element. */
    public static double[] conv2dBackwardData(double[] dy, double[] w, int n, int ci, int co, int h, int wd, int k) {
        int p = k / 2;
        double[] dx = new double[n * ci * h * wd];
        for (int img = 0; img < n; img++)
            for (int o = 0; o < co; o++)
                for (int r = 0; r < h; r++)
                    for (int c = 0; c < wd; c++) {
                        double g = dy[((img * co + o) * h + r) * wd + c];
                        for (int i = 0; i < ci; i++)
                            for (int ky = 0; ky < k; ky++)
                                for (int kx = 0; kx < k; kx++) {
                                    int yy = r + ky - p, xx = c + kx - p;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                                    dx[((img * ci + i) * h + yy) * wd + xx] += g * w[((o * ci + i) * k + ky) * k + kx];
                                }
                    }
        return dx;
    }

    /** {dw [co,ci,k,k], db [co]}: the weight and bias gradients of sum dy * y, summed over the batch. */
    public static double[][] conv2dBackwardFilter(
            double[] x, double[] dy, int n, int ci, int co, int h, int wd, int k) {
        int p = k / 2;
        double[] dw = new double[co * ci * k * k], db = new double[co];
        for (int img = 0; img < n; img++)
            for (int o = 0; o < co; o++)
                for (int r = 0; r < h; r++)
                    for (int c = 0; c < wd; c++) {
                        double g = dy[((img * co + o) * h + r) * wd + c];
                        db[o] += g;
                        for (int i = 0; i < ci; i++)
                            for (int ky = 0; ky < k; ky++)
                                for (int kx = 0; kx < k; kx++) {
                                    int yy = r + ky - p, xx = c + kx - p;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                                    dw[((o * ci + i) * k + ky) * k + kx] += g * x[((img * ci + i) * h + yy) * wd + xx];
                                }
                    }
        return new double[][] {dw, db};
    }

    public static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
        return y;
    }

    public static double[] reluBackward(double[] y, double[] dy) {
        double[] dx = new double[y.length];
        for (int i = 0; i < y.length; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
        return dx;
    }

    /** Row-major index (0..3) of the maximum of a 2 x 2 window; ties go to the first. */
    private static int argmax(double[] x, int base, int wd) {
        int[] off = {0, 1, wd, wd + 1};
        int best = 0;
        for (int t = 1; t < 4; t++) if (x[base + off[t]] > x[base + off[best]]) best = t;
        return best;
    }

    /** 2 x 2 max-pool of nc planes of h x wd (even). */
    public static double[] maxPool2(double[] x, int nc, int h, int wd) {
        int ho = h / 2, wo = wd / 2;
        double[] y = new double[nc * ho * wo];
        for (int pl = 0; pl < nc; pl++)
            for (int r = 0; r < ho; r++)
                for (int c = 0; c < wo; c++) {
                    int base = (pl * h + 2 * r) * wd + 2 * c;
                    int t = argmax(x, base, wd);
                    y[(pl * ho + r) * wo + c] = x[base + (t < 2 ? t : wd + t - 2)];
                }
        return y;
    }

    public static double[] maxPool2Backward(double[] x, double[] dy, int nc, int h, int wd) {
        int ho = h / 2, wo = wd / 2;
        double[] dx = new double[nc * h * wd];
        for (int pl = 0; pl < nc; pl++)
            for (int r = 0; r < ho; r++)
                for (int c = 0; c < wo; c++) {
                    int base = (pl * h + 2 * r) * wd + 2 * c;
                    int t = argmax(x, base, wd);
                    dx[base + (t < 2 ? t : wd + t - 2)] = dy[(pl * ho + r) * wo + c];
                }
        return dx;
    }

    /** Nearest-neighbour up-sampling by 2 of nc planes of h x wd. */
    public static double[] upsample2(double[] x, int nc, int h, int wd) {
        double[] y = new double[nc * 4 * h * wd];
        for (int pl = 0; pl < nc; pl++)
            for (int r = 0; r < 2 * h; r++)
                for (int c = 0; c < 2 * wd; c++) y[(pl * 2 * h + r) * 2 * wd + c] = x[(pl * h + r / 2) * wd + c / 2];
        return y;
    }

    public static double[] upsample2Backward(double[] dy, int nc, int h, int wd) {
        double[] dx = new double[nc * h * wd];
        for (int pl = 0; pl < nc; pl++)
            for (int r = 0; r < 2 * h; r++)
                for (int c = 0; c < 2 * wd; c++) dx[(pl * h + r / 2) * wd + c / 2] += dy[(pl * 2 * h + r) * 2 * wd + c];
        return dx;
    }

    /** a [n,ca,hw] and b [n,cb,hw] to [n,ca+cb,hw]. */
    public static double[] concat(double[] a, double[] b, int n, int ca, int cb, int hw) {
        double[] y = new double[n * (ca + cb) * hw];
        for (int img = 0; img < n; img++) {
            System.arraycopy(a, img * ca * hw, y, img * (ca + cb) * hw, ca * hw);
            System.arraycopy(b, img * cb * hw, y, (img * (ca + cb) + ca) * hw, cb * hw);
        }
        return y;
    }

    /** The inverse of {@link #concat}: {da, db}. */
    public static double[][] split(double[] dy, int n, int ca, int cb, int hw) {
        double[] da = new double[n * ca * hw], db = new double[n * cb * hw];
        for (int img = 0; img < n; img++) {
            System.arraycopy(dy, img * (ca + cb) * hw, da, img * ca * hw, ca * hw);
            System.arraycopy(dy, (img * (ca + cb) + ca) * hw, db, img * cb * hw, cb * hw);
        }
        return new double[][] {da, db};
    }

    /** sum(mask |pred - target|) / max(1, sum mask); writes sign(pred - target) mask / max(1, sum mask) to dPred. */
    public static double l1Loss(double[] pred, double[] target, double[] mask, double[] dPred) {
        double s = 0, m = 0;
        for (int i = 0; i < pred.length; i++) {
            s += mask[i] * Math.abs(pred[i] - target[i]);
            m += mask[i];
        }
        double d = Math.max(1, m);
        for (int i = 0; i < pred.length; i++) dPred[i] = Math.signum(pred[i] - target[i]) * mask[i] / d;
        return s / d;
    }

    /** One bias-corrected Adam step (Kingma and Ba, algorithm 1) in place; step counts from 1. */
    public static void adam(
            double[] p, double[] g, double[] m, double[] v, double lr, double b1, double b2, double eps, int step) {
        double c1 = 1 - Math.pow(b1, step), c2 = 1 - Math.pow(b2, step);
        for (int i = 0; i < p.length; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            p[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
        }
    }
}
