package org.geomend.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.geolocate.Geolocator;
import org.geomend.geolocate.Method;
import org.geomend.geolocate.RegionRaster;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.InputException;
import org.geomend.io.Inventory;
import org.geomend.io.InventoryOptions;
import org.geomend.io.InventoryReader;
import org.geomend.io.MapSinks;
import org.geomend.io.RegionMask;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.geomend.traffic.Kpi;
import org.geomend.traffic.MapSources;
import org.geomend.traffic.TrafficOutputs;
import org.geomend.traffic.TrafficSweep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code geomend traffic}: per-BS KPI values spread onto one raster, pixel = sum_i value_i(t) P(l|i) (DeepMEND VI). */
@Command(
        name = "traffic",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Spread per-base-station KPI values onto one raster: pixel(l, t) = sum_i value_i(t) P(l|i), "
                    + "float64 sums, one float32 band per time step (sorted), on the SPEC lattice covering the union of the maps' windows.",
            "Streams in blocks of --block-rows x --block-cols pixels: memory is T x (block-rows + window) x block-cols doubles "
                    + "plus a batch of maps, whatever the number of sites (see README). Sites with KPI values but no map "
                    + "(no mass, no mass inside --region, absent from --maps) are counted and reported with their traffic; "
                    + "the output's metadata records input_total, mapped_total, unmapped_total."
        })
final class TrafficCommand implements Callable<Integer> {

    @Option(
            names = "--sites",
            required = true,
            description = "Site inventory (as geolocate: generic CSV, ARCEP, OpenCelliD).")
    Path sites;

    @Option(names = "--operator", description = "Keep only this operator's sites (ARCEP code, or the operator column).")
    String operator;

    @Option(
            names = "--crs",
            description = "CRS of x,y inputs / projection for lat,lon inputs (EPSG code or proj string).")
    String crs;

    @Option(names = "--skip-bad-rows", description = "Count and report bad inventory rows instead of failing.")
    boolean skipBadRows;

    @Option(
            names = "--kpi",
            required = true,
            description = "KPI CSV: header id,value or id,time,value (one row per site and time step).")
    Path kpiFile;

    @Option(
            names = "--skip-unknown",
            description = "Count and skip KPI rows whose id is not in the inventory (default: an error).")
    boolean skipUnknown;

    @Option(
            names = "--maps",
            description =
                    "Arrow map file written by geolocate (dense or sparse): use its maps instead of drawing them.")
    Path maps;

    @Option(
            names = "--region",
            description = "GeoJSON (lon/lat) outline: maps are drawn with no mass outside (when drawing).")
    Path region;

    @Option(names = "--format", defaultValue = "geotiff", description = "geotiff|npy|arrow (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", required = true, description = "Output file (.tif, .npy with OUT.json beside it, .arrow).")
    Path out;

    @Option(names = "--deflate", description = "geotiff: DEFLATE-compress the tiles.")
    boolean deflate;

    @Option(
            names = "--block-rows",
            defaultValue = "256",
            description = "Rows per output block (GeoTIFF tile length; multiple of 16; default ${DEFAULT-VALUE}).")
    int blockRows;

    @Option(
            names = "--block-cols",
            defaultValue = "2048",
            description = "Columns per output block (GeoTIFF tile width; multiple of 16; default ${DEFAULT-VALUE}).")
    int blockCols;

    @Mixin
    MethodOptions drawing;

    @Override
    public Integer call() throws Exception {
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("geotiff") && !f.equals("npy") && !f.equals("arrow"))
            throw new IllegalArgumentException("--format must be geotiff, npy or arrow: '" + format + "'");
        if (blockRows < 16 || blockCols < 16 || blockRows % 16 != 0 || blockCols % 16 != 0)
            throw new IllegalArgumentException("--block-rows and --block-cols must be multiples of 16 (GeoTIFF tiles): "
                    + blockRows + ", " + blockCols);
        if (deflate && !f.equals("geotiff"))
            throw new IllegalArgumentException("--deflate applies to --format geotiff only");
        if (maps != null && region != null)
            throw new IllegalArgumentException(
                    "--region applies when drawing; maps read with --maps are used as written (geolocate them with --region)");
        Method m = drawing.method();
        MethodOptions.DrawerFactory factory = maps == null ? drawing.factory("traffic") : null;
        long t0 = System.nanoTime();
        Inventory inv = InventoryReader.read(sites, new InventoryOptions(crs, operator, skipBadRows, System.err));
        if (inv.size() == 0)
            throw new IllegalArgumentException(
                    sites + ": no sites" + (operator != null ? " for operator " + operator : ""));
        Kpi kpi = Kpi.read(kpiFile, inv, skipUnknown);
        if (kpi.unknownRows() > 0)
            System.err.printf(
                    Locale.ROOT,
                    "geomend traffic: skipped %d KPI rows of %d ids not in the inventory (traffic %s)%n",
                    kpi.unknownRows(),
                    kpi.unknownIds(),
                    num(kpi.unknownTotal()));
        int[] targets = kpi.sites();
        GridSpec[] windows = new GridSpec[inv.size()];
        Map<String, String> params = new HashMap<>();
        params.put("sites", sites.toString());
        params.put("kpi", kpiFile.toString());
        if (operator != null) params.put("operator", operator);
        if (region != null) params.put("region", region.toString());
        String outCrs = inv.crs().name();
        RegionMask regionMask = region == null ? null : RegionMask.load(region, inv.crs());
        int notInMaps = 0;
        double notInMapsTotal = 0;
        try (BufferAllocator alloc = Memory.child("traffic")) {
            MethodOptions.Drawing d = null;
            ArrowMapReader reader = null;
            try {
                TrafficSweep.MapSource source;
                if (maps == null) {
                    d = factory.open(inv, targets, alloc);
                    Geolocator.Layout layout = drawing.layout(d);
                    for (int t : targets) windows[t] = layout.window(inv.positions(), t);
                    RegionRaster rr = regionMask == null ? null : regionMask::rasterize;
                    source = MapSources.drawing(inv.positions(), layout, d.drawer(), rr, alloc);
                    params.putAll(d.params());
                    params.put("window", Integer.toString(layout.window()));
                    params.put("resolution", Double.toString(layout.resolution()));
                } else {
                    reader = ArrowMapReader.open(maps);
                    params.put("maps", maps.toString());
                    Map<String, Integer> siteOf = new HashMap<>();
                    for (int t : targets) siteOf.putIfAbsent(inv.sites().get(t).id(), t);
                    int[] rowOf = new int[inv.size()];
                    String[] mapCrs = {null};
                    ArrowMapReader rd = reader;
                    reader.forEachGrid((row, id, grid, c) -> {
                        Integer s = siteOf.get(inv.resolveId(id));
                        if (s == null || windows[s] != null) return;
                        if (mapCrs[0] == null) mapCrs[0] = c;
                        else if (!mapCrs[0].equals(c))
                            throw new InputException(
                                    rd.path(), 0, "maps in two CRSs: '" + mapCrs[0] + "' and '" + c + "'");
                        if (Math.abs(grid.x0() / grid.resolution() - Math.rint(grid.x0() / grid.resolution())) > 1e-6
                                || Math.abs(grid.y0() / grid.resolution() - Math.rint(grid.y0() / grid.resolution()))
                                        > 1e-6)
                            throw new InputException(
                                    rd.path(), 0, "map " + id + " is not on the lattice of its resolution");
                        windows[s] = grid;
                        rowOf[s] = row;
                    });
                    if (mapCrs[0] != null) outCrs = mapCrs[0];
                    java.util.List<Integer> kept = new java.util.ArrayList<>();
                    for (int t : targets) {
                        if (windows[t] != null) kept.add(t);
                        else {
                            notInMaps++;
                            notInMapsTotal += kpi.siteTotal(t);
                        }
                    }
                    if (kept.isEmpty()) throw new InputException(maps, 0, "holds no map of a site in " + kpiFile);
                    targets = kept.stream().mapToInt(Integer::intValue).toArray();
                    source = MapSources.arrow(reader, rowOf);
                }
                GridSpec raster;
                try {
                    raster = TrafficSweep.union(windows, targets);
                } catch (IllegalArgumentException e) {
                    throw new InputException(maps, 0, e.getMessage());
                }
                int br = Math.min(blockRows, roundUp16(raster.height())),
                        bc = Math.min(blockCols, roundUp16(raster.width()));
                RegionRaster mask = maps == null && regionMask != null ? regionMask::rasterize : null;
                TrafficSweep sweep = new TrafficSweep(raster, kpi, windows, targets, br, bc, mask, alloc);
                Map<String, String> meta = new LinkedHashMap<>(MapSinks.geomendMetadata(m.cliName, params));
                TrafficSweep.Result r;
                long tSweep = System.nanoTime();
                try (TrafficOutputs.Out o =
                                TrafficOutputs.open(f, out, raster, outCrs, kpi.times(), meta, br, bc, deflate);
                        ProgressBar bar = new ProgressBar("traffic " + (maps == null ? m.cliName : "maps"))) {
                    r = sweep.run(source, o, bar::update);
                    Map<String, String> totals = new LinkedHashMap<>();
                    double unmapped = r.unmappedTotal() + notInMapsTotal;
                    totals.put("input_total", num(kpi.inputTotal()));
                    totals.put("mapped_total", num(r.mappedTotal()));
                    totals.put("unmapped_total", num(unmapped));
                    totals.put("unmapped_sites", Integer.toString(r.unmappedSites() + notInMaps));
                    totals.put("raster_total", num(r.rasterTotal()));
                    if (kpi.unknownRows() > 0) {
                        totals.put("unknown_kpi_rows", Long.toString(kpi.unknownRows()));
                        totals.put("unknown_kpi_total", num(kpi.unknownTotal()));
                    }
                    o.commit(totals);
                    double s = (System.nanoTime() - tSweep) / 1e9;
                    if (r.unmappedSites() + notInMaps > 0) {
                        java.util.List<String> why = new java.util.ArrayList<>();
                        if (notInMaps > 0) why.add(notInMaps + " not in " + maps);
                        if (r.unmappedSites() > 0)
                            why.add(r.unmappedSites() + " without mass" + (region != null ? " inside the region" : ""));
                        System.err.printf(
                                Locale.ROOT,
                                "geomend traffic: %d sites with KPI values have no map (%s), traffic %s of %s not spread%n",
                                r.unmappedSites() + notInMaps,
                                String.join(", ", why),
                                num(unmapped),
                                num(kpi.inputTotal()));
                    }
                    System.err.printf(
                            Locale.ROOT,
                            "geomend traffic: %d sites, %d time steps, raster %d x %d of %.0f m (%d blocks of %d x %d), %d maps %s in %.1f s "
                                    + "(reading %.2f s); traffic %s in, %s mapped, raster total %s; %s written to %s; buffers %d MiB, peak off-heap %d MiB, peak RSS %s%n",
                            r.mappedSites() + r.unmappedSites(),
                            kpi.times().length,
                            raster.width(),
                            raster.height(),
                            raster.resolution(),
                            r.blocks(),
                            bc,
                            br,
                            r.mapsDrawn(),
                            maps == null ? "drawn" : "read",
                            s,
                            (tSweep - t0) / 1e9,
                            num(kpi.inputTotal()),
                            num(r.mappedTotal()),
                            num(r.rasterTotal()),
                            GeolocateCommand.human(java.nio.file.Files.size(out)),
                            out,
                            sweep.bufferBytes() >> 20,
                            Memory.peakBytes() >> 20,
                            GeolocateCommand.peakRss());
                }
            } finally {
                if (reader != null) reader.close();
                if (d != null) {
                    try (AutoCloseable release = d.close();
                            var dr = d.drawer()) {}
                }
            }
        }
        return 0;
    }

    private static int roundUp16(int n) {
        return (n + 15) / 16 * 16;
    }

    static String num(double v) {
        return Double.toString(v);
    }
}
