package org.geomend.synth;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.io.MapSink;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.java.JavaKernels;
import org.geomend.report.Stats;
import org.geomend.voronoiboost.InventoryCells;
import org.geomend.voronoiboost.ScaleTarget;
import org.geomend.voronoiboost.ScaledCell;
import org.geomend.voronoiboost.VoronoiBoostModel;

/**
 * Calibration hook: a {@link MapSink} that, for every ground-truth map it receives, draws the Voronoi map
 * and the legacy sPDI map (beta 5/4/3 for urban/suburban/rural, k = 5, SPEC section 2) of the same site on
 * the same window from the whole inventory, and records KS2 (SPEC section 3) of each against the ground
 * truth. {@link #report()} gives the medians per class, to compare with DeepMEND Fig. 2 / section III-C
 * (medians: Voronoi about 0.70 and legacy sPDI about 0.50 overall; above 0.5 for both in suburban and rural
 * areas; lower and widely spread in urban areas).
 *
 * <p>It also measures the spread of each ground-truth map the way VoronoiBoost does: the scale s_tau about the cell's
 * bounding-box centre at which the site's Voronoi cell holds mass tau ({@link ScaleTarget}), to compare with the
 * only other figures trained on real operator ground truth: the published VoronoiBoost model's scales on 8,605 real
 * French sites ({@link #PUBLISHED_SCALE_MEDIANS}).
 */
public final class Calibration implements MapSink {

    /** Legacy sPDI attenuation per class (DeepMEND section III-C, after the PDI paper). */
    public static double legacyBeta(Env e) {
        return switch (e) {
            case URBAN -> 5;
            case SUBURBAN -> 4;
            case RURAL -> 3;
        };
    }

    /** The taus of the scale diagnostics (VoronoiBoost's). */
    public static final double[] TAUS = VoronoiBoostModel.TAUS;

    /**
     * Medians of the published VoronoiBoost model's scales per tau over the 8,605 real sites of
     * {@code ../shared/data/reference/voronoiboost-published-scales.csv} (non-empty values only; 8,514 / 8,602 / 7,651 /
     * 8,455 / 8,605 of them), for the report's reference line.
     */
    public static final double[] PUBLISHED_SCALE_MEDIANS = {0.824, 1.171, 1.872, 2.453, 4.079};

    /** Medians (and counts) of KS2 per class and overall; {@code scales} holds the median s_tau per {@link #TAUS}. */
    public record Report(
            Map<String, Integer> count,
            Map<String, Double> voronoi,
            Map<String, Double> spdi,
            Map<String, Double> massInCell,
            Map<String, Double> centroidOffset,
            Map<String, double[]> scales) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(
                    "class       n   median KS2 Voronoi   median KS2 legacy sPDI   truth mass in Voronoi cell   truth centroid offset / cell radius\n");
            for (String k : count.keySet())
                sb.append(String.format(
                        Locale.ROOT,
                        "%-9s %5d   %18.3f   %22.3f   %26.3f   %35.3f%n",
                        k,
                        count.get(k),
                        voronoi.get(k),
                        spdi.get(k),
                        massInCell.get(k),
                        centroidOffset.get(k)));
            sb.append(
                    "\nmedian scale s_tau of the Voronoi cell (about its bounding-box centre) holding mass tau of the truth\n");
            sb.append("class      ");
            for (double t : TAUS) sb.append(String.format(Locale.ROOT, "  tau %.2f", t));
            sb.append('\n');
            for (String k : count.keySet())
                sb.append(scaleRow(k, scales.get(k))).append('\n');
            sb.append(scaleRow("", PUBLISHED_SCALE_MEDIANS)).append("   (published VoronoiBoost, 8,605 real sites)\n");
            return sb.toString();
        }

        private static String scaleRow(String label, double[] v) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-11s", label));
            for (double x : v) sb.append(String.format(Locale.ROOT, "  %8.2f", x));
            return sb.toString();
        }
    }

    private final SitePositions pos;
    private final Env[] env;
    private final Map<String, Integer> index = new HashMap<>();
    private final JavaKernels kernels;
    private final BufferAllocator alloc = Memory.child("synth-calibration");
    private final Map<Env, List<double[]>> results = new EnumMap<>(Env.class);
    private final InventoryCells cells;
    private GridBuffer knnBuf, vor, spdi, gt;
    private int bufPixels = -1;

    public Calibration(List<SynthSite> sites, int threads) {
        double[] x = new double[sites.size()], y = new double[sites.size()];
        env = new Env[sites.size()];
        for (SynthSite s : sites) {
            x[s.index()] = s.x();
            y[s.index()] = s.y();
            env[s.index()] = s.env();
            index.put(s.id(), s.index());
        }
        pos = new SitePositions(x, y);
        cells = InventoryCells.of(
                pos,
                new VoronoiBoostModel.Settings(
                        ScaledCell.Origin.BBOX_CENTRE,
                        VoronoiBoostModel.Settings.defaults().clipMargin()));
        kernels = new JavaKernels(threads);
        for (Env e : Env.values()) results.put(e, new ArrayList<>());
    }

    @Override
    public void write(String id, GridSpec grid, MemorySegment values, long off) {
        Integer i = index.get(id);
        if (i == null) throw new IllegalArgumentException("unknown site " + id);
        int n = Math.toIntExact(grid.pixels());
        if (n != bufPixels) {
            freeBuffers();
            knnBuf = GridBuffer.allocate(alloc, GridBuffer.Type.INT32, (long) n * 6);
            vor = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, n);
            spdi = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, n);
            gt = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, n);
            bufPixels = n;
        }
        MemorySegment.copy(values, off * 4, gt.segment(), 0, (long) n * 4);
        KnnRaster knn = new KnnRaster(grid, 6, knnBuf);
        kernels.nearestSites(pos, knn);
        int[] site = {i}, zero = {0};
        MapBatch vb = new MapBatch(1, grid.width(), grid.height(), site, zero, zero, new double[] {0}, vor);
        MapBatch sb =
                new MapBatch(1, grid.width(), grid.height(), site, zero, zero, new double[] {legacyBeta(env[i])}, spdi);
        kernels.voronoiMaps(knn, vb);
        kernels.spdiMaps(pos, knn, 5, sb);
        double[] sums = new double[1];
        kernels.normalize(vb, grid, null, sums);
        kernels.normalize(sb, grid, null, sums);
        double kv = kernels.ks2(gt, 0, vor, 0, grid.width(), grid.height());
        double ks = kernels.ks2(gt, 0, spdi, 0, grid.width(), grid.height());
        // shape diagnostics: ground-truth mass inside the Voronoi cell, and the offset of its centre of mass from
        // the site in units of the cell's equivalent radius sqrt(area / pi)
        double inCell = 0, mx = 0, my = 0;
        int cellPx = 0, w = grid.width();
        MemorySegment gs = gt.segment(), vs = vor.segment();
        for (int k = 0; k < n; k++) {
            double g = gs.getAtIndex(GridBuffer.F32, k);
            if (vs.getAtIndex(GridBuffer.F32, k) > 0) {
                inCell += g;
                cellPx++;
            }
            mx += g * (k % w);
            my += g * (k / w);
        }
        double r = grid.resolution();
        double dx = grid.x0() + (mx + 0.5) * r - pos.x()[i], dy = grid.y0() + (my + 0.5) * r - pos.y()[i];
        double offset = Math.hypot(dx, dy) / Math.sqrt(Math.max(1, cellPx) * r * r / Math.PI);
        float[] truth = new float[n];
        MemorySegment.copy(gs, GridBuffer.F32, 0, truth, 0, n);
        double[] sc = ScaleTarget.scales(cells.cell(i), grid, truth, TAUS);
        double[] row = new double[4 + sc.length];
        row[0] = kv;
        row[1] = ks;
        row[2] = inCell;
        row[3] = offset;
        System.arraycopy(sc, 0, row, 4, sc.length);
        results.get(env[i]).add(row);
    }

    /** Rows recorded so far for one class: Voronoi KS2, legacy sPDI KS2, truth mass in the cell, centroid offset, s_tau per {@link #TAUS}. */
    public List<double[]> values(Env e) {
        return results.get(e);
    }

    public Report report() {
        Map<String, Integer> c = new LinkedHashMap<>();
        Map<String, Double> v = new LinkedHashMap<>(),
                s = new LinkedHashMap<>(),
                in = new LinkedHashMap<>(),
                off = new LinkedHashMap<>();
        Map<String, double[]> sc = new LinkedHashMap<>();
        List<double[]> all = new ArrayList<>();
        for (Env e : Env.values()) {
            List<double[]> l = results.get(e);
            all.addAll(l);
            c.put(e.label(), l.size());
            v.put(e.label(), median(l, 0));
            s.put(e.label(), median(l, 1));
            in.put(e.label(), median(l, 2));
            off.put(e.label(), median(l, 3));
            sc.put(e.label(), scaleMedians(l));
        }
        c.put("all", all.size());
        v.put("all", median(all, 0));
        s.put("all", median(all, 1));
        in.put("all", median(all, 2));
        off.put("all", median(all, 3));
        sc.put("all", scaleMedians(all));
        return new Report(c, v, s, in, off, sc);
    }

    private static double[] scaleMedians(List<double[]> l) {
        double[] m = new double[TAUS.length];
        for (int t = 0; t < m.length; t++) m[t] = median(l, 4 + t);
        return m;
    }

    /** Median of column {@code k} over the rows where it is finite (NaN when none). */
    static double median(List<double[]> l, int k) {
        return Stats.median(
                l.stream().mapToDouble(x -> x[k]).filter(Double::isFinite).toArray());
    }

    @Override
    public void commit() {}

    @Override
    public long bytesWritten() {
        return 0;
    }

    private void freeBuffers() {
        for (GridBuffer b : Arrays.asList(knnBuf, vor, spdi, gt)) if (b != null) b.close();
    }

    @Override
    public void close() {
        freeBuffers();
        bufPixels = -1;
        kernels.close();
        alloc.close();
    }
}
