package org.geomend.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.geolocate.Geolocation;
import org.geomend.geolocate.Geolocator;
import org.geomend.geolocate.MapDrawer;
import org.geomend.geolocate.Method;
import org.geomend.io.Inventory;
import org.geomend.io.InventoryOptions;
import org.geomend.io.InventoryReader;
import org.geomend.kernels.Memory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code geomend geolocate}: one geolocation map per base station of an inventory (SPEC sections 2, 4, 5). */
@Command(
        name = "geolocate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Draw the geolocation map P(l|i) of every base station of an inventory.")
final class GeolocateCommand implements Callable<Integer> {

    @Option(
            names = "--sites",
            required = true,
            description =
                    "Site inventory: generic CSV (id + lat,lon or x,y), ARCEP sites CSV, or OpenCelliD cell_towers.csv.")
    Path sites;

    @Option(names = "--ids", split = ",", description = "Only these site ids (comma separated).")
    List<String> ids;

    @Option(names = "--region", description = "GeoJSON (lon/lat) outline: pixels outside get no mass.")
    Path region;

    @Option(names = "--out", required = true, description = "Output: an .arrow file, or a directory for geotiff/npy.")
    Path out;

    @Option(names = "--format", defaultValue = "arrow", description = "arrow|geotiff|npy (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--sparse", description = "Arrow only: store the pixels carrying all but --drop-mass of each map.")
    boolean sparse;

    @Option(
            names = "--drop-mass",
            defaultValue = "3e-2",
            description =
                    "Mass a sparse map may drop, renormalised (default ${DEFAULT-VALUE}; KS2 cost about 2/3 of it; see README).")
    double dropMass;

    @Option(names = "--operator", description = "Keep only this operator's sites (ARCEP code, or the operator column).")
    String operator;

    @Option(
            names = "--crs",
            description = "CRS of x,y inputs / projection for lat,lon inputs (EPSG code or proj string).")
    String crs;

    @Option(names = "--skip-bad-rows", description = "Count and report bad inventory rows instead of failing.")
    boolean skipBadRows;

    @Option(names = "--resume", description = "geotiff/npy: keep maps already written by an interrupted run.")
    boolean resume;

    @Mixin
    MethodOptions drawing;

    @Override
    public Integer call() throws Exception {
        Method m = drawing.method();
        Geolocation.Output output = new Geolocation.Output(format, out, sparse, dropMass, resume);
        MethodOptions.DrawerFactory factory = drawing.factory("geolocate");
        long t0 = System.nanoTime();
        Inventory inv = InventoryReader.read(sites, new InventoryOptions(crs, operator, skipBadRows, System.err));
        if (inv.size() == 0)
            throw new IllegalArgumentException(
                    sites + ": no sites" + (operator != null ? " for operator " + operator : ""));
        double readS = (System.nanoTime() - t0) / 1e9;
        String[] idOf = new String[inv.size()];
        for (int i = 0; i < idOf.length; i++) idOf[i] = inv.sites().get(i).id();
        int[] targets = targets(idOf, inv);
        try (BufferAllocator alloc = Memory.child("geolocate")) {
            MethodOptions.Drawing d = factory.open(inv, targets, alloc);
            try (AutoCloseable release = d.close();
                    MapDrawer drawer = d.drawer()) {
                Geolocation g = new Geolocation(new Geolocation.Request(
                        inv, sites, operator, region, targets, drawing.layout(d), m.cliName, d.params(), output));
                Geolocator.Stats s;
                try (ProgressBar bar = new ProgressBar("geolocate " + m.cliName)) {
                    s = g.run(drawer, alloc, bar::update);
                }
                System.err.printf(
                        Locale.ROOT,
                        "geomend geolocate: %d maps (%s, %s) of %d sites in %.1f s (%.1f maps/s; reading %.2f s), %s%s written to %s, "
                                + "peak off-heap %d MiB, peak RSS %s%s%s%s%n",
                        s.maps(),
                        m.cliName,
                        d.how(),
                        inv.size(),
                        s.seconds(),
                        s.mapsPerSecond(),
                        readS,
                        s.tiles() > 0 ? s.tiles() + " tiles, " : "",
                        human(s.bytesWritten()),
                        out,
                        Memory.peakBytes() >> 20,
                        peakRss(),
                        s.unmaskedFallback() > 0
                                ? ", " + s.unmaskedFallback()
                                        + " maps had no pixel inside the region and were kept unmasked"
                                : "",
                        s.sitePixelFallback() > 0
                                ? ", " + s.sitePixelFallback()
                                        + " maps were empty (no pixel centre in the cell, or no mass) and got all their mass on the site's pixel"
                                : "",
                        d.extra().get());
            }
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
            if (i == null) missing.add(id);
            else t.add(i);
        }
        if (!missing.isEmpty())
            throw new IllegalArgumentException("--ids: not in " + sites + ": "
                    + String.join(",", missing.subList(0, Math.min(5, missing.size())))
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
        } catch (Exception ignored) {
        }
        return "n/a";
    }
}
