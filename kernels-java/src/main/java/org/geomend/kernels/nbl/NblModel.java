package org.geomend.kernels.nbl;

/**
 * The scoring rules every {@link NblScoring} implementation follows, with the weight of a candidate tile
 * {@code d(l) = P(R|l) P(Q|l) P(P|l) P(l)} (paper eq. 2):
 * <ul>
 * <li>{@code P(r|l) = max(2 P(N > |mu - r| / sigma), TAIL_FLOOR)} (eq. 4, 6); a cell's factor is the mean
 * over its reported values (eq. 3, 5; eq. 5 divides by |Q_i|, the paper's |R_i| is a typo).</li>
 * <li>Candidates ({@link NblOptions#candidates}): {@code ALL} (default) the tiles where every reported
 * known cell has statistics, their union when there is none; {@code ANY} the tiles where at least one has.
 * A reported cell without statistics in a candidate tile contributes {@link NblOptions#miss} per
 * measurement type it reported (RSRP, RSSI), so a record whose cells never share a tile is still
 * placed.</li>
 * <li>A cell the map does not know at all is ignored; a record with no known cell cannot be placed.</li>
 * <li>A measurement type a cell did not report contributes 1; a tile statistic built from no value of a
 * type (e.g. RSSI never seen there) counts as the miss weight when the record reports that type; the
 * RSSI and PD terms can be switched off.</li>
 * <li>{@code P(P|l)}: mean over the cell's reported PDs of {@code f_PD(dist(cell, l) - p)} (eq. 7), only
 * for cells with a position and when the map holds f_PD; values out of the table read
 * {@code fpdFloor}.</li>
 * <li>{@code P(l)}: the tile's share of the training records, or 1 without the density; the weight is
 * {@code P(l)^densityPower (P(R|l) P(Q|l) P(P|l))^temperature} (both exponents 1 by default).</li>
 * </ul>
 * Weights are products in double precision: every factor is at least 1e-7 (the miss weight at least
 * {@link NblOptions#miss}), so they stay far from underflow for records of up to 12 cells. A record whose
 * weights all underflow (about 25 cells without a shared tile at miss 1e-6 with RSSI) is placed on its
 * first candidate (lowest tile index) by every backend.
 *
 * <p>The choices (candidate rule, miss weight, RSSI / PD / density on or off, density power, likelihood
 * temperature) are {@link NblOptions}; the defaults there were picked by the grouped ablation of issue 16.
 */
public final class NblModel {

    private NblModel() {}

    /** Lower bound of the Gaussian two-sided tail probability (about |z| = 4.9). */
    public static final double TAIL_FLOOR = 1e-6;

    /** Earth radius of Web Mercator (EPSG:3857), metres. */
    public static final double R = 6378137.0;

    /**
     * Ground distance in metres between a tile centre and a point, both in Web Mercator metres, with
     * {@code scale = cos(latitude of the tile)}: accurate to well under 1% within tens of kilometres.
     */
    public static double distance(double tx, double ty, double scale, double px, double py) {
        double dx = tx - px, dy = ty - py;
        return Math.sqrt(dx * dx + dy * dy) * scale;
    }

    /** Float64 complementary error function (series below 3, continued fraction above; rel. error ~1e-13). */
    public static double erfc(double x) {
        if (x < 0) return 2 - erfc(-x);
        if (x < 3) {
            // erf by its Taylor series
            double sum = 0, term = x, x2 = x * x;
            for (int n = 0; n < 200; n++) {
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
                term *= -x2 / (n + 1);
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        // continued fraction (modified Lentz) for erfc: exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
        double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 500; n++) {
            double a = n / 2.0;
            d = x + a * d;
            if (d == 0) d = tiny;
            c = x + a / c;
            if (c == 0) c = tiny;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    /**
     * {@code max(exp(-sqrt(2) |z|), TAIL_FLOOR)}: the two-sided tail probability of a Laplace law with unit
     * deviation ({@link NblOptions#laplace}).
     */
    public static double laplaceTail(double z) {
        return Math.max(Math.exp(-Math.sqrt(2) * Math.abs(z)), TAIL_FLOOR);
    }

    /** {@code max(2 P(N > |z|), TAIL_FLOOR)} in float64. */
    public static double tail(double z) {
        return Math.max(erfc(Math.abs(z) / Math.sqrt(2)), TAIL_FLOOR);
    }
}
