package org.geomend.nbl;

import java.util.Map;
import org.geomend.kernels.nbl.NblBatch;

/**
 * Records of the measurement format turned into a kernel batch against one map: cell ids resolved to
 * map indices ({@code -1} unknown), rows of a cell made adjacent, plus what the kernel does not need:
 * record ids, the truth (first row's lat/lon, NaN when absent), the serving cell (the record's first
 * row) and the number of distinct cells reported.
 */
public final class RecordBatch {
    public final NblBatch b;
    public String[] ids;
    public double[] truthLat, truthLon;
    public int[] serving, cellsInRecord;
    private final Map<String, Integer> index;
    private int rows;

    public RecordBatch(Map<String, Integer> cellIndex, int records) {
        this.index = cellIndex;
        b = new NblBatch(records, records * 3);
        ids = new String[records];
        truthLat = new double[records];
        truthLon = new double[records];
        serving = new int[records];
        cellsInRecord = new int[records];
    }

    public int size() {
        return b.numRecords;
    }

    public void clear() {
        b.numRecords = 0;
        rows = 0;
        b.recStart[0] = 0;
    }

    private String openId;
    private int openStart;

    /** Adds one row; rows of a record must come together, {@link #endRecord()} closes it. */
    public void row(String record, double lat, double lon, String cell, double rsrp, double rssi, double ta) {
        if (openId == null) {
            int r = b.numRecords;
            if (r + 1 >= ids.length) grow();
            openId = record;
            openStart = rows;
            ids[r] = record;
            truthLat[r] = lat;
            truthLon[r] = lon;
        }
        b.ensure(b.numRecords + 1, rows + 1);
        Integer c = index.get(cell);
        int ci = c == null ? -1 : c;
        if (rows == openStart) serving[b.numRecords] = ci;
        // insertion keeps rows of the record sorted by cell index (stable)
        int p = rows;
        while (p > openStart && b.cell[p - 1] > ci) {
            b.cell[p] = b.cell[p - 1];
            b.rsrp[p] = b.rsrp[p - 1];
            b.rssi[p] = b.rssi[p - 1];
            b.ta[p] = b.ta[p - 1];
            p--;
        }
        b.cell[p] = ci;
        b.rsrp[p] = (float) rsrp;
        b.rssi[p] = (float) rssi;
        b.ta[p] = (float) ta;
        rows++;
        // distinct cell ids of the record (records hold a few cells: a linear scan, no allocation)
        boolean fresh = true;
        for (int k = 0; k < nKeys && fresh; k++) fresh = !cellKeys[k].equals(cell);
        if (fresh) {
            if (nKeys == cellKeys.length) cellKeys = java.util.Arrays.copyOf(cellKeys, nKeys * 2);
            cellKeys[nKeys++] = cell;
        }
    }

    private String[] cellKeys = new String[8];
    private int nKeys;

    public String openRecord() {
        return openId;
    }

    public void endRecord() {
        if (openId == null) return;
        int r = b.numRecords;
        cellsInRecord[r] = nKeys;
        java.util.Arrays.fill(cellKeys, 0, nKeys, null);
        nKeys = 0;
        b.numRecords = r + 1;
        b.recStart[r + 1] = rows;
        openId = null;
    }

    private void grow() {
        int n = ids.length * 2;
        ids = java.util.Arrays.copyOf(ids, n);
        truthLat = java.util.Arrays.copyOf(truthLat, n);
        truthLon = java.util.Arrays.copyOf(truthLon, n);
        serving = java.util.Arrays.copyOf(serving, n);
        cellsInRecord = java.util.Arrays.copyOf(cellsInRecord, n);
        b.ensure(n, rows + 1);
    }
}
