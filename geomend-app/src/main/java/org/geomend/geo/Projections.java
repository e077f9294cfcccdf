package org.geomend.geo;

import java.util.Locale;
import org.locationtech.proj4j.CRSFactory;
import org.locationtech.proj4j.CoordinateReferenceSystem;
import org.locationtech.proj4j.Proj4jException;

/**
 * Builds {@link Crs} values and transforms between them with proj4j (and its EPSG database).
 *
 * <ul>
 *   <li>{@link #parse(String)}: {@code "EPSG:2154"}, {@code "epsg:2154"}, {@code "2154"} or a proj string
 *       ({@code "+proj=laea +lat_0=..."}); only projected CRSs in metres are accepted.</li>
 *   <li>{@link #laea(double, double)} / {@link #defaultFor(double[], double[], int)}: the default CRS of
 *       lon/lat inputs, Lambert azimuthal equal-area centred on the inputs' centroid.</li>
 *   <li>{@link #fromLonLat(Crs)} and {@link #between(Crs, Crs)}: point transforms.</li>
 * </ul>
 * The static methods are thread-safe (each call builds its own proj4j objects); the
 * {@link CrsTransform}s they return are not.
 */
public final class Projections {

    /** Lambert-93, the CRS of ARCEP inventories and of generic x,y inventories without {@code --crs}. */
    public static final Crs LAMBERT_93 = epsg(2154);

    private static final String WGS84 = "+proj=longlat +datum=WGS84 +no_defs";

    private Projections() {}

    /**
     * Parses a {@code --crs} value: an EPSG code with or without the {@code EPSG:} prefix, or a proj
     * string (starting with {@code +}).
     *
     * @throws IllegalArgumentException when it is unknown, unparsable, geographic or not in metres
     */
    public static Crs parse(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty CRS");
        String s = spec.strip();
        String code = s.regionMatches(true, 0, "EPSG:", 0, 5) ? s.substring(5).strip() : s;
        if (!code.isEmpty() && code.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return epsg(Integer.parseInt(code));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad EPSG code: '" + spec + "'");
            }
        }
        if (!s.startsWith("+"))
            throw new IllegalArgumentException(
                    "CRS must be an EPSG code (EPSG:2154 or 2154) or a proj string (+proj=...): '" + spec + "'");
        String proj = String.join(" ", s.split("\\s+"));
        Crs crs = new Crs(0, proj, proj);
        check(toProj4j(crs), spec);
        return crs;
    }

    /** The CRS of an EPSG code, with its proj definition from proj4j's EPSG database. */
    public static Crs epsg(int code) {
        CoordinateReferenceSystem c;
        try {
            c = new CRSFactory().createFromName("EPSG:" + code);
        } catch (Proj4jException | IllegalStateException e) {
            throw new IllegalArgumentException("unknown CRS EPSG:" + code + ": " + e.getMessage());
        }
        if (c == null) throw new IllegalArgumentException("unknown CRS EPSG:" + code);
        check(c, "EPSG:" + code);
        return new Crs(code, c.getParameterString().strip(), "EPSG:" + code);
    }

    /** Lambert azimuthal equal-area on WGS84 centred on {@code (lon, lat)} degrees (6 decimals in the name). */
    public static Crs laea(double lon, double lat) {
        if (!(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180))
            throw new IllegalArgumentException("bad LAEA centre: lon " + lon + ", lat " + lat);
        String p = String.format(
                Locale.ROOT,
                "+proj=laea +lat_0=%.6f +lon_0=%.6f +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs",
                lat + 0.0,
                lon + 0.0);
        return new Crs(0, p, p);
    }

    /** The default CRS of {@code n} lon/lat points: {@link #laea} on their {@link #centroid}. */
    public static Crs defaultFor(double[] lon, double[] lat, int n) {
        double[] c = centroid(lon, lat, n);
        return laea(c[0], c[1]);
    }

    /**
     * The centroid {@code {lon, lat}} of {@code n} lon/lat points: the normalised mean of their unit
     * vectors on the sphere (so inventories across the antimeridian come out right). For no points, or
     * points that cancel out, it falls back to {@code (0, 0)}.
     */
    public static double[] centroid(double[] lon, double[] lat, int n) {
        double sx = 0, sy = 0, sz = 0;
        for (int i = 0; i < n; i++) {
            double la = Math.toRadians(lat[i]), lo = Math.toRadians(lon[i]);
            sx += Math.cos(la) * Math.cos(lo);
            sy += Math.cos(la) * Math.sin(lo);
            sz += Math.sin(la);
        }
        double h = Math.hypot(sx, sy);
        if (n == 0 || Math.hypot(h, sz) < 1e-12 * Math.max(1, n)) return new double[] {0, 0};
        return new double[] {Math.toDegrees(Math.atan2(sy, sx)), Math.toDegrees(Math.atan2(sz, h))};
    }

    /** A transform from WGS84 lon/lat (degrees) to {@code crs} and back. Not thread-safe: one per thread. */
    public static CrsTransform fromLonLat(Crs crs) {
        return new CrsTransform(new CRSFactory().createFromParameters("WGS84", WGS84), toProj4j(crs));
    }

    /** A transform from {@code source} to {@code target} and back. Not thread-safe: one per thread. */
    public static CrsTransform between(Crs source, Crs target) {
        return new CrsTransform(toProj4j(source), toProj4j(target));
    }

    /** True when both describe the same CRS (same EPSG code, or same proj definition). */
    public static boolean same(Crs a, Crs b) {
        if (a.epsg() != 0 && a.epsg() == b.epsg()) return true;
        return a.proj4().strip().equals(b.proj4().strip());
    }

    private static CoordinateReferenceSystem toProj4j(Crs crs) {
        try {
            CRSFactory f = new CRSFactory();
            return crs.epsg() > 0 ? f.createFromName("EPSG:" + crs.epsg()) : f.createFromParameters(null, crs.proj4());
        } catch (Proj4jException | IllegalStateException e) {
            throw new IllegalArgumentException("bad CRS '" + crs.name() + "': " + e.getMessage());
        }
    }

    private static void check(CoordinateReferenceSystem c, String spec) {
        if (Boolean.TRUE.equals(c.isGeographic())
                || c.getProjection() == null
                || Boolean.TRUE.equals(c.getProjection().isGeographic()))
            throw new IllegalArgumentException(
                    "CRS " + spec + " is geographic (degrees); geomend needs a projected CRS in metres");
        if (c.getProjection().getFromMetres() != 1.0)
            throw new IllegalArgumentException("CRS " + spec + " is in "
                    + c.getProjection().getUnits() + "; geomend needs a projected CRS in metres");
    }
}
