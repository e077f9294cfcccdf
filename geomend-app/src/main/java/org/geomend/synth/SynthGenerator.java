package org.geomend.synth;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.geomend.io.MapSink;
import org.geomend.io.Site;
import org.geomend.kernels.GridSpec;

/**
 * The synthetic operator: layout, association per region, ground-truth maps
 * {@code P(l|i) = P(i|l) / sum over i's window of P(i|l')} (Bayes with a uniform prior, DeepMEND eq. 1),
 * written through a {@link MapSink}, plus {@code sites.csv}, {@code sectors.csv} and {@code manifest.json}.
 *
 * <p>Deterministic for a seed: every random draw comes from a stream keyed by (seed, purpose, city or
 * site or region index), and each pixel's association is a pure function of them, so the thread count
 * does not change any output. Maps are written one at a time from one thread, region after region,
 * in site order.
 *
 * <p>CRS: Lambert-93 (EPSG:2154) for generated cities; the inventory's CRS for given positions.
 */
public final class SynthGenerator {

    /** Opens the sink the maps go to, given the output directory and the CRS name to record. */
    @FunctionalInterface
    public interface SinkFactory {
        MapSink open(Path outDir, String crsName) throws IOException;
    }

    /**
     * Told about every region once its association is computed and its maps are written (e.g. {@link SynthTraffic}).
     * {@code bbox} as {@link #bboxes}: per site, the raster pixels where P(i|l) > 0.
     */
    @FunctionalInterface
    public interface RegionListener {
        void region(int regionIndex, Association.Region reg, int[] owners, int[][] bbox) throws IOException;
    }

    /** A layout: the sites and the regions (each a list of target-site indices sharing one raster). */
    public record Layout(List<SynthSite> sites, List<String> regionNames, List<int[]> regions, String crsName) {
        public int targets() {
            int n = 0;
            for (SynthSite s : sites) if (s.target()) n++;
            return n;
        }
    }

    /** What a run did. */
    public record Stats(int sites, int maps, int regions, long rasterPixels, int emptyMaps, double seconds) {}

    private final SynthParams p;
    private final long seed;
    private final int threads;
    private final PrintStream log;

    public SynthGenerator(SynthParams p, long seed, int threads, PrintStream log) {
        this.p = p;
        this.seed = seed;
        this.threads = threads <= 0 ? Runtime.getRuntime().availableProcessors() : threads;
        this.log = log;
    }

    /** Generated cities of the parameters' preset, one region per city. */
    public Layout layout() {
        List<SynthSite> s = Layouts.cities(p, seed);
        Map<String, List<Integer>> by = new LinkedHashMap<>();
        for (SynthParams.CitySpec c : p.cities()) by.put(c.name(), new ArrayList<>());
        for (SynthSite x : s) if (x.target()) by.get(x.city()).add(x.index());
        return toLayout(s, by, "EPSG:2154");
    }

    /** Given positions (a real layout), one region per non-empty tile of {@code tileM}. */
    public Layout layout(List<Site> given, String crsName) {
        List<SynthSite> s = Layouts.given(p, seed, given);
        Map<String, List<Integer>> by = new TreeMap<>();
        for (SynthSite x : s)
            by.computeIfAbsent(x.city(), k -> new ArrayList<>()).add(x.index());
        return toLayout(s, by, crsName);
    }

    private static Layout toLayout(List<SynthSite> s, Map<String, List<Integer>> by, String crs) {
        List<String> names = new ArrayList<>();
        List<int[]> regs = new ArrayList<>();
        by.forEach((k, v) -> {
            if (v.isEmpty()) return;
            names.add(k);
            regs.add(v.stream().mapToInt(Integer::intValue).toArray());
        });
        return new Layout(List.copyOf(s), names, regs, crs);
    }

    /** Computes and writes the map of every target site of {@code layout} to {@code sink} (no commit). */
    public Stats maps(Layout layout, MapSink sink) throws IOException {
        return maps(layout, sink, null);
    }

    /** As {@link #maps(Layout, MapSink)}, telling {@code listener} (may be null) about each region after its maps. */
    public Stats maps(Layout layout, MapSink sink, RegionListener listener) throws IOException {
        long t0 = System.nanoTime();
        Association assoc = new Association(p, seed, layout.sites());
        int maps = 0, empty = 0;
        long pixels = 0;
        int W = p.window();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate((long) W * W * 4, 16);
            double[] buf = new double[W * W];
            for (int ri = 0; ri < layout.regions().size(); ri++) {
                int[] owners = layout.regions().get(ri);
                GridSpec raster = assoc.rasterFor(owners);
                long t1 = System.nanoTime();
                Association.Region reg = assoc.compute(raster, ri, threads);
                pixels += raster.pixels();
                if (log != null)
                    log.printf(
                            Locale.ROOT,
                            "synth: region %s: %d maps, raster %dx%d, association %.1f s%n",
                            layout.regionNames().get(ri),
                            owners.length,
                            raster.width(),
                            raster.height(),
                            (System.nanoTime() - t1) / 1e9);
                int[][] bbox = bboxes(reg, layout.sites().size());
                for (int i : owners) {
                    SynthSite s = layout.sites().get(i);
                    GridSpec win = GridSpec.window(s.x(), s.y(), W, p.resolution());
                    if (!extract(reg, bbox[i], i, win, buf)) empty++;
                    for (int k = 0; k < buf.length; k++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, k, (float) buf[k]);
                    sink.write(s.id(), win, seg, 0);
                    maps++;
                }
                if (listener != null) listener.region(ri, reg, owners, bbox);
            }
        }
        return new Stats(
                layout.sites().size(), maps, layout.regions().size(), pixels, empty, (System.nanoTime() - t0) / 1e9);
    }

    /** Per site: {minRow, minCol, maxRow, maxCol} of the raster pixels where P(i|l) > 0, or null. */
    static int[][] bboxes(Association.Region reg, int nSites) {
        int[][] b = new int[nSites][];
        int W = reg.raster().width(), H = reg.raster().height(), n = reg.n();
        for (int r = 0; r < H; r++)
            for (int c = 0; c < W; c++) {
                int pix = r * W + c;
                for (int e = 0; e < reg.count()[pix]; e++) {
                    int i = reg.site()[pix * n + e];
                    int[] x = b[i];
                    if (x == null) b[i] = new int[] {r, c, r, c};
                    else {
                        if (c < x[1]) x[1] = c;
                        if (c > x[3]) x[3] = c;
                        x[2] = r;
                    }
                }
            }
        return b;
    }

    /**
     * Fills {@code out} (window pixels, row-major from the south-west) with P(l|i): P(i|l) renormalised over
     * the window. Returns false when i is associated nowhere in its window; the map then puts all its mass on
     * the site's own pixel (a documented degenerate case).
     */
    static boolean extract(Association.Region reg, int[] bbox, int i, GridSpec win, double[] out) {
        java.util.Arrays.fill(out, 0);
        double sum = windowSum(reg, bbox, i, win, out);
        int W = win.width(), H = win.height();
        if (!(sum > 0)) {
            out[(H / 2) * W + W / 2] = 1;
            return false;
        }
        double inv = 1 / sum;
        for (int k = 0; k < out.length; k++) out[k] *= inv;
        return true;
    }

    /**
     * The sum of P(i|l) over window {@code win} (the normaliser of i's ground-truth map), and, when {@code out} is not
     * null, P(i|l) itself at each window pixel. {@link SynthTraffic} divides by exactly this sum, so that its demand
     * rasters use the ground-truth maps' very values.
     */
    static double windowSum(Association.Region reg, int[] bbox, int i, GridSpec win, double[] out) {
        GridSpec g = reg.raster();
        int oc = g.colOffsetOf(win), or = g.rowOffsetOf(win), W = win.width(), H = win.height(), n = reg.n();
        double sum = 0;
        if (bbox != null) {
            int r0 = Math.max(bbox[0] - or, 0), r1 = Math.min(bbox[2] - or, H - 1);
            int c0 = Math.max(bbox[1] - oc, 0), c1 = Math.min(bbox[3] - oc, W - 1);
            for (int r = r0; r <= r1; r++)
                for (int c = c0; c <= c1; c++) {
                    int pix = (r + or) * g.width() + c + oc;
                    for (int e = 0; e < reg.count()[pix]; e++)
                        if (reg.site()[pix * n + e] == i) {
                            double v = reg.prob()[pix * n + e];
                            if (out != null) out[r * W + c] = v;
                            sum += v;
                        }
                }
        }
        return sum;
    }

    /**
     * Writes {@code sites.csv}, {@code sectors.csv}, the maps (through the factory's sink, committed) and
     * {@code manifest.json} into {@code dir}. {@code extra}, when not null, also receives every map (e.g. a
     * {@link Calibration}); it is neither committed nor closed here.
     */
    public Stats run(Layout layout, Path dir, SinkFactory factory, MapSink extra) throws IOException {
        return run(layout, dir, factory, extra, null);
    }

    /**
     * As {@link #run(Layout, Path, SinkFactory, MapSink)}; with {@code traffic} (may be null) also the per-BS traffic and
     * its ground truth ({@link SynthTraffic}), written before the manifest, which lists its files. Without it every
     * output is byte for byte what it was before traffic existed.
     */
    public Stats run(Layout layout, Path dir, SinkFactory factory, MapSink extra, SynthTraffic traffic)
            throws IOException {
        Files.createDirectories(dir);
        writeSites(layout, dir.resolve("sites.csv"));
        writeSectors(layout, dir.resolve("sectors.csv"));
        Stats st;
        try (MapSink sink = factory.open(dir, layout.crsName())) {
            st = maps(layout, extra == null ? sink : new TeeSink(sink, extra), traffic);
            sink.commit();
        }
        Map<String, String> more = traffic == null ? Map.of() : traffic.finish();
        writeManifest(layout, st, dir.resolve("manifest.json"), more);
        return st;
    }

    /** The shortest decimal that reads back as exactly {@code v} (no exponent): windows depend on the last bit. */
    static String exact(double v) {
        return java.math.BigDecimal.valueOf(v).toPlainString();
    }

    /**
     * {@code id,x,y,env,city,operator,map}: {@code map} is 1 when the site has a ground-truth map; x and y
     * are written exactly, so windows recomputed from this file are the ground-truth maps' windows.
     */
    public static void writeSites(Layout layout, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("id,x,y,env,city,operator,map\n");
            for (SynthSite s : layout.sites())
                w.write(String.format(
                        Locale.ROOT,
                        "%s,%s,%s,%s,%s,SYN,%d%n",
                        s.id(),
                        exact(s.x()),
                        exact(s.y()),
                        s.env().label(),
                        s.city(),
                        s.target() ? 1 : 0));
        }
    }

    /** One row per sector: the radio parameters behind the ground truth. */
    public void writeSectors(Layout layout, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("id,sector,model,height_m,tilt_deg,azimuth_deg,epre_dbm,layer,freq_ghz,sf_dcorr_m\n");
            for (SynthSite s : layout.sites())
                for (int k = 0; k < s.sectors(); k++)
                    w.write(String.format(
                            Locale.ROOT,
                            "%s,%d,%s,%.1f,%.1f,%.1f,%.2f,%s,%.1f,%.0f%n",
                            s.id(),
                            k,
                            s.model(),
                            s.height(),
                            s.tiltDeg(),
                            s.azimuthDeg()[k],
                            s.epreDbm(),
                            p.layers().get(s.layer()).name(),
                            p.layers().get(s.layer()).freqGHz(),
                            s.dcorrM()));
        }
    }

    public void writeManifest(Layout layout, Stats st, Path file) throws IOException {
        writeManifest(layout, st, file, Map.of());
    }

    /** The manifest, with {@code moreFiles} (name to path) added to its {@code files}. */
    public void writeManifest(Layout layout, Stats st, Path file, Map<String, String> moreFiles) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generator", "geomend synth");
        m.put("seed", seed);
        m.put("crs", layout.crsName());
        m.put(
                "crs_note",
                layout.crsName().equals("EPSG:2154")
                        ? "Lambert-93 metres; fictitious cities on a 150 km grid inside mainland France"
                        : "the input inventory's CRS");
        m.put("sites", layout.sites().size());
        m.put("maps", st.maps());
        m.put("maps_without_association", st.emptyMaps());
        m.put("regions", layout.regionNames());
        m.put("window", p.window());
        m.put("resolution", p.resolution());
        Map<String, String> files = new LinkedHashMap<>();
        files.put("sites", "sites.csv");
        files.put("sectors", "sectors.csv");
        files.put("maps", "maps.arrow");
        files.putAll(moreFiles);
        m.put("files", files);
        m.put("params", p);
        Files.writeString(file, org.geomend.io.Json.pretty(m) + "\n");
    }

    /** Writes every map to two sinks; commit and close go to neither (the owner handles them). */
    static final class TeeSink implements MapSink {
        private final MapSink a, b;

        TeeSink(MapSink a, MapSink b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(String id, GridSpec grid, MemorySegment values, long off) throws IOException {
            a.write(id, grid, values, off);
            b.write(id, grid, values, off);
        }

        @Override
        public void commit() {}

        @Override
        public long bytesWritten() {
            return a.bytesWritten();
        }

        @Override
        public void close() {}
    }
}
