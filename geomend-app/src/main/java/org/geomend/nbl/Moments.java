package org.geomend.nbl;

/**
 * Streaming mean and variance: Welford updates and Chan et al.'s pairwise merge, so partial aggregates
 * built on different threads or files combine exactly as if one pass had seen every value.
 * The struct-of-arrays variants work on slot {@code i} of {@code n, mean, m2} arrays.
 */
public final class Moments {
    public long n;
    public double mean, m2;

    public void add(double x) {
        n++;
        double d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
    }

    public void merge(Moments o) {
        if (o.n == 0) return;
        if (n == 0) {
            n = o.n;
            mean = o.mean;
            m2 = o.m2;
            return;
        }
        long t = n + o.n;
        double d = o.mean - mean;
        mean += d * o.n / t;
        m2 += o.m2 + d * d * ((double) n * o.n / t);
        n = t;
    }

    /** Sample standard deviation (n - 1), NaN below 2 values. */
    public double sd() {
        return n < 2 ? Double.NaN : Math.sqrt(m2 / (n - 1));
    }

    static void add(long[] n, double[] mean, double[] m2, int i, double x) {
        long k = ++n[i];
        double d = x - mean[i];
        mean[i] += d / k;
        m2[i] += d * (x - mean[i]);
    }

    static void merge(long[] n, double[] mean, double[] m2, int i, long on, double omean, double om2) {
        if (on == 0) return;
        long a = n[i];
        if (a == 0) {
            n[i] = on;
            mean[i] = omean;
            m2[i] = om2;
            return;
        }
        long t = a + on;
        double d = omean - mean[i];
        mean[i] += d * on / t;
        m2[i] += om2 + d * d * ((double) a * on / t);
        n[i] = t;
    }

    /** Prior sigma (dB) the few-sample floor shrinks towards, and its weight in pseudo-samples. */
    public static final double SIGMA_PRIOR = 6.0, PRIOR_WEIGHT = 2.0, SIGMA_MIN = 1.0;

    /**
     * The sigma stored in a map for n values with sum of squared deviations m2: the sample variance
     * shrunk towards {@link #SIGMA_PRIOR}^2 with {@link #PRIOR_WEIGHT} pseudo-samples,
     * {@code sqrt(((n-1) s^2 + k sigma0^2) / (n - 1 + k))}, and at least {@link #SIGMA_MIN} dB. One sample
     * gets 6 dB, many samples get their own spread; a tile where every sample read the same value (common
     * with integer dBm) does not become infinitely sharp.
     */
    public static double sigmaFloor(long n, double m2) {
        return sigma(n, m2, PRIOR_WEIGHT, SIGMA_PRIOR, SIGMA_MIN);
    }

    /**
     * {@code max(sqrt((m2 + k sigma0^2) / (n - 1 + k)), floor)} (0 under the root when n <= 1 and k = 0):
     * the sigma of n values shrunk towards {@code sigma0} with {@code k} pseudo-samples, floored.
     */
    public static double sigma(double n, double m2, double k, double sigma0, double floor) {
        double df = Math.max(0, n - 1);
        double v = df + k > 0 ? (m2 + k * sigma0 * sigma0) / (df + k) : 0;
        return Math.max(Math.sqrt(v), floor);
    }
}
