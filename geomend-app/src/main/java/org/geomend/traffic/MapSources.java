package org.geomend.traffic;

import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.geolocate.Geolocator;
import org.geomend.geolocate.MapDrawer;
import org.geomend.geolocate.RegionRaster;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;
import org.geomend.kernels.SitePositions;

/** Where {@link TrafficSweep} gets its maps: drawn by the one drawing loop ({@link Geolocator}), or read from a map file. */
public final class MapSources {

    private MapSources() {}

    /**
     * Draws with {@code drawer} through {@link Geolocator#run} (tiles, batches, region mask, fallbacks: as {@code
     * geolocate} draws them); memory: what one {@code Geolocator} run holds (a tile's raster, two batches of maps).
     */
    public static TrafficSweep.MapSource drawing(
            SitePositions positions,
            Geolocator.Layout layout,
            MapDrawer drawer,
            RegionRaster region,
            BufferAllocator alloc) {
        String[] ids = new String[positions.x().length];
        for (int i = 0; i < ids.length; i++) ids[i] = Integer.toString(i);
        Geolocator g = new Geolocator(null, alloc);
        return (sites, sink) -> g.run(positions, ids, sites, layout, drawer, region, sink, null, null);
    }

    /**
     * Reads the maps of an Arrow map file: {@code rowOf[site]} is the file row holding site's map. Rows are read in
     * file order (one record batch in memory at a time).
     */
    public static TrafficSweep.MapSource arrow(ArrowMapReader reader, int[] rowOf) {
        return (sites, sink) -> {
            long[] order = new long[sites.length];
            for (int i = 0; i < sites.length; i++) order[i] = ((long) rowOf[sites[i]] << 32) | sites[i];
            Arrays.sort(order);
            for (long o : order) {
                int site = (int) o;
                MapData m = reader.read((int) (o >>> 32));
                sink.write(Integer.toString(site), m.grid(), m.values());
            }
        };
    }
}
