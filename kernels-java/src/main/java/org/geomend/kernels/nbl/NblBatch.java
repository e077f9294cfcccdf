package org.geomend.kernels.nbl;

/**
 * A batch of records in CSR form: record {@code r} owns measurements {@code recStart[r] .. recStart[r+1]}.
 * Each measurement row names a cell index ({@code -1}: unknown to the map) and its RSRP, RSSI (dBm) and
 * PD (metres), NaN where not reported. Rows of the same cell must be adjacent inside a record (several
 * rows of one cell are several values of that cell, eq. 3). Arrays may be longer than used; reuse a batch
 * across calls with {@link #ensure}.
 */
public final class NblBatch {
    public int numRecords;
    public int[] recStart;
    public int[] cell;
    public float[] rsrp, rssi, ta;

    public NblBatch(int records, int rows) {
        recStart = new int[records + 1];
        cell = new int[rows];
        rsrp = new float[rows];
        rssi = new float[rows];
        ta = new float[rows];
    }

    /** Grows the arrays (keeping content) to hold at least this many records and rows. */
    public void ensure(int records, int rows) {
        if (recStart.length < records + 1)
            recStart = java.util.Arrays.copyOf(recStart, Math.max(records + 1, recStart.length * 2));
        if (cell.length < rows) {
            int n = Math.max(rows, cell.length * 2);
            cell = java.util.Arrays.copyOf(cell, n);
            rsrp = java.util.Arrays.copyOf(rsrp, n);
            rssi = java.util.Arrays.copyOf(rssi, n);
            ta = java.util.Arrays.copyOf(ta, n);
        }
    }

    public int numRows() {
        return recStart[numRecords];
    }
}
