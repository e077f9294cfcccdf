package org.geomend.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.geolocate.ClosedFormDrawer;
import org.geomend.geolocate.Geolocation;
import org.geomend.geolocate.Geolocator;
import org.geomend.geolocate.MapDrawer;
import org.geomend.geolocate.Method;
import org.geomend.geolocate.Urbanisation;
import org.geomend.io.Inventory;
import org.geomend.io.InventoryOptions;
import org.geomend.io.InventoryReader;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.nn.NnBackends;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.student.StudentDrawer;
import org.geomend.student.ShippedModel;
import org.geomend.student.StudentModel;
import org.geomend.student.UNetConfig;
import org.geomend.voronoiboost.InventoryCells;
import org.geomend.voronoiboost.VoronoiBoostMaps;
import org.geomend.voronoiboost.VoronoiBoostModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code geomend geolocate}: one geolocation map per base station of an inventory (SPEC sections 2, 4, 5). */
@Command(name = "geolocate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Draw the geolocation map P(l|i) of every base station of an inventory.")
final class GeolocateCommand implements Callable<Integer> {

    @Option(names = "--sites", required = true, description = "Site inventory: generic CSV (id + lat,lon or x,y), ARCEP sites CSV, or OpenCelliD cell_towers.csv.")
    Path sites;
    @Option(names = "--method", required = true, description = "voronoi|spdi|spdi-legacy|voronoiboost|deepmend|direct")
    String method;
    @Option(names = "--beta", defaultValue = "2", description = "sPDI attenuation (default ${DEFAULT-VALUE}).") double beta;
    @Option(names = "--k", defaultValue = "5", description = "sPDI neighbours other than the BS, 1..8 (default ${DEFAULT-VALUE}).") int k;
    @Option(names = "--model", description = "Trained model (voronoiboost, deepmend, direct; deepmend without it: the shipped student, models/"
            + ShippedModel.NAME + ").") Path model;
    private boolean shipped;
    @Option(names = "--ids", split = ",", description = "Only these site ids (comma separated).") List<String> ids;
    /** Null when not given: the SPEC's 600, or a U-Net's own grid (see {@link #grid}). */
    @Option(names = "--window", description = "Window side in pixels (default 600; deepmend/direct: the model's when neither --window nor --resolution is given).") Integer window;
    @Option(names = "--resolution", description = "Pixel side in metres (default 100; deepmend/direct: the model's when neither --window nor --resolution is given).") Double resolution;
    @Option(names = "--region", description = "GeoJSON (lon/lat) outline: pixels outside get no mass.") Path region;
    @Option(names = "--out", required = true, description = "Output: an .arrow file, or a directory for geotiff/npy.") Path out;
    @Option(names = "--format", defaultValue = "arrow", description = "arrow|geotiff|npy (default ${DEFAULT-VALUE}).") String format;
    @Option(names = "--sparse", description = "Arrow only: store the pixels carrying all but --drop-mass of each map.") boolean sparse;
    @Option(names = "--drop-mass", defaultValue = "3e-2", description = "Mass a sparse map may drop, renormalised (default ${DEFAULT-VALUE}; KS2 cost about 2/3 of it; see README).") double dropMass;
    @Option(names = "--operator", description = "Keep only this operator's sites (ARCEP code, or the operator column).") String operator;
    @Option(names = "--crs", description = "CRS of x,y inputs / projection for lat,lon inputs (EPSG code or proj string).") String crs;
    @Option(names = "--skip-bad-rows", description = "Count and report bad inventory rows instead of failing.") boolean skipBadRows;
    @Option(names = "--resume", description = "geotiff/npy: keep maps already written by an interrupted run.") boolean resume;
    @Option(names = "--batch", defaultValue = "16", description = "Maps drawn per kernel launch (default ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--tile", defaultValue = "1000", description = "Tile side in pixels sharing one neighbour raster (default ${DEFAULT-VALUE}).") int tile;
    @Mixin ComputeOptions compute;

    /** The SPEC grid: 600 x 600 pixels of 100 m. */
    static final int SPEC_WINDOW = 600;
    static final double SPEC_RESOLUTION = 100;

    /** What one method needs to draw: made after the inventory is read. */
    private interface DrawerFactory {
        Drawing open(Inventory inv, int[] targets, BufferAllocator alloc) throws Exception;
    }

    /**
     * A method ready to draw: its drawer, the grid it draws on, its own parameters for the metadata, how the summary
     * names it, and what else the summary says; {@code close} releases what the method opened.
     */
    private record Drawing(MapDrawer drawer, int window, double resolution, Map<String, String> params, String how,
                           java.util.function.Supplier<String> extra, AutoCloseable close) {}

    @Override public Integer call() throws Exception {
        Method m = Method.parse(method);
        if (m == Method.DEEPMEND && model == null) {
            model = ShippedModel.directory();
            shipped = true;
            System.err.println("geomend geolocate: no --model: using " + ShippedModel.DESCRIPTION);
        }
        if (!m.closedForm() && model == null)
            throw new IllegalArgumentException(switch (m) {
                case VORONOIBOOST -> "--method voronoiboost needs --model FILE (see geomend voronoiboost train)";
                default -> "--method " + m.cliName + " needs --model (a directory written by geomend train)";
            });
        Geolocation.Output output = new Geolocation.Output(format, out, sparse, dropMass, resume);
        DrawerFactory factory = switch (m) {
            case VORONOI, SPDI, SPDI_LEGACY -> closedForm(m);
            case VORONOIBOOST -> voronoiBoost();
            case DEEPMEND, DIRECT -> student(m);
        };
        long t0 = System.nanoTime();
        Inventory inv = InventoryReader.read(sites, new InventoryOptions(crs, operator, skipBadRows, System.err));
        if (inv.size() == 0) throw new IllegalArgumentException(sites + ": no sites" + (operator != null ? " for operator " + operator : ""));
        double readS = (System.nanoTime() - t0) / 1e9;
        String[] idOf = new String[inv.size()];
        for (int i = 0; i < idOf.length; i++) idOf[i] = inv.sites().get(i).id();
        int[] targets = targets(idOf, inv);
        try (BufferAllocator alloc = Memory.child("geolocate")) {
            Drawing d = factory.open(inv, targets, alloc);
            try (AutoCloseable release = d.close(); MapDrawer drawer = d.drawer()) {
                Geolocation g = new Geolocation(new Geolocation.Request(inv, sites, operator, region, targets,
                        new Geolocator.Layout(d.window(), d.resolution(), batch, tile), m.cliName, d.params(), output));
                Geolocator.Stats s;
                try (ProgressBar bar = new ProgressBar("geolocate " + m.cliName)) {
                    s = g.run(drawer, alloc, bar::update);
                }
                System.err.printf(Locale.ROOT,
                        "geomend geolocate: %d maps (%s, %s) of %d sites in %.1f s (%.1f maps/s; reading %.2f s), %s%s written to %s, "
                                + "peak off-heap %d MiB, peak RSS %s%s%s%s%n",
                        s.maps(), m.cliName, d.how(), inv.size(), s.seconds(), s.mapsPerSecond(), readS,
                        s.tiles() > 0 ? s.tiles() + " tiles, " : "", human(s.bytesWritten()), out, Memory.peakBytes() >> 20, peakRss(),
                        s.unmaskedFallback() > 0 ? ", " + s.unmaskedFallback() + " maps had no pixel inside the region and were kept unmasked" : "",
                        s.sitePixelFallback() > 0 ? ", " + s.sitePixelFallback() + " maps were empty (no pixel centre in the cell, or no mass) and got all their mass on the site's pixel" : "",
                        d.extra().get());
            }
        }
        return 0;
    }

    private int window() { return window == null ? SPEC_WINDOW : window; }

    private double resolution() { return resolution == null ? SPEC_RESOLUTION : resolution; }

    /** Voronoi, sPDI (--beta, --k), legacy sPDI (beta from each site's urbanisation class). */
    private DrawerFactory closedForm(Method m) {
        Geolocator.Options o = new Geolocator.Options(m, beta, k, window(), resolution(), batch, tile);
        return (inv, targets, alloc) -> {
            SitePositions pos = inv.positions();
            double[] betas = null;
            Map<String, Integer> classCount = new LinkedHashMap<>();
            if (m == Method.SPDI_LEGACY) {
                String[] cls = Urbanisation.classes(inv.sites(), pos);
                betas = new double[cls.length];
                for (int i = 0; i < cls.length; i++) betas[i] = Urbanisation.legacyBeta(cls[i]);
                for (int t : targets) classCount.merge(cls[t], 1, Integer::sum);
            }
            Map<String, String> params = new HashMap<>();
            if (m == Method.SPDI) params.put("beta", Double.toString(beta));
            if (m != Method.VORONOI) params.put("k", Integer.toString(k));
            GeoKernels kernels = compute.open();
            return new Drawing(new ClosedFormDrawer(kernels, alloc, pos, m, o.beta(), o.k(), betas), o.window(), o.resolution(), params,
                    "backend " + kernels.name(), () -> classCount.isEmpty() ? "" : ", classes " + classCount, kernels);
        };
    }

    /** {@code --method voronoiboost --model FILE}: the trained model's maps (see org.geomend.voronoiboost). */
    private DrawerFactory voronoiBoost() throws Exception {
        Geolocator.Layout grid = new Geolocator.Layout(window(), resolution(), batch, tile);
        VoronoiBoostModel vb = VoronoiBoostModel.load(model);
        return (inv, targets, alloc) -> {
            long t0 = System.nanoTime();
            InventoryCells cells = InventoryCells.of(inv.positions(), vb.settings());
            double featS = (System.nanoTime() - t0) / 1e9;
            Map<String, String> params = new HashMap<>();
            params.put("model", model.toString());
            params.put("origin", vb.settings().origin().cliName());
            params.put("clip_margin_m", Double.toString(vb.settings().clipMargin()));
            VoronoiBoostMaps maps = new VoronoiBoostMaps(cells, vb);
            return new Drawing(maps, grid.window(), grid.resolution(), params, "Java",
                    () -> String.format(Locale.ROOT, ", tessellation and features %.1f s, %d with all %d taus kept", featS, maps.allTausKept(),
                            vb.taus().length), () -> {});
        };
    }

    /**
     * {@code --method deepmend|direct --model DIR}: the U-Net student's maps. It draws on the grid it was trained on
     * unless {@code --window} or {@code --resolution} is given (then the SPEC's for the one not given).
     */
    private DrawerFactory student(Method m) {
        return (inv, targets, alloc) -> {
            GeoKernels geo = compute.open();
            NnKernels nn = null;
            StudentModel sm = null;
            try {
                nn = NnBackends.open(compute.backend, compute.threads, System.err);
                sm = StudentModel.load(model, nn, geo, alloc, Math.max(1, Math.min(batch, 4)));
            } catch (Exception | Error e) {
                if (nn != null) nn.close();
                geo.close();
                throw e;
            }
            UNetConfig cfg = sm.config();
            int w = window();
            double res = resolution();
            if (window == null && resolution == null) {
                w = cfg.window();
                res = cfg.resolution();
                if (w != SPEC_WINDOW || res != SPEC_RESOLUTION)
                    System.err.printf(Locale.ROOT, "geomend geolocate: using the model's grid, %d x %d pixels of %.0f m%n", w, w, res);
            }
            Map<String, String> params = new HashMap<>();
            params.put("model", shipped ? "shipped:" + ShippedModel.NAME : model.toString());
            StudentModel fsm = sm;
            NnKernels fnn = nn;
            return new Drawing(new StudentDrawer(sm, inv.positions()), w, res, params, "U-Net on " + nn.name(), () -> "", () -> {
                fsm.close();
                fnn.close();
                geo.close();
            });
        };
    }

    int[] targets(String[] idOf, Inventory inv) {
        if (ids == null || ids.isEmpty()) {
            int[] all = new int[idOf.length];
            for (int i = 0; i < all.length; i++) all[i] = i;
            return all;
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < idOf.length; i++) index.putIfAbsent(idOf[i], i);
        List<Integer> t = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            Integer i = index.get(inv.resolveId(id.trim()));
            if (i == null) missing.add(id); else t.add(i);
        }
        if (!missing.isEmpty())
            throw new IllegalArgumentException("--ids: not in " + sites + ": " + String.join(",", missing.subList(0, Math.min(5, missing.size())))
                    + (missing.size() > 5 ? " (and " + (missing.size() - 5) + " more)" : ""));
        return t.stream().mapToInt(Integer::intValue).distinct().toArray();
    }

    static String human(long bytes) {
        if (bytes < 1 << 20) return bytes + " B";
        if (bytes < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        return String.format(Locale.ROOT, "%.2f GiB", bytes / 1073741824.0);
    }

    /** Peak resident set size of this process (Linux VmHWM), or "n/a". */
    static String peakRss() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return line.substring(6).trim();
        } catch (Exception ignored) { }
        return "n/a";
    }
}
