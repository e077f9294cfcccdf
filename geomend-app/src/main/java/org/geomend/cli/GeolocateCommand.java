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
import org.geomend.geolocate.Geolocator;
import org.geomend.geolocate.Method;
import org.geomend.geolocate.RegionRaster;
import org.geomend.geolocate.Urbanisation;
import org.geomend.io.Inventory;
import org.geomend.io.InventoryOptions;
import org.geomend.io.InventoryReader;
import org.geomend.io.MapSink;
import org.geomend.io.MapSinks;
import org.geomend.io.RegionMask;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
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
    @Option(names = "--model", description = "Trained model (voronoiboost, deepmend, direct).") Path model;
    @Option(names = "--ids", split = ",", description = "Only these site ids (comma separated).") List<String> ids;
    @Option(names = "--window", defaultValue = "600", description = "Window side in pixels (default ${DEFAULT-VALUE}).") int window;
    @Option(names = "--resolution", defaultValue = "100", description = "Pixel side in metres (default ${DEFAULT-VALUE}).") double resolution;
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

    @Override public Integer call() throws Exception {
        Method m = Method.parse(method);
        if (m == Method.DEEPMEND || m == Method.DIRECT) return StudentGeolocate.run(this, m);
        if (m == Method.VORONOIBOOST) return voronoiBoost();
        if (!m.closedForm())
            throw new UnsupportedOperationException("--method " + m.cliName + " needs a trained model and is not implemented in this build yet");
        format = format.toLowerCase(Locale.ROOT);
        if (!List.of("arrow", "geotiff", "npy").contains(format)) throw new IllegalArgumentException("--format must be arrow, geotiff or npy: '" + format + "'");
        if (sparse && !format.equals("arrow")) throw new IllegalArgumentException("--sparse applies to --format arrow only");
        if (!(dropMass >= 0 && dropMass < 1)) throw new IllegalArgumentException("--drop-mass must be in [0, 1): " + dropMass);
        if (resume && format.equals("arrow")) throw new IllegalArgumentException("--resume applies to geotiff and npy outputs (an interrupted arrow run leaves only a .partial file: run it again)");
        long t0 = System.nanoTime();
        Inventory inv = InventoryReader.read(sites, new InventoryOptions(crs, operator, skipBadRows, System.err));
        if (inv.size() == 0) throw new IllegalArgumentException(sites + ": no sites" + (operator != null ? " for operator " + operator : ""));
        double readS = (System.nanoTime() - t0) / 1e9;
        SitePositions pos = inv.positions();
        String[] idOf = new String[inv.size()];
        for (int i = 0; i < idOf.length; i++) idOf[i] = inv.sites().get(i).id();
        int[] targets = targets(idOf, inv);
        double[] betas = null;
        Map<String, Integer> classCount = new LinkedHashMap<>();
        if (m == Method.SPDI_LEGACY) {
            String[] cls = Urbanisation.classes(inv.sites(), pos);
            betas = new double[cls.length];
            for (int i = 0; i < cls.length; i++) betas[i] = Urbanisation.legacyBeta(cls[i]);
            for (int t : targets) classCount.merge(cls[t], 1, Integer::sum);
        }
        Geolocator.Options o = new Geolocator.Options(m, beta, k, window, resolution, batch, tile);
        Map<String, String> params = new HashMap<>();
        if (m == Method.SPDI) params.put("beta", Double.toString(beta));
        if (m != Method.VORONOI) params.put("k", Integer.toString(k));
        params.put("sites", sites.toString());
        params.put("window", Integer.toString(window));
        params.put("resolution", Double.toString(resolution));
        if (operator != null) params.put("operator", operator);
        if (region != null) params.put("region", region.toString());
        Map<String, String> meta = MapSinks.geomendMetadata(m.cliName, params);
        RegionRaster mask = null;
        if (region != null) {
            RegionMask rm = RegionMask.load(region, inv.crs());
            mask = rm::rasterize;
        }
        try (BufferAllocator alloc = Memory.child("geolocate");
             GeoKernels kernels = compute.open();
             MapSink sink = MapSinks.open(format, out, inv.crs(), sparse, dropMass, resume, meta);
             ProgressBar bar = new ProgressBar("geolocate " + m.cliName)) {
            Geolocator g = new Geolocator(kernels, alloc);
            java.util.function.IntPredicate skip = resume ? i -> sink.exists(idOf[i]) : null;
            Geolocator.Stats s = g.run(pos, idOf, betas, targets, o, mask, sink, skip, bar::update);
            sink.commit();
            bar.close();
            long peakArrow = Memory.peakBytes(); // the root's peak: every owner, the sink's record batches included
            System.err.printf(Locale.ROOT,
                    "geomend geolocate: %d maps (%s, backend %s) of %d sites in %.1f s (%.1f maps/s; reading %.2f s), %d tiles, %s written to %s, "
                            + "peak off-heap %d MiB, peak RSS %s%s%s%n",
                    s.maps(), m.cliName, kernels.name(), inv.size(), s.seconds(), s.mapsPerSecond(), readS, s.tiles(),
                    human(sink.bytesWritten()), out, peakArrow >> 20, peakRss(),
                    (s.unmaskedFallback() > 0 ? ", " + s.unmaskedFallback() + " maps had no pixel inside the region and were kept unmasked" : "")
                            + (s.sitePixelFallback() > 0 ? ", " + s.sitePixelFallback() + " maps were empty (Voronoi cell without a pixel centre) and got all their mass on the site's pixel" : ""),
                    classCount.isEmpty() ? "" : ", classes " + classCount);
        }
        return 0;
    }

    /** {@code --method voronoiboost --model FILE}: the trained model's maps (see org.geomend.voronoiboost). */
    private int voronoiBoost() throws Exception {
        if (model == null) throw new IllegalArgumentException("--method voronoiboost needs --model FILE (see geomend voronoiboost train)");
        format = format.toLowerCase(Locale.ROOT);
        if (!List.of("arrow", "geotiff", "npy").contains(format)) throw new IllegalArgumentException("--format must be arrow, geotiff or npy: '" + format + "'");
        if (sparse && !format.equals("arrow")) throw new IllegalArgumentException("--sparse applies to --format arrow only");
        if (!(dropMass >= 0 && dropMass < 1)) throw new IllegalArgumentException("--drop-mass must be in [0, 1): " + dropMass);
        if (resume) throw new IllegalArgumentException("--resume is not supported by --method voronoiboost");
        if (window < 1 || window > 8192) throw new IllegalArgumentException("--window must be in [1, 8192]: " + window);
        if (!(resolution > 0)) throw new IllegalArgumentException("--resolution must be > 0: " + resolution);
        org.geomend.voronoiboost.VoronoiBoostModel vb = org.geomend.voronoiboost.VoronoiBoostModel.load(model);
        Inventory inv = InventoryReader.read(sites, new InventoryOptions(crs, operator, skipBadRows, System.err));
        if (inv.size() == 0) throw new IllegalArgumentException(sites + ": no sites" + (operator != null ? " for operator " + operator : ""));
        String[] idOf = new String[inv.size()];
        for (int i = 0; i < idOf.length; i++) idOf[i] = inv.sites().get(i).id();
        int[] targets = targets(idOf, inv);
        long t0 = System.nanoTime();
        org.geomend.voronoiboost.InventoryCells cells = org.geomend.voronoiboost.InventoryCells.of(inv.positions(), vb.settings());
        double featS = (System.nanoTime() - t0) / 1e9;
        Map<String, String> params = new HashMap<>();
        params.put("model", model.toString());
        params.put("origin", vb.settings().origin().cliName());
        params.put("clip_margin_m", Double.toString(vb.settings().clipMargin()));
        params.put("sites", sites.toString());
        params.put("window", Integer.toString(window));
        params.put("resolution", Double.toString(resolution));
        if (operator != null) params.put("operator", operator);
        if (region != null) params.put("region", region.toString());
        RegionRaster mask = null;
        if (region != null) {
            RegionMask rm = RegionMask.load(region, inv.crs());
            mask = rm::rasterize;
        }
        try (BufferAllocator alloc = Memory.child("geolocate-voronoiboost");
             MapSink sink = MapSinks.open(format, out, inv.crs(), sparse, dropMass, false, MapSinks.geomendMetadata("voronoiboost", params));
             ProgressBar bar = new ProgressBar("geolocate voronoiboost")) {
            org.geomend.voronoiboost.VoronoiBoostMaps.Stats s = new org.geomend.voronoiboost.VoronoiBoostMaps(cells, vb)
                    .run(idOf, targets, window, resolution, mask, sink, alloc, bar::update);
            sink.commit();
            bar.close();
            System.err.printf(Locale.ROOT, "geomend geolocate: %d maps (voronoiboost, Java) of %d sites in %.1f s (tessellation and features %.1f s), "
                            + "%d with all %d taus kept, %s written to %s%s%s%n",
                    s.maps(), inv.size(), s.seconds(), featS, s.allTausKept(), vb.taus().length, human(sink.bytesWritten()), out,
                    s.unmaskedFallback() > 0 ? ", " + s.unmaskedFallback() + " maps had no pixel inside the region and were kept unmasked" : "",
                    s.sitePixelFallback() > 0 ? ", " + s.sitePixelFallback() + " maps got all their mass on the site's pixel" : "");
        }
        return 0;
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
