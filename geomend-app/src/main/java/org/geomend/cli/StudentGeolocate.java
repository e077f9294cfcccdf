package org.geomend.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.geolocate.Method;
import org.geomend.io.Inventory;
import org.geomend.io.InventoryOptions;
import org.geomend.io.InventoryReader;
import org.geomend.io.MapSink;
import org.geomend.io.MapSinks;
import org.geomend.io.RegionMask;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.NnBackends;
import org.geomend.student.StudentModel;
import org.geomend.student.UNetConfig;

/**
 * {@code geomend geolocate --method deepmend|direct --model MODEL}: the U-Net student's maps. The window and
 * resolution default to the model's (the grid it was trained on) when {@code --window} / {@code --resolution} are
 * left at their defaults. A region mask zeroes pixels before the renormalisation; a map left with no mass is kept
 * unmasked (counted).
 */
final class StudentGeolocate {

    private StudentGeolocate() {}

    static int run(GeolocateCommand c, Method m) throws Exception {
        if (c.model == null) throw new IllegalArgumentException("--method " + m.cliName + " needs --model (a directory written by geomend train)");
        String format = c.format.toLowerCase(Locale.ROOT);
        if (!List.of("arrow", "geotiff", "npy").contains(format)) throw new IllegalArgumentException("--format must be arrow, geotiff or npy: '" + c.format + "'");
        if (c.sparse && !format.equals("arrow")) throw new IllegalArgumentException("--sparse applies to --format arrow only");
        Inventory inv = InventoryReader.read(c.sites, new InventoryOptions(c.crs, c.operator, c.skipBadRows, System.err));
        if (inv.size() == 0) throw new IllegalArgumentException(c.sites + ": no sites");
        SitePositions pos = inv.positions();
        String[] idOf = new String[inv.size()];
        for (int i = 0; i < idOf.length; i++) idOf[i] = inv.sites().get(i).id();
        int[] targets = c.targets(idOf, inv);
        long t0 = System.nanoTime();
        try (BufferAllocator alloc = Memory.child("geolocate-student"); GeoKernels geo = c.compute.open();
             NnKernels nn = NnBackends.open(c.compute.backend, c.compute.threads, System.err);
             StudentModel model = StudentModel.load(c.model, nn, geo, alloc, Math.max(1, Math.min(c.batch, 4)))) {
            UNetConfig cfg = model.config();
            int window = c.window;
            double res = c.resolution;
            if (window == 600 && res == 100 && (cfg.window() != 600 || cfg.resolution() != 100)) {
                window = cfg.window();
                res = cfg.resolution();
                System.err.printf(Locale.ROOT, "geomend geolocate: using the model's grid, %d x %d pixels of %.0f m%n", window, window, res);
            }
            Map<String, String> params = new java.util.HashMap<>();
            params.put("model", c.model.toString());
            params.put("sites", c.sites.toString());
            params.put("window", Integer.toString(window));
            params.put("resolution", Double.toString(res));
            RegionMask rm = c.region == null ? null : RegionMask.load(c.region, inv.crs());
            int unmasked = 0;
            try (MapSink sink = MapSinks.open(format, c.out, inv.crs(), c.sparse, c.dropMass, c.resume,
                    MapSinks.geomendMetadata(m.cliName, params));
                 GridBuffer mb = GridBuffer.allocate(alloc, GridBuffer.Type.UINT8, (long) window * window)) {
                float[] map = new float[window * window];
                for (int t : targets) {
                    if (c.resume && sink.exists(idOf[t])) continue;
                    GridSpec win = GridSpec.window(pos.x()[t], pos.y()[t], window, res);
                    byte[][] mask = null;
                    if (rm != null) {
                        rm.rasterize(win, mb);
                        byte[] b = new byte[window * window];
                        for (int i = 0; i < b.length; i++) b[i] = mb.getByte(i);
                        mask = new byte[][] {b};
                    }
                    double[] s = model.predict(pos, new int[] {t}, new GridSpec[] {win}, mask, map, 0);
                    if (s[0] <= 0 && mask != null) {
                        unmasked++;
                        model.predict(pos, new int[] {t}, new GridSpec[] {win}, null, map, 0);
                    }
                    sink.write(idOf[t], win, map);
                }
                sink.commit();
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            System.err.printf(Locale.ROOT, "geomend geolocate: %d maps (%s, U-Net on %s) in %.1f s (%.0f ms per map)%s%n", targets.length,
                    m.cliName, nn.name(), sec, 1000 * sec / Math.max(1, targets.length),
                    unmasked > 0 ? ", " + unmasked + " maps had no mass inside the region and were kept unmasked" : "");
        }
        return 0;
    }
}
