package org.geomend.nbl;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.geomend.io.InputException;
import org.geomend.kernels.nbl.NblMapArrays;

/**
 * An NBL coverage map (paper IV-B): for each (cell, tile) with training samples, count, mean and sigma
 * of RSRP and RSSI; per tile the training record count (P(l)); per cell its position (given or
 * estimated), the centroid and the coverage range of its training samples (cell-ID baseline and the
 * localization uncertainty); the empirical PD error density f_PD when the data held PDs.
 * Entries are grouped by cell, tiles ascending inside a cell. Binary file, magic {@code NBLMAP01}.
 */
public final class NblMap {
    static final long MAGIC = 0x4E424C4D41503031L; // "NBLMAP01"

    public int zoom;
    public String[] cellIds;
    /** Position used for PD (NaN: unknown). */
    public double[] cellLat, cellLon;
    public boolean positionsEstimated;
    public double[] centroidLat, centroidLon, rangeM;
    public long[] cellSamples;
    public long[] tileKeys;
    public long[] tileCount;
    public long totalRecords;
    public int[] cellStart, entTile, entNR, entNQ;
    public float[] entMuR, entSdR, entMuQ, entSdQ;
    public float[] fpd;
    public double fpdMin, fpdBin, fpdFloor;
    public long fpdSamples;

    private Map<String, Integer> index;
    private NblMapArrays arrays;

    public int numCells() { return cellIds.length; }

    public int numTiles() { return tileKeys.length; }

    public int numEntries() { return entTile.length; }

    public synchronized Map<String, Integer> cellIndex() {
        if (index == null) {
            index = new HashMap<>(cellIds.length * 2);
            for (int i = 0; i < cellIds.length; i++) index.put(cellIds[i], i);
        }
        return index;
    }

    /** The kernel view (Web Mercator tile centres, inverse sigmas, P(l) as record share). */
    public synchronized NblMapArrays arrays() {
        if (arrays != null) return arrays;
        int nt = numTiles();
        double[] tx = new double[nt], ty = new double[nt];
        float[] sc = new float[nt], dens = new float[nt];
        double n = 1 << zoom;
        for (int t = 0; t < nt; t++) {
            int x = Tiles.keyX(tileKeys[t]), y = Tiles.keyY(tileKeys[t]);
            tx[t] = ((x + 0.5) / n * 2 - 1) * Math.PI * Tiles.R;
            ty[t] = (1 - (y + 0.5) / n * 2) * Math.PI * Tiles.R;
            sc[t] = (float) Math.cos(Math.toRadians(Tiles.latOf(y + 0.5, zoom)));
            dens[t] = (float) ((double) tileCount[t] / Math.max(1, totalRecords));
        }
        int ne = numEntries();
        float[] ir = new float[ne], iq = new float[ne];
        for (int e = 0; e < ne; e++) {
            ir[e] = 1 / entSdR[e];
            iq[e] = 1 / entSdQ[e];
        }
        int nc = numCells();
        double[] cx = new double[nc], cy = new double[nc];
        for (int c = 0; c < nc; c++) {
            cx[c] = Double.isNaN(cellLon[c]) ? Double.NaN : Tiles.mercX(cellLon[c]);
            cy[c] = Double.isNaN(cellLat[c]) ? Double.NaN : Tiles.mercY(cellLat[c]);
        }
        arrays = new NblMapArrays(cellStart, entTile, entMuR, ir, entMuQ, iq, tx, ty, sc, dens, cx, cy,
                fpd, fpdMin, fpdBin, fpdFloor);
        return arrays;
    }

    public void write(Path target) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        if (target.toAbsolutePath().getParent() != null) Files.createDirectories(target.toAbsolutePath().getParent());
        try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            o.writeLong(MAGIC);
            o.writeInt(zoom);
            o.writeLong(totalRecords);
            o.writeBoolean(positionsEstimated);
            o.writeInt(numCells());
            for (int c = 0; c < numCells(); c++) {
                o.writeUTF(cellIds[c]);
                o.writeDouble(cellLat[c]);
                o.writeDouble(cellLon[c]);
                o.writeDouble(centroidLat[c]);
                o.writeDouble(centroidLon[c]);
                o.writeDouble(rangeM[c]);
                o.writeLong(cellSamples[c]);
                o.writeInt(cellStart[c + 1] - cellStart[c]);
            }
            o.writeInt(numTiles());
            for (int t = 0; t < numTiles(); t++) {
                o.writeLong(tileKeys[t]);
                o.writeLong(tileCount[t]);
            }
            o.writeInt(numEntries());
            for (int e = 0; e < numEntries(); e++) {
                o.writeInt(entTile[e]);
                o.writeInt(entNR[e]);
                o.writeFloat(entMuR[e]);
                o.writeFloat(entSdR[e]);
                o.writeInt(entNQ[e]);
                o.writeFloat(entMuQ[e]);
                o.writeFloat(entSdQ[e]);
            }
            o.writeInt(fpd == null ? -1 : fpd.length);
            if (fpd != null) {
                o.writeDouble(fpdMin);
                o.writeDouble(fpdBin);
                o.writeDouble(fpdFloor);
                o.writeLong(fpdSamples);
                for (float v : fpd) o.writeFloat(v);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The per-cell position arrays (positions, centroids, range, samples) for {@code nc} cells. */
    void allocateCells(int nc) {
        cellLat = new double[nc];
        cellLon = new double[nc];
        centroidLat = new double[nc];
        centroidLon = new double[nc];
        rangeM = new double[nc];
        cellSamples = new long[nc];
    }

    /** The per-(cell, tile) entry arrays for {@code ne} entries. */
    void allocateEntries(int ne) {
        entTile = new int[ne];
        entNR = new int[ne];
        entNQ = new int[ne];
        entMuR = new float[ne];
        entSdR = new float[ne];
        entMuQ = new float[ne];
        entSdQ = new float[ne];
    }

    public static NblMap read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readLong() != MAGIC) throw new InputException(file, 1, "not an NBL map (bad magic)");
            NblMap m = new NblMap();
            m.zoom = in.readInt();
            m.totalRecords = in.readLong();
            m.positionsEstimated = in.readBoolean();
            int nc = in.readInt();
            m.cellIds = new String[nc];
            m.cellStart = new int[nc + 1];
            m.allocateCells(nc);
            for (int c = 0; c < nc; c++) {
                m.cellIds[c] = in.readUTF();
                m.cellLat[c] = in.readDouble();
                m.cellLon[c] = in.readDouble();
                m.centroidLat[c] = in.readDouble();
                m.centroidLon[c] = in.readDouble();
                m.rangeM[c] = in.readDouble();
                m.cellSamples[c] = in.readLong();
                m.cellStart[c + 1] = m.cellStart[c] + in.readInt();
            }
            int nt = in.readInt();
            m.tileKeys = new long[nt];
            m.tileCount = new long[nt];
            for (int t = 0; t < nt; t++) {
                m.tileKeys[t] = in.readLong();
                m.tileCount[t] = in.readLong();
            }
            int ne = in.readInt();
            m.allocateEntries(ne);
            for (int e = 0; e < ne; e++) {
                m.entTile[e] = in.readInt();
                m.entNR[e] = in.readInt();
                m.entMuR[e] = in.readFloat();
                m.entSdR[e] = in.readFloat();
                m.entNQ[e] = in.readInt();
                m.entMuQ[e] = in.readFloat();
                m.entSdQ[e] = in.readFloat();
            }
            int nf = in.readInt();
            if (nf >= 0) {
                m.fpdMin = in.readDouble();
                m.fpdBin = in.readDouble();
                m.fpdFloor = in.readDouble();
                m.fpdSamples = in.readLong();
                m.fpd = new float[nf];
                for (int i = 0; i < nf; i++) m.fpd[i] = in.readFloat();
            }
            return m;
        } catch (java.io.EOFException e) {
            throw new InputException(file, 1, "truncated NBL map");
        }
    }
}
