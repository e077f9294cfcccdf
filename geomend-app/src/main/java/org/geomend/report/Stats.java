package org.geomend.report;

import java.util.Arrays;

/** Summary statistics of a sample of KS2 values (NaN values ignored). */
public record Stats(
        int n, double median, double mean, double std, double p25, double p75, double p05, double p95, double above06) {

    /** std is the sample standard deviation (n - 1), 0 for one value; quantiles by linear interpolation. */
    public static Stats of(double[] values) {
        double[] a =
                Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        int n = a.length;
        if (n == 0)
            return new Stats(
                    0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        double mean = 0;
        for (double v : a) mean += v;
        mean /= n;
        double ss = 0;
        int over = 0;
        for (double v : a) {
            ss += (v - mean) * (v - mean);
            if (v > 0.6) over++;
        }
        double std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
        return new Stats(
                n,
                quantile(a, 0.5),
                mean,
                std,
                quantile(a, 0.25),
                quantile(a, 0.75),
                quantile(a, 0.05),
                quantile(a, 0.95),
                (double) over / n);
    }

    /** Quantile of sorted values, linear interpolation between order statistics (the median of an even count is the mean of the middle two). */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h), hi = (int) Math.ceil(h);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Median of the values (a sorted copy; the mean of the middle two for an even count), NaN for none. */
    public static double median(double[] values) {
        if (values.length == 0) return Double.NaN;
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
