package org.geomend.traffic;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.geolocate.RegionRaster;
import org.geomend.io.MapSink;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;

/**
 * Spreads per-site KPI values onto one raster: pixel(l, t) = sum_i value_i(t) P(l|i), in float64, streamed.
 *
 * <p>The raster (the SPEC lattice, covering the union of the sites' windows) is cut into blocks of {@code
 * blockRows x blockCols} pixels, counted from its north-west corner: row band k holds file rows {@code [k B, (k+1)
 * B)}, column stripe j file columns {@code [j S, (j+1) S)}. Each site belongs to the row band of its window's north
 * edge and to every stripe its window touches. Stripe by stripe, band by band (north to south), the maps of the
 * band's sites are drawn ({@link MapSource}) and added into a float64 accumulator of {@code (B + H) x S} pixels per
 * time step (H: the tallest window), since a window starting in band k ends before row {@code (k+1) B + H}. After
 * band k, rows {@code [k B, (k+1) B)} of the stripe can no longer change: they are rounded to float32, handed to the
 * {@link RasterOut} as one block, and the accumulator moves up by B rows. Memory: {@code T (B + H) S} doubles of
 * accumulator, {@code T B S} floats of the finished block, plus what the map source holds (a batch of maps),
 * whatever the number of sites; a site whose window spans two stripes is drawn twice (work grows by about {@code 1
 * + W / S}).
 *
 * <p>Each map is weighted by {@code value_i(t) / sum_l P(l|i)} (its float64 sum over the whole window), so the
 * raster's float64 total equals the total of the mapped sites to rounding. A site has no map when its map has no
 * mass, or (with a region) when its map is the unmasked fallback that {@code Geolocator} keeps for maps with no mass
 * inside the region (found as a positive pixel outside the region mask): its traffic is counted as unmapped, never
 * spread.
 */
public final class TrafficSweep {

    /** Draws (or reads) the maps of some sites and hands each to {@code sink} with the id {@code Integer.toString(site)}. */
    public interface MapSource {
        void draw(int[] sites, MapSink sink) throws IOException;
    }

    /** Where finished blocks go: {@code v[t]} holds {@code rows x cols} values, file rows (0 = north) first. */
    public interface RasterOut {
        void block(int row0, int col0, int rows, int cols, float[][] v) throws IOException;
    }

    /** Progress over the maps drawn (a map drawn for two stripes counts twice). */
    public interface Progress {
        void done(long maps, long total);
    }

    /**
     * What the sweep did.
     *
     * @param rasterTotal   the raster's float64 total, before rounding to float32
     * @param mappedTotal   the KPI total of the sites that have a map
     * @param unmappedTotal the KPI total of the sites without one
     * @param float32Total  the total of the float32 values written (float64 sum)
     */
    public record Result(
            double rasterTotal,
            double mappedTotal,
            double unmappedTotal,
            int mappedSites,
            int unmappedSites,
            long mapsDrawn,
            int blocks,
            double float32Total) {}

    private final GridSpec raster;
    private final Kpi kpi;
    private final GridSpec[] windows;
    private final int[] sites;
    private final int blockRows, blockCols, maxH, T;
    private final RegionRaster region;
    private final BufferAllocator allocator;
    private final long rasterTopRow, rasterCol0;

    /**
     * @param windows   each site's window (index: inventory site), set for every site of {@code sites}
     * @param sites     the sites to spread (each with KPI values)
     * @param region    paints the region mask (to recognise the unmasked fallback maps), or null
     */
    public TrafficSweep(
            GridSpec raster,
            Kpi kpi,
            GridSpec[] windows,
            int[] sites,
            int blockRows,
            int blockCols,
            RegionRaster region,
            BufferAllocator allocator) {
        if (blockRows < 1 || blockCols < 1) throw new IllegalArgumentException("blocks must be at least 1 x 1");
        this.raster = raster;
        this.kpi = kpi;
        this.windows = windows;
        this.sites = sites.clone();
        this.blockRows = blockRows;
        this.blockCols = blockCols;
        this.region = region;
        this.allocator = allocator;
        this.T = kpi.times().length;
        int h = 1;
        for (int s : sites) h = Math.max(h, windows[s].height());
        this.maxH = h;
        this.rasterTopRow = raster.latticeRow() + raster.height();
        this.rasterCol0 = raster.latticeCol();
        long acc = (long) (blockRows + maxH) * this.blockCols;
        if (acc > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("block too large: " + blockRows + " x " + blockCols);
    }

    /** The smallest lattice-aligned grid holding every window of {@code sites}. */
    public static GridSpec union(GridSpec[] windows, int[] sites) {
        long c0 = Long.MAX_VALUE, r0 = Long.MAX_VALUE, c1 = Long.MIN_VALUE, r1 = Long.MIN_VALUE;
        double res = windows[sites[0]].resolution();
        for (int s : sites) {
            GridSpec w = windows[s];
            if (w.resolution() != res)
                throw new IllegalArgumentException("maps of different resolutions: " + res + " and " + w.resolution());
            c0 = Math.min(c0, w.latticeCol());
            r0 = Math.min(r0, w.latticeRow());
            c1 = Math.max(c1, w.latticeCol() + w.width());
            r1 = Math.max(r1, w.latticeRow() + w.height());
        }
        return new GridSpec(c0 * res, r0 * res, res, Math.toIntExact(c1 - c0), Math.toIntExact(r1 - r0));
    }

    /** Peak bytes of the sweep's own buffers (accumulator, finished block, region mask). */
    public long bufferBytes() {
        long acc = (long) (blockRows + maxH) * blockCols;
        return T * acc * 8 + (long) T * blockRows * blockCols * 4 + (region != null ? acc * 2 : 0);
    }

    public int bandCount() {
        return (raster.height() + blockRows - 1) / blockRows;
    }

    public int stripeCount() {
        return (raster.width() + blockCols - 1) / blockCols;
    }

    private int topFileRow(GridSpec w) {
        return Math.toIntExact(rasterTopRow - (w.latticeRow() + w.height()));
    }

    private int fileCol(GridSpec w) {
        return Math.toIntExact(w.latticeCol() - rasterCol0);
    }

    public Result run(MapSource source, RasterOut out, Progress progress) throws IOException {
        int bands = bandCount(), stripes = stripeCount(), S = blockCols, B = blockRows, A = B + maxH;
        // sites by (stripe, band)
        List<List<int[]>> byStripe = new ArrayList<>();
        long total = 0;
        for (int j = 0; j < stripes; j++) {
            List<List<Integer>> b = new ArrayList<>();
            for (int k = 0; k < bands; k++) b.add(new ArrayList<>());
            int lo = j * S, hi = Math.min(raster.width(), lo + S);
            for (int s : sites) {
                GridSpec w = windows[s];
                int c = fileCol(w);
                if (c < hi && c + w.width() > lo) {
                    b.get(topFileRow(w) / B).add(s);
                    total++;
                }
            }
            List<int[]> arr = new ArrayList<>();
            for (List<Integer> l : b)
                arr.add(l.stream().mapToInt(Integer::intValue).toArray());
            byStripe.add(arr);
        }
        double[][] acc = new double[T][A * S];
        float[][] done = new float[T][B * S];
        boolean[] unmapped = new boolean[windows.length];
        double[] rasterTotal = {0}, f32Total = {0};
        long[] drawn = {0};
        int blocks = 0;
        try (GridBuffer mask =
                region == null ? null : GridBuffer.allocate(allocator, GridBuffer.Type.UINT8, (long) A * S)) {
            byte[] maskRows = region == null ? null : new byte[A * S];
            for (int j = 0; j < stripes; j++) {
                for (double[] a : acc) Arrays.fill(a, 0);
                int col0 = j * S, cols = Math.min(S, raster.width() - col0);
                for (int k = 0; k < bands; k++) {
                    int row0 = k * B;
                    int[] group = byStripe.get(j).get(k);
                    if (group.length > 0) {
                        if (mask != null) {
                            GridSpec g = new GridSpec(
                                    (rasterCol0 + col0) * raster.resolution(),
                                    (rasterTopRow - row0 - A) * raster.resolution(),
                                    raster.resolution(),
                                    S,
                                    A);
                            region.rasterize(g, mask);
                            for (int a = 0; a < A; a++) // grid row A-1-a is file row row0 + a
                            MemorySegment.copy(
                                        mask.segment(),
                                        ValueLayout.JAVA_BYTE,
                                        (long) (A - 1 - a) * S,
                                        maskRows,
                                        a * S,
                                        S);
                        }
                        Accumulator sink =
                                new Accumulator(acc, maskRows, row0, col0, cols, unmapped, drawn, progress, total);
                        source.draw(group, MapSink.of(sink));
                    }
                    int rows = Math.min(B, raster.height() - row0);
                    for (int t = 0; t < T; t++) {
                        double[] a = acc[t];
                        float[] d = done[t];
                        for (int r = 0; r < rows; r++)
                            for (int c = 0; c < cols; c++) {
                                double v = a[r * S + c];
                                rasterTotal[0] += v;
                                float f = (float) v;
                                d[r * cols + c] = f;
                                f32Total[0] += f;
                            }
                        // move up by B rows
                        System.arraycopy(a, B * S, a, 0, (A - B) * S);
                        Arrays.fill(a, (A - B) * S, A * S, 0);
                    }
                    out.block(row0, col0, rows, cols, done);
                    blocks++;
                }
            }
        }
        double mapped = 0, unmappedTotal = 0;
        int nMapped = 0, nUnmapped = 0;
        for (int s : sites) {
            double v = kpi.siteTotal(s);
            if (unmapped[s]) {
                unmappedTotal += v;
                nUnmapped++;
            } else {
                mapped += v;
                nMapped++;
            }
        }
        return new Result(rasterTotal[0], mapped, unmappedTotal, nMapped, nUnmapped, drawn[0], blocks, f32Total[0]);
    }

    /** Adds each map it receives into the stripe's accumulator. */
    /** Adds each map it receives into the band's accumulator (handed to the drawing loop as {@link MapSink#of}). */
    private final class Accumulator implements MapSink.Receiver {
        private final double[][] acc;
        private final byte[] mask;
        private final int row0, col0, cols;
        private final boolean[] unmapped;
        private final long[] drawn;
        private final Progress progress;
        private final long total;
        private float[] row = new float[0], part = new float[0];

        Accumulator(
                double[][] acc,
                byte[] mask,
                int row0,
                int col0,
                int cols,
                boolean[] unmapped,
                long[] drawn,
                Progress progress,
                long total) {
            this.acc = acc;
            this.mask = mask;
            this.row0 = row0;
            this.col0 = col0;
            this.cols = cols;
            this.unmapped = unmapped;
            this.drawn = drawn;
            this.progress = progress;
            this.total = total;
        }

        @Override
        public void write(String id, GridSpec w, MemorySegment values, long offsetElements) {
            int site = Integer.parseInt(id);
            drawn[0]++;
            if (progress != null) progress.done(drawn[0], total);
            if (unmapped[site]) return;
            int width = w.width(), h = w.height();
            if (row.length < width) row = new float[width];
            double sum = Spread.mass(values, offsetElements, (long) width * h);
            if (!Spread.spreadable(sum)) {
                unmapped[site] = true;
                return;
            }
            int S = blockCols;
            int fc = fileCol(w), top = topFileRow(w);
            int c0 = Math.max(0, col0 - fc), c1 = Math.min(width, col0 + cols - fc); // window columns inside the stripe
            if (c1 <= c0) return;
            if (mask != null) {
                for (int r = 0; r < h; r++) {
                    int a = top + (h - 1 - r) - row0; // window row r (south first) -> accumulator row
                    MemorySegment.copy(
                            values,
                            ValueLayout.JAVA_FLOAT_UNALIGNED,
                            4 * (offsetElements + (long) r * width + c0),
                            row,
                            0,
                            c1 - c0);
                    int base = a * S + fc + c0 - col0;
                    for (int c = 0; c < c1 - c0; c++)
                        if (row[c] > 0 && mask[base + c] == 0) { // the unmasked fallback: no map in the region
                            unmapped[site] = true;
                            return;
                        }
                }
            }
            Spread.add(
                    values,
                    offsetElements,
                    width,
                    h,
                    c0,
                    c1,
                    Spread.weights(kpi.values()[site], sum),
                    acc,
                    S,
                    top + h - 1 - row0,
                    -1,
                    fc + c0 - col0,
                    row);
        }
    }
}
