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
     * Checks the output options of a map-writing command and returns the format's canonical name ({@code arrow},
     * {@code geotiff} or {@code npy}, case-insensitive; null is {@code arrow}). {@code sparse} and {@code dropMass}
     * are for {@code arrow} only, {@code resume} for {@code geotiff}/{@code npy} only; anything else is an
     * {@link IllegalArgumentException} (bad usage) naming the option.
     */
    public static String check(String format, boolean sparse, double dropMass, boolean resume) {
        String f = format == null ? "arrow" : format.toLowerCase(Locale.ROOT);
        if (!f.equals("arrow") && !f.equals("geotiff") && !f.equals("npy"))
            throw new IllegalArgumentException("--format must be arrow, geotiff or npy: '" + format + "'");
        if (sparse && !f.equals("arrow")) throw new IllegalArgumentException("--sparse applies to --format arrow only");
        if (!(dropMass >= 0 && dropMass < 1))
            throw new IllegalArgumentException("--drop-mass must be in [0, 1): " + dropMass);
        if (resume && f.equals("arrow"))
            throw new IllegalArgumentException(
                    "--resume applies to geotiff and npy outputs (an interrupted arrow run leaves only a .partial file: run it again)");
        return f;
    }

    /**
     * Opens a sink. {@code out} is the Arrow file, or the directory of GeoTIFF/NPY files. The options are
     * {@link #check checked}; a CRS GeoTIFF keys cannot express is an {@link IllegalArgumentException} (bad usage).
     */
    public static MapSink open(
            String format,
            Path out,
            Crs crs,
            boolean sparse,
            double dropMass,
            boolean resume,
            Map<String, String> metadata)
            throws IOException {
        return switch (check(format, sparse, dropMass, resume)) {
            case "arrow" -> new ArrowMapSink(out, crs, sparse, dropMass, metadata);
            case "geotiff" -> new GeoTiffMapSink(out, crs, resume, metadata);
            default -> new NpyMapSink(out, crs, resume, metadata);
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
