package org.geomend.kernels.nbl;

/**
 * Estimates per record, Web Mercator metres: the MLE (best tile centre) and the weighted average, NaN
 * when the record could not be placed; {@code candidates} tiles weighted (0: not placed); {@code spread}
 * the uncertainty radius in ground metres: the weighted RMS distance of the candidate tiles' centres
 * around the weighted average, {@code sqrt(sum w |l - wa|^2 / sum w)}, times cos(latitude) of the MLE
 * tile (NaN when not placed, 0 with one candidate).
 */
public final class NblResult {
    public double[] mleX, mleY, waX, waY, spread;
    public int[] candidates;

    public NblResult(int records) {
        mleX = new double[records];
        mleY = new double[records];
        waX = new double[records];
        waY = new double[records];
        spread = new double[records];
        candidates = new int[records];
    }

    public void ensure(int records) {
        if (mleX.length < records) {
            int n = Math.max(records, mleX.length * 2);
            mleX = new double[n];
            mleY = new double[n];
            waX = new double[n];
            waY = new double[n];
            spread = new double[n];
            candidates = new int[n];
        }
    }
}
