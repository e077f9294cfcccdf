package org.geomend.kernels.nbl;

import java.util.Locale;

/**
 * The scoring choices of {@link NblModel}, one value each, so that every choice can be measured
 * ({@code nbl eval --ablation}). Map-building choices (sigma prior, deviation floor, zoom, multi-resolution
 * shrinkage) live with the map builder; these act on an existing map.
 *
 * @param density multiply by the tile's share of the training records P(l) (eq. 2)
 * @param miss factor of a reported cell without statistics in a candidate tile, per measurement type it
 *     reported; also the factor of a tile statistic built from no value of a type the record reports
 * @param rssi use the RSSI term P(Q|l) (eq. 5-6)
 * @param pd use the propagation-distance term P(P|l) (eq. 7) where the map holds f_PD
 * @param candidates {@link Candidates#ANY}: tiles where at least one reported cell has statistics;
 *     {@link Candidates#ALL}: tiles where every reported (known) cell has statistics, their union when no
 *     tile holds them all
 * @param densityPower the exponent of P(l) (1: the paper's prior)
 * @param temperature the exponent of the likelihood {@code P(R|l) P(Q|l) P(P|l)} (1: the paper; below 1
 *     flattens the weights, above sharpens them)
 * @param cutoff the weighted average and spread use only the candidates whose weight is at least {@code
 *     cutoff} times the best weight (0: every candidate, the paper; 1: the MLE tile and its exact ties)
 * @param laplace the RSRP / RSSI factor is the two-sided Laplace tail {@code exp(-sqrt(2) |z|)} of the same
 *     deviation (heavier-tailed than the Gaussian tail of eq. 4; the same floor {@link NblModel#TAIL_FLOOR})
 * @param power the weighted average, the mean shift and the spread weigh each candidate by its weight to
 *     this power (1: the weight itself; the MLE and the cutoff use the weight itself)
 * @param shift mean-shift radius in ground metres (0: off): starting at the weighted average (or the MLE
 *     tile, {@code shiftFromMle}), the estimate moves {@code shiftIters} times to the weighted average of the
 *     candidates within {@code shift} metres of it (stays where it is when none); the spread is then the
 *     weighted RMS distance of all candidates around that estimate
 * @param shiftIters mean-shift iterations, 1..20 (with {@code shift > 0})
 * @param shiftFromMle the mean shift starts at the MLE tile (false: at the weighted average)
 * @param shiftRelative the mean-shift radius is {@code shift} times the record's spread about the weighted
 *     average (false: {@code shift} metres)
 */
public record NblOptions(
        boolean density,
        double miss,
        boolean rssi,
        boolean pd,
        Candidates candidates,
        double densityPower,
        double temperature,
        double cutoff,
        boolean laplace,
        double power,
        double shift,
        int shiftIters,
        boolean shiftFromMle,
        boolean shiftRelative)
        implements java.io.Serializable {

    /** Which tiles a record is scored on. */
    public enum Candidates {
        ANY,
        ALL
    }

    public NblOptions {
        if (!(miss > 0 && miss <= 1))
            throw new IllegalArgumentException("missing-statistics weight must be in (0, 1], got " + miss);
        if (candidates == null) throw new IllegalArgumentException("candidate rule must be any or all");
        if (!(densityPower >= 0 && densityPower <= 10))
            throw new IllegalArgumentException("density power must be in [0, 10], got " + densityPower);
        if (!(temperature > 0 && temperature <= 10))
            throw new IllegalArgumentException("likelihood temperature must be in (0, 10], got " + temperature);
        if (!(cutoff >= 0 && cutoff <= 1))
            throw new IllegalArgumentException("weight cutoff must be in [0, 1], got " + cutoff);
        if (!(power > 0 && power <= 10))
            throw new IllegalArgumentException("weight power must be in (0, 10], got " + power);
        if (!(shift >= 0 && shift <= (shiftRelative ? 100 : 100_000)))
            throw new IllegalArgumentException("mean-shift radius must be in [0, "
                    + (shiftRelative ? "100] spreads" : "100000] m") + ", got " + shift);
        if (shift > 0 && (shiftIters < 1 || shiftIters > 20))
            throw new IllegalArgumentException("mean-shift iterations must be in 1..20, got " + shiftIters);
    }

    public NblOptions(boolean density, double miss, boolean rssi, boolean pd, Candidates candidates) {
        this(density, miss, rssi, pd, candidates, 1, 1, 0, false, 1, 0, 1, false, false);
    }

    /** The defaults before issue 16: union of the cells' tiles, 1e-3, RSSI and PD terms, P(l). */
    public static final NblOptions LEGACY = new NblOptions(true, 1e-3, true, true, Candidates.ANY);

    /**
     * The plain recipe of issue 16 (the paper's equations as a direct implementation reads them): tiles
     * holding every reported cell (union when empty), 1e-6 for a cell without statistics, no RSSI term.
     * The 1 dB deviation floor without a sigma prior is the map side of it.
     */
    public static final NblOptions PLAIN = new NblOptions(true, 1e-6, false, true, Candidates.ALL);

    /**
     * The defaults, chosen by the grouped ablation of issue 16 (bench/results/2026-12-07-nbl-ablation, rounds
     * 2 and 4): the plain recipe with the RSSI term, the Laplace tail, weights to the power 0.8 and a mean
     * shift of 250 m, 10 iterations from the weighted average (the map side: deviation floor 2 dB, zoom 21).
     */
    public static final NblOptions DEFAULT =
            PLAIN.withRssi(true).withLaplace(true).withPower(0.8).withShift(250, 10, false);

    public NblOptions withDensity(boolean d) {
        return new NblOptions(
                d,
                miss,
                rssi,
                pd,
                candidates,
                densityPower,
                temperature,
                cutoff,
                laplace,
                power,
                shift,
                shiftIters,
                shiftFromMle,
                shiftRelative);
    }

    public NblOptions withMiss(double m) {
        return new NblOptions(
                density,
                m,
                rssi,
                pd,
                candidates,
                densityPower,
                temperature,
                cutoff,
                laplace,
                power,
                shift,
                shiftIters,
                shiftFromMle,
                shiftRelative);
    }

    public NblOptions withRssi(boolean q) {
        return new NblOptions(
                density,
                miss,
                q,
                pd,
                candidates,
                densityPower,
                temperature,
                cutoff,
                laplace,
                power,
                shift,
                shiftIters,
                shiftFromMle,
                shiftRelative);
    }

    public NblOptions withPd(boolean p) {
        return new NblOptions(
                density,
                miss,
                rssi,
                p,
                candidates,
                densityPower,
                temperature,
                cutoff,
                laplace,
                power,
                shift,
                shiftIters,
                shiftFromMle,
                shiftRelative);
    }

    public NblOptions withCandidates(Candidates c) {
        return new NblOptions(
                density,
                miss,
                rssi,
                pd,
                c,
                densityPower,
                temperature,
                cutoff,
                laplace,
                power,
                shift,
                shiftIters,
                shiftFromMle,
                shiftRelative);
    }

    public NblOptions withDensityPower(double a) {
        return new NblOptions(
                density,
                miss,
                rssi,
                pd,
                candidates,
                a,
                temperature,
                cutoff,
                laplace,
                power,
                shift,
                shiftIters,
                shiftFromMle,
                shiftRelative);
    }

    public NblOptions withTemperature(double t) {
        return new NblOptions(
                density,
                miss,
                rssi,
                pd,
                candidates,
                densityPower,
                t,
                cutoff,
                laplace,
                power,
                shift,
                shiftIters,
                shiftFromMle,
                shiftRelative);
    }

    public NblOptions withCutoff(double c) {
        return new NblOptions(
                density,
                miss,
                rssi,
                pd,
                candidates,
                densityPower,
                temperature,
                c,
                laplace,
                power,
                shift,
                shiftIters,
                shiftFromMle,
                shiftRelative);
    }

    public NblOptions withLaplace(boolean l) {
        return new NblOptions(
                density,
                miss,
                rssi,
                pd,
                candidates,
                densityPower,
                temperature,
                cutoff,
                l,
                power,
                shift,
                shiftIters,
                shiftFromMle,
                shiftRelative);
    }

    public NblOptions withPower(double p) {
        return new NblOptions(
                density,
                miss,
                rssi,
                pd,
                candidates,
                densityPower,
                temperature,
                cutoff,
                laplace,
                p,
                shift,
                shiftIters,
                shiftFromMle,
                shiftRelative);
    }

    /** Mean shift of radius r metres, n iterations, from the MLE tile or the weighted average (r 0: off). */
    public NblOptions withShift(double r, int n, boolean fromMle) {
        return new NblOptions(
                density,
                miss,
                rssi,
                pd,
                candidates,
                densityPower,
                temperature,
                cutoff,
                laplace,
                power,
                r,
                n,
                fromMle,
                false);
    }

    /** Mean shift of radius k times the record's spread, n iterations, from the weighted average. */
    public NblOptions withRelativeShift(double k, int n) {
        return new NblOptions(
                density,
                miss,
                rssi,
                pd,
                candidates,
                densityPower,
                temperature,
                cutoff,
                laplace,
                power,
                k,
                n,
                false,
                true);
    }

    /** Parses {@code any|all}. */
    public static Candidates candidates(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "any" -> Candidates.ANY;
            case "all" -> Candidates.ALL;
            default -> throw new IllegalArgumentException("unknown candidate rule '" + s + "' (any, all)");
        };
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "candidates=%s miss=%s rssi=%s pd=%s density=%s^%s temperature=%s cutoff=%s tail=%s%s",
                candidates.name().toLowerCase(Locale.ROOT),
                num(miss),
                rssi ? "on" : "off",
                pd ? "on" : "off",
                density ? "on" : "off",
                num(densityPower),
                num(temperature),
                num(cutoff),
                laplace ? "laplace" : "gauss",
                (power != 1 ? " power=" + num(power) : "")
                        + (shift > 0
                                ? " shift=" + num(shift) + "m x" + shiftIters
                                        + (shiftFromMle ? " from mle" : " from wa")
                                : ""));
    }

    /** A number in its shortest form (1e-06, 0.5, 2). */
    public static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
