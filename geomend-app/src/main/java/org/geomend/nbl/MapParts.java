package org.geomend.nbl;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A coverage map built in parts (the Spark job {@code nbl-build}): the rows are split by cell, every part holding
 * all the rows of its cells in input order; {@link #build} runs {@link MapBuilder} (one thread) on a part, so every
 * per-cell and per-(cell, tile) statistic is the one {@code nbl build} computes; P(l) (records per tile, counted on
 * whole records by {@link TileCounter}, the rule of {@link MapBuilder}) and the raw f_PD histograms add up across
 * parts; {@link #merge} assembles the map in {@code nbl build}'s order (cells by first row, tiles by key). With the
 * rows in the same order the merged map equals {@code nbl build --threads 1}'s, bit for bit.
 */
public final class MapParts {

    private MapParts() {}

    /** What one part contributes: its cells, their entries (with tile keys, not indices) and the raw f_PD histogram. */
    public static final class Part implements Serializable {
        private static final long serialVersionUID = 1L;
        String[] ids;
        long[] firstRow; // ordering key of each cell's first row (the caller's row order)
        double[] lat, lon, centroidLat, centroidLon, rangeM;
        long[] samples;
        int[] entries; // per cell
        long[] tileKey;
        int[] nR, nQ;
        float[] muR, sdR, muQ, sdQ;
        long[] fpdHistogram; // null: no row of the part had a PD
        public long rows, rowsNoPosition;

        public int cells() {
            return ids.length;
        }
    }

    /** One measurement row of a part, with its position in the input ({@code order}: ascending in input order). */
    public record PartRow(
            long order, String record, String cell, double lat, double lon, double rsrp, double rssi, double ta)
            implements Serializable {
        public static PartRow of(long order, MeasurementCsv.Row r) {
            return new PartRow(order, r.record, r.cell, r.lat, r.lon, r.rsrp, r.rssi, r.ta);
        }
    }

    /** Builds the part of {@code rows} (every row of its cells, sorted by {@code order}). */
    public static Part build(MapOptions options, Map<String, double[]> knownCells, List<PartRow> rows)
            throws IOException {
        MapBuilder.RowSource src = c -> {
            MeasurementCsv.Row r = new MeasurementCsv.Row();
            for (PartRow p : rows) {
                r.record = p.record();
                r.cell = p.cell();
                r.lat = p.lat();
                r.lon = p.lon();
                r.rsrp = p.rsrp();
                r.rssi = p.rssi();
                r.ta = p.ta();
                r.line = p.order();
                c.accept(r);
            }
        };
        MapBuilder b = new MapBuilder(options, knownCells, 1, null);
        NblMap m = b.build(src);
        Part p = new Part();
        p.rows = b.rowsRead;
        p.rowsNoPosition = b.rowsNoPosition;
        int nc = m.numCells(), ne = m.numEntries();
        p.ids = new String[nc];
        p.firstRow = new long[nc];
        p.lat = new double[nc];
        p.lon = new double[nc];
        p.centroidLat = new double[nc];
        p.centroidLon = new double[nc];
        p.rangeM = new double[nc];
        p.samples = new long[nc];
        p.entries = new int[nc];
        Map<String, Long> first = new HashMap<>(nc * 2);
        for (PartRow r : rows) if (r.lat() == r.lat() && r.lon() == r.lon()) first.putIfAbsent(r.cell(), r.order());
        for (int c = 0; c < nc; c++) {
            p.ids[c] = m.cellId(c);
            p.firstRow[c] = first.get(p.ids[c]);
            p.lat[c] = m.cellLat(c);
            p.lon[c] = m.cellLon(c);
            p.centroidLat[c] = m.centroidLat(c);
            p.centroidLon[c] = m.centroidLon(c);
            p.rangeM[c] = m.rangeM(c);
            p.samples[c] = m.cellSamples(c);
            p.entries[c] = m.cellStart(c + 1) - m.cellStart(c);
        }
        p.tileKey = new long[ne];
        p.nR = new int[ne];
        p.nQ = new int[ne];
        p.muR = new float[ne];
        p.sdR = new float[ne];
        p.muQ = new float[ne];
        p.sdQ = new float[ne];
        for (int e = 0; e < ne; e++) {
            p.tileKey[e] = m.tileKey(m.entTile(e));
            p.nR[e] = m.entNR(e);
            p.nQ[e] = m.entNQ(e);
            p.muR[e] = m.entMuR(e);
            p.sdR[e] = m.entSdR(e);
            p.muQ[e] = m.entMuQ(e);
            p.sdQ[e] = m.entSdQ(e);
        }
        if (m.hasFpd()) {
            double[] lat = p.lat.clone(), lon = p.lon.clone();
            p.fpdHistogram = MapBuilder.fpdHistogram(m.cellIndex(), lat, lon, src);
        }
        return p;
    }

    /**
     * Records per tile, counted as {@link MapBuilder} counts them: a record is counted once, in the tile of its first
     * row with a GPS position, where a new record starts when the record id differs from the previous positioned
     * row's. Feed it the rows of whole records in input order; counters of disjoint runs of records add up.
     */
    public static final class TileCounter implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int zoom;
        private final HashMap<Long, Long> counts = new HashMap<>();
        private String last;

        public TileCounter(int zoom) {
            this.zoom = zoom;
        }

        public void accept(MeasurementCsv.Row row) {
            if (!row.hasPosition() || row.record.equals(last)) return;
            last = row.record;
            counts.merge(Tiles.key(Tiles.tileX(row.lon, zoom), Tiles.tileY(row.lat, zoom)), 1L, Long::sum);
        }

        /** Adds {@code o}'s counts into this counter. */
        public TileCounter merge(TileCounter o) {
            o.counts.forEach((k, v) -> counts.merge(k, v, Long::sum));
            return this;
        }
    }

    /**
     * The map of {@code parts} (disjoint cells, each with all its rows) and {@code tiles} (all records): cells in the
     * order of their first row, tiles by key, entries by (cell, tile), f_PD from the summed histograms; entries in
     * tiles that hold no record's first row keep their tile (as in {@code nbl build}, a tile has records).
     */
    public static NblMap merge(int zoom, boolean positionsEstimated, List<Part> parts, TileCounter tiles) {
        if (tiles.zoom != zoom)
            throw new IllegalArgumentException("tile counter of zoom " + tiles.zoom + ", map " + zoom);
        record Ref(Part part, int cell, int firstEntry) {}
        List<Ref> refs = new ArrayList<>();
        int ne = 0;
        for (Part p : parts) {
            int e = 0;
            for (int c = 0; c < p.cells(); c++) {
                refs.add(new Ref(p, c, e));
                e += p.entries[c];
            }
            ne += e;
        }
        refs.sort((a, b) -> Long.compare(a.part.firstRow[a.cell], b.part.firstRow[b.cell]));
        long[] tileKeys = tiles.counts.keySet().stream()
                .mapToLong(Long::longValue)
                .sorted()
                .toArray();
        long[] tileCount = new long[tileKeys.length];
        LongIntMap tileIdx = new LongIntMap(Math.max(16, tileKeys.length));
        long total = 0;
        for (int i = 0; i < tileKeys.length; i++) {
            tileCount[i] = tiles.counts.get(tileKeys[i]);
            total += tileCount[i];
            tileIdx.getOrPut(tileKeys[i], i);
        }
        int nc = refs.size();
        NblMap.CellTable cells = NblMap.CellTable.allocate(nc);
        NblMap.EntryTable ent = NblMap.EntryTable.allocate(nc, ne);
        long[] hist = null;
        for (Part p : parts) {
            if (p.fpdHistogram == null) continue;
            if (hist == null) hist = new long[p.fpdHistogram.length];
            for (int b = 0; b < hist.length; b++) hist[b] += p.fpdHistogram[b];
        }
        int e = 0;
        for (int c = 0; c < nc; c++) {
            Ref r = refs.get(c);
            Part p = r.part;
            int k = r.cell;
            cells.ids()[c] = p.ids[k];
            cells.lat()[c] = p.lat[k];
            cells.lon()[c] = p.lon[k];
            cells.centroidLat()[c] = p.centroidLat[k];
            cells.centroidLon()[c] = p.centroidLon[k];
            cells.rangeM()[c] = p.rangeM[k];
            cells.samples()[c] = p.samples[k];
            for (int j = r.firstEntry; j < r.firstEntry + p.entries[k]; j++, e++) {
                int t = tileIdx.get(p.tileKey[j]);
                if (t < 0) throw new IllegalStateException("entry in a tile without records: the parts miss records");
                ent.tile()[e] = t;
                ent.nR()[e] = p.nR[j];
                ent.nQ()[e] = p.nQ[j];
                ent.muR()[e] = p.muR[j];
                ent.sdR()[e] = p.sdR[j];
                ent.muQ()[e] = p.muQ[j];
                ent.sdQ()[e] = p.sdQ[j];
            }
            ent.cellStart()[c + 1] = e;
        }
        NblMap.Fpd fpd = hist == null ? null : MapBuilder.fpdOf(hist);
        return new NblMap(zoom, total, positionsEstimated, cells, tileKeys, tileCount, ent, fpd);
    }
}
