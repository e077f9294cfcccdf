package org.geomend.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.geomend.geo.Crs;

/** Opens the {@link MapSink} of an output format ({@code --format arrow|geotiff|npy}). */
public final class MapSinks {

    /**
     * The default {@code --drop-mass} of sparse Arrow output: 3e-2, not the SPEC's 1e-4. sPDI maps are
     * heavy-tailed (every window pixel has mass; with k = 5, beta = 2 a France Orange map needs 184k of
     * its 360k pixels to hold all but 1e-4), so 1e-4 makes the France run 36 GB; 3e-2 makes it 9 GB at a
     * KS2 cost of 0.020 on average (0.029 at most) against the full map. Measured with
     * {@code bench/.../InventoryRun --probe-drop-mass}; table in the README and bench/results.
     */
    public static final double DEFAULT_DROP_MASS = 3e-2;

    private MapSinks() {}

    /**
     * Opens a sink. {@code out} is the Arrow file, or the directory of GeoTIFF/NPY files.
     * {@code sparse} and {@code dropMass} are for {@code arrow} only, {@code resume} for
     * {@code geotiff}/{@code npy} only; asking for them elsewhere, an unknown format or a CRS GeoTIFF keys
     * cannot express is an {@link IllegalArgumentException} (bad usage).
     */
    public static MapSink open(String format, Path out, Crs crs, boolean sparse, double dropMass, boolean resume,
                               Map<String, String> metadata) throws IOException {
        String f = format == null ? "arrow" : format.toLowerCase(Locale.ROOT);
        if (!f.equals("arrow") && sparse) throw new IllegalArgumentException("--sparse is only for --format arrow");
        if (f.equals("arrow") && resume) throw new IllegalArgumentException("--resume is only for --format geotiff or npy");
        return switch (f) {
            case "arrow" -> new ArrowMapSink(out, crs, sparse, dropMass, metadata);
            case "geotiff", "tif", "tiff" -> new GeoTiffMapSink(out, crs, resume, metadata);
            case "npy" -> new NpyMapSink(out, crs, resume, metadata);
            default -> throw new IllegalArgumentException("unknown map format '" + format + "' (arrow, geotiff or npy)");
        };
    }

    /**
     * The conventional metadata of a map output: one key {@code geomend} whose value is the JSON
     * {@code {"method": "...", "params": {"k": "v", ...}}} (params sorted by name, values as strings).
     */
    public static Map<String, String> geomendMetadata(String method, Map<String, String> params) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("method", method);
        o.put("params", new TreeMap<>(params));
        String json = Json.inline(o);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("geomend", json);
        return m;
    }
}
