package org.geomend.kernels.nbl;

/**
 * Estimates per record, Web Mercator metres: the MLE (best tile centre) and the weighted average, NaN
 * when the record could not be placed; {@code candidates} tiles weighted (0: not placed).
 */
public final class NblResult {
    public double[] mleX, mleY, waX, waY;
    public int[] candidates;

    public NblResult(int records) {
        mleX = new double[records];
        mleY = new double[records];
        waX = new double[records];
        waY = new double[records];
        candidates = new int[records];
    }

    public void ensure(int records) {
        if (mleX.length < records) {
            int n = Math.max(records, mleX.length * 2);
            mleX = new double[n];
            mleY = new double[n];
            waX = new double[n];
            waY = new double[n];
            candidates = new int[n];
        }
    }
}
