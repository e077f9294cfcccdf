package org.geomend.nbl;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.geomend.io.AtomicFiles;
import org.geomend.io.InputException;
import org.geomend.kernels.nbl.NblMapArrays;

/**
 * An NBL coverage map (paper IV-B): for each (cell, tile) with training samples, count, mean and sigma
 * of RSRP and RSSI; per tile the training record count (P(l)); per cell its position (given or
 * estimated), the centroid and the coverage range of its training samples (cell-ID baseline and the
 * localization uncertainty); the empirical PD error density f_PD when the data held PDs.
 * Entries are grouped by cell, tiles ascending inside a cell. Binary file, magic {@code NBLMAP01}.
 *
 * <p>Immutable: built only by {@link MapBuilder} and {@link #read}, which hand over arrays nobody else holds;
 * accessors return single values or copies. The kernel view {@link #arrays()} and the cell index are
 * computed once, in the constructor, from copies of the map's arrays (changing the view does not change the
 * map).
 */
public final class NblMap {
    static final long MAGIC = 0x4E424C4D41503031L; // "NBLMAP01"

    /** Per cell: id, position used for PD (NaN: unknown), centroid and range of its samples, sample count. */
    record CellTable(
            String[] ids,
            double[] lat,
            double[] lon,
            double[] centroidLat,
            double[] centroidLon,
            double[] rangeM,
            long[] samples) {
        static CellTable allocate(int nc) {
            return new CellTable(
                    new String[nc],
                    new double[nc],
                    new double[nc],
                    new double[nc],
                    new double[nc],
                    new double[nc],
                    new long[nc]);
        }
    }

    /** Per (cell, tile) entry, grouped by cell ({@code cellStart}, one more than cells): tile index and statistics. */
    record EntryTable(
            int[] cellStart, int[] tile, int[] nR, float[] muR, float[] sdR, int[] nQ, float[] muQ, float[] sdQ) {
        static EntryTable allocate(int nc, int ne) {
            return new EntryTable(
                    new int[nc + 1],
                    new int[ne],
                    new int[ne],
                    new float[ne],
                    new float[ne],
                    new int[ne],
                    new float[ne],
                    new float[ne]);
        }
    }

    /** The empirical PD error density: {@code density[k]} per metre on {@code [min + k bin, min + (k + 1) bin)}. */
    record Fpd(float[] density, double min, double bin, double floor, long samples) {}

    private final int zoom;
    private final long totalRecords;
    private final boolean positionsEstimated;
    private final CellTable cells;
    private final long[] tileKeys, tileCount;
    private final EntryTable ent;
    private final Fpd fpd; // null: no PD in the training data
    private final Map<String, Integer> index;
    private final NblMapArrays arrays;

    /** Takes ownership of the arrays (callers build them fresh and drop them). */
    NblMap(
            int zoom,
            long totalRecords,
            boolean positionsEstimated,
            CellTable cells,
            long[] tileKeys,
            long[] tileCount,
            EntryTable ent,
            Fpd fpd) {
        int nc = cells.ids().length, nt = tileKeys.length, ne = ent.tile().length;
        if (ent.cellStart().length != nc + 1 || tileCount.length != nt || ent.cellStart()[nc] != ne)
            throw new IllegalArgumentException(
                    "inconsistent NBL map: " + nc + " cells, " + nt + " tiles, " + ne + " entries");
        this.zoom = zoom;
        this.totalRecords = totalRecords;
        this.positionsEstimated = positionsEstimated;
        this.cells = cells;
        this.tileKeys = tileKeys;
        this.tileCount = tileCount;
        this.ent = ent;
        this.fpd = fpd;
        Map<String, Integer> idx = new HashMap<>(nc * 2);
        for (int i = 0; i < nc; i++) idx.put(cells.ids()[i], i);
        this.index = Collections.unmodifiableMap(idx);
        this.arrays = kernelView();
    }

    public int zoom() {
        return zoom;
    }

    /** Training records (the sum of the tiles' counts). */
    public long totalRecords() {
        return totalRecords;
    }

    /** True when cell positions were estimated from the samples (no {@code --cells}). */
    public boolean positionsEstimated() {
        return positionsEstimated;
    }

    public int numCells() {
        return cells.ids().length;
    }

    public int numTiles() {
        return tileKeys.length;
    }

    public int numEntries() {
        return ent.tile().length;
    }

    public String cellId(int c) {
        return cells.ids()[c];
    }

    /** Position of cell {@code c} used for PD, degrees (NaN: unknown). */
    public double cellLat(int c) {
        return cells.lat()[c];
    }

    public double cellLon(int c) {
        return cells.lon()[c];
    }

    /** Centroid of cell {@code c}'s training samples, degrees (the cell-ID baseline). */
    public double centroidLat(int c) {
        return cells.centroidLat()[c];
    }

    public double centroidLon(int c) {
        return cells.centroidLon()[c];
    }

    /** Coverage range of cell {@code c}'s training samples, metres. */
    public double rangeM(int c) {
        return cells.rangeM()[c];
    }

    public long cellSamples(int c) {
        return cells.samples()[c];
    }

    /** Key ({@link Tiles#key}) of tile {@code t}; tiles ascend by key. */
    public long tileKey(int t) {
        return tileKeys[t];
    }

    /** Training records in tile {@code t}. */
    public long tileCount(int t) {
        return tileCount[t];
    }

    /** First entry of cell {@code c}; {@code cellStart(c + 1)} ends it. */
    public int cellStart(int c) {
        return ent.cellStart()[c];
    }

    /** Tile index of entry {@code e}. */
    public int entTile(int e) {
        return ent.tile()[e];
    }

    /** RSRP values behind entry {@code e}, their mean (NaN when none) and floored sigma. */
    public int entNR(int e) {
        return ent.nR()[e];
    }

    public float entMuR(int e) {
        return ent.muR()[e];
    }

    public float entSdR(int e) {
        return ent.sdR()[e];
    }

    /** RSSI values behind entry {@code e}, their mean (NaN when none) and floored sigma. */
    public int entNQ(int e) {
        return ent.nQ()[e];
    }

    public float entMuQ(int e) {
        return ent.muQ()[e];
    }

    public float entSdQ(int e) {
        return ent.sdQ()[e];
    }

    /** True when the map holds f_PD (the training data held PDs). */
    public boolean hasFpd() {
        return fpd != null;
    }

    /** A copy of f_PD's bins (density per metre), or null without f_PD. */
    public float[] fpd() {
        return fpd == null ? null : fpd.density().clone();
    }

    public double fpdMin() {
        return fpd == null ? 0 : fpd.min();
    }

    public double fpdBin() {
        return fpd == null ? 0 : fpd.bin();
    }

    public double fpdFloor() {
        return fpd == null ? 0 : fpd.floor();
    }

    /** PDs f_PD was built from (0 without f_PD). */
    public long fpdSamples() {
        return fpd == null ? 0 : fpd.samples();
    }

    /** Cell id to cell index (read-only). */
    public Map<String, Integer> cellIndex() {
        return index;
    }

    /**
     * The kernel view (Web Mercator tile centres, inverse sigmas, P(l) as record share), the same instance on
     * every call (the CUDA backend uploads it once per instance); its arrays are copies of the map's.
     */
    public NblMapArrays arrays() {
        return arrays;
    }

    private NblMapArrays kernelView() {
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
            ir[e] = 1 / ent.sdR()[e];
            iq[e] = 1 / ent.sdQ()[e];
        }
        int nc = numCells();
        double[] cx = new double[nc], cy = new double[nc];
        for (int c = 0; c < nc; c++) {
            cx[c] = Double.isNaN(cells.lon()[c]) ? Double.NaN : Tiles.mercX(cells.lon()[c]);
            cy[c] = Double.isNaN(cells.lat()[c]) ? Double.NaN : Tiles.mercY(cells.lat()[c]);
        }
        return new NblMapArrays(
                ent.cellStart().clone(),
                ent.tile().clone(),
                ent.muR().clone(),
                ir,
                ent.muQ().clone(),
                iq,
                tx,
                ty,
                sc,
                dens,
                cx,
                cy,
                fpd(),
                fpdMin(),
                fpdBin(),
                fpdFloor());
    }

    /** Writes the map to {@code target} through {@link AtomicFiles} (complete or not at all). */
    public void write(Path target) throws IOException {
        if (target.toAbsolutePath().getParent() != null)
            Files.createDirectories(target.toAbsolutePath().getParent());
        AtomicFiles.write(target, out -> {
            DataOutputStream o = new DataOutputStream(out);
            o.writeLong(MAGIC);
            o.writeInt(zoom);
            o.writeLong(totalRecords);
            o.writeBoolean(positionsEstimated);
            o.writeInt(numCells());
            for (int c = 0; c < numCells(); c++) {
                o.writeUTF(cells.ids()[c]);
                o.writeDouble(cells.lat()[c]);
                o.writeDouble(cells.lon()[c]);
                o.writeDouble(cells.centroidLat()[c]);
                o.writeDouble(cells.centroidLon()[c]);
                o.writeDouble(cells.rangeM()[c]);
                o.writeLong(cells.samples()[c]);
                o.writeInt(cellStart(c + 1) - cellStart(c));
            }
            o.writeInt(numTiles());
            for (int t = 0; t < numTiles(); t++) {
                o.writeLong(tileKeys[t]);
                o.writeLong(tileCount[t]);
            }
            o.writeInt(numEntries());
            for (int e = 0; e < numEntries(); e++) {
                o.writeInt(ent.tile()[e]);
                o.writeInt(ent.nR()[e]);
                o.writeFloat(ent.muR()[e]);
                o.writeFloat(ent.sdR()[e]);
                o.writeInt(ent.nQ()[e]);
                o.writeFloat(ent.muQ()[e]);
                o.writeFloat(ent.sdQ()[e]);
            }
            o.writeInt(fpd == null ? -1 : fpd.density().length);
            if (fpd != null) {
                o.writeDouble(fpd.min());
                o.writeDouble(fpd.bin());
                o.writeDouble(fpd.floor());
                o.writeLong(fpd.samples());
                for (float v : fpd.density()) o.writeFloat(v);
            }
            o.flush();
        });
    }

    /** Reads a map {@link #write} wrote. */
    public static NblMap read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readLong() != MAGIC) throw new InputException(file, 1, "not an NBL map (bad magic)");
            int zoom = in.readInt();
            long totalRecords = in.readLong();
            boolean positionsEstimated = in.readBoolean();
            int nc = count(in, file, "cells");
            CellTable cells = CellTable.allocate(nc);
            int[] perCell = new int[nc];
            for (int c = 0; c < nc; c++) {
                cells.ids()[c] = in.readUTF();
                cells.lat()[c] = in.readDouble();
                cells.lon()[c] = in.readDouble();
                cells.centroidLat()[c] = in.readDouble();
                cells.centroidLon()[c] = in.readDouble();
                cells.rangeM()[c] = in.readDouble();
                cells.samples()[c] = in.readLong();
                perCell[c] = in.readInt();
            }
            int nt = count(in, file, "tiles");
            long[] tileKeys = new long[nt], tileCount = new long[nt];
            for (int t = 0; t < nt; t++) {
                tileKeys[t] = in.readLong();
                tileCount[t] = in.readLong();
            }
            int ne = count(in, file, "entries");
            EntryTable ent = EntryTable.allocate(nc, ne);
            for (int c = 0; c < nc; c++) {
                if (perCell[c] < 0) throw new InputException(file, 1, "corrupt NBL map (negative entry count)");
                ent.cellStart()[c + 1] = ent.cellStart()[c] + perCell[c];
            }
            for (int e = 0; e < ne; e++) {
                ent.tile()[e] = in.readInt();
                ent.nR()[e] = in.readInt();
                ent.muR()[e] = in.readFloat();
                ent.sdR()[e] = in.readFloat();
                ent.nQ()[e] = in.readInt();
                ent.muQ()[e] = in.readFloat();
                ent.sdQ()[e] = in.readFloat();
            }
            int nf = in.readInt();
            Fpd fpd = null;
            if (nf >= 0) {
                double min = in.readDouble(), bin = in.readDouble(), floor = in.readDouble();
                long samples = in.readLong();
                float[] d = new float[nf];
                for (int i = 0; i < nf; i++) d[i] = in.readFloat();
                fpd = new Fpd(d, min, bin, floor, samples);
            }
            try {
                return new NblMap(zoom, totalRecords, positionsEstimated, cells, tileKeys, tileCount, ent, fpd);
            } catch (IllegalArgumentException e) {
                throw new InputException(file, 1, "corrupt NBL map (" + e.getMessage() + ")");
            }
        } catch (java.io.EOFException e) {
            throw new InputException(file, 1, "truncated NBL map");
        }
    }

    private static int count(DataInputStream in, Path file, String what) throws IOException {
        int n = in.readInt();
        if (n < 0) throw new InputException(file, 1, "corrupt NBL map (negative number of " + what + ")");
        return n;
    }
}
