package org.geomend.geolocate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntPredicate;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.io.Inventory;
import org.geomend.io.MapSink;
import org.geomend.io.MapSinks;
import org.geomend.io.RegionMask;

/**
 * A whole map-writing run, whatever the method: the output (format, sparse drop mass, resume: checked first), the
 * region mask, the output metadata (the method's parameters, the inventory, grid, operator and region), the sink,
 * the {@link Geolocator} loop with the method's {@link MapDrawer}, and the commit. What {@code geomend geolocate}
 * runs for every method, and what later map-writing commands run.
 */
public final class Geolocation {

    /**
     * Where and how the maps are written ({@link MapSinks#check checked}; {@code format} canonical afterwards).
     *
     * @param dropMass mass a sparse Arrow map may drop ({@link MapSinks#DEFAULT_DROP_MASS} by default)
     * @param resume   geotiff/npy: keep the maps an interrupted run wrote and draw only the others
     */
    public record Output(String format, Path out, boolean sparse, double dropMass, boolean resume) {
        public Output {
            format = MapSinks.check(format, sparse, dropMass, resume);
        }
    }

    /**
     * What to draw.
     *
     * @param sites    the inventory's file (recorded in the metadata)
     * @param operator the operator the inventory was filtered on, or null (recorded)
     * @param region   GeoJSON outline of the region, or null (recorded; pixels outside get no mass)
     * @param method   the method's name (recorded)
     * @param params   the method's own parameters (recorded, beside sites, window, resolution, operator, region)
     */
    public record Request(
            Inventory inventory,
            Path sites,
            String operator,
            Path region,
            int[] targets,
            Geolocator.Layout layout,
            String method,
            Map<String, String> params,
            Output output) {}

    private final Request request;
    private final RegionRaster region;

    /** Loads the region (a bad region file fails here, before any work). */
    public Geolocation(Request request) throws IOException {
        this.request = request;
        if (request.region() == null) {
            region = null;
        } else {
            RegionMask rm =
                    RegionMask.load(request.region(), request.inventory().crs());
            region = rm::rasterize;
        }
    }

    /** The output's metadata: {@link MapSinks#geomendMetadata} of the method and every parameter that shaped the maps. */
    public Map<String, String> metadata() {
        Request r = request;
        Map<String, String> params = new HashMap<>(r.params());
        params.put("sites", r.sites().toString());
        params.put("window", Integer.toString(r.layout().window()));
        params.put("resolution", Double.toString(r.layout().resolution()));
        if (r.operator() != null) params.put("operator", r.operator());
        if (r.region() != null) params.put("region", r.region().toString());
        return MapSinks.geomendMetadata(r.method(), params);
    }

    /** Opens the sink, draws every target with {@code drawer} (resume: those not written yet), commits. */
    public Geolocator.Stats run(MapDrawer drawer, BufferAllocator alloc, Geolocator.Progress progress)
            throws IOException {
        Request r = request;
        Output o = r.output();
        Inventory inv = r.inventory();
        String[] ids = new String[inv.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = inv.sites().get(i).id();
        try (MapSink sink =
                MapSinks.open(o.format(), o.out(), inv.crs(), o.sparse(), o.dropMass(), o.resume(), metadata())) {
            IntPredicate skip = o.resume() ? i -> sink.exists(ids[i]) : null;
            Geolocator.Stats s = new Geolocator(null, alloc)
                    .run(inv.positions(), ids, r.targets(), r.layout(), drawer, region, sink, skip, progress);
            sink.commit();
            return new Geolocator.Stats(
                    s.maps(),
                    s.tiles(),
                    s.rasterPixels(),
                    s.unmaskedFallback(),
                    s.sitePixelFallback(),
                    s.seconds(),
                    sink.bytesWritten());
        }
    }
}
