package org.geomend.io;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.geomend.geo.Crs;

/**
 * GeoTIFF 1.0 geo keys for a projected CRS in metres. An EPSG code becomes
 * {@code ProjectedCSTypeGeoKey}; a proj string is written user-defined: {@code ProjectedCSTypeGeoKey =
 * ProjectionGeoKey = 32767}, {@code GeographicTypeGeoKey} 4326 (WGS84 datum or ellipsoid, or none given)
 * or 4019 (GRS80 ellipsoid), {@code ProjCoordTransGeoKey} and its parameters for {@code laea} (10),
 * {@code tmerc} (1), {@code lcc} (8 with two standard parallels, else 9), {@code utm} (its WGS84 EPSG code,
 * or tmerc), metres (9001). The CRS name goes in {@code GTCitationGeoKey}. Other projections are refused.
 */
final class GeoKeys {

    static final int GT_MODEL_TYPE = 1024, GT_RASTER_TYPE = 1025, GT_CITATION = 1026;
    static final int GEOGRAPHIC_TYPE = 2048, GEOG_ANGULAR_UNITS = 2054;
    static final int PROJECTED_CS_TYPE = 3072, PROJECTION = 3074, PROJ_COORD_TRANS = 3075, PROJ_LINEAR_UNITS = 3076;
    static final int STD_PARALLEL_1 = 3078, STD_PARALLEL_2 = 3079, NAT_ORIGIN_LONG = 3080, NAT_ORIGIN_LAT = 3081;
    static final int FALSE_EASTING = 3082, FALSE_NORTHING = 3083, FALSE_ORIGIN_LONG = 3084, FALSE_ORIGIN_LAT = 3085;
    static final int FALSE_ORIGIN_EASTING = 3086, FALSE_ORIGIN_NORTHING = 3087, CENTER_LONG = 3088, CENTER_LAT = 3089;
    static final int SCALE_AT_NAT_ORIGIN = 3092;
    static final int USER_DEFINED = 32767;
    static final int CT_TRANSVERSE_MERCATOR = 1, CT_LCC_2SP = 8, CT_LCC_1SP = 9, CT_LAEA = 10;

    /** Key id to value: Integer (SHORT), Double or String. Sorted by key id as the directory needs. */
    final TreeMap<Integer, Object> keys = new TreeMap<>();

    private GeoKeys() {}

    static GeoKeys of(Crs crs) {
        GeoKeys k = new GeoKeys();
        k.keys.put(GT_MODEL_TYPE, 1); // projected
        k.keys.put(GT_RASTER_TYPE, 1); // PixelIsArea
        k.keys.put(GT_CITATION, crs.name());
        if (crs.epsg() != 0) {
            k.keys.put(PROJECTED_CS_TYPE, crs.epsg());
            return k;
        }
        Map<String, String> p = parseProj(crs.proj4());
        String proj = p.getOrDefault("proj", "");
        String units = p.getOrDefault("units", "m");
        if (!units.equals("m")) throw refuse(crs, "units " + units);
        String ellps = p.getOrDefault("datum", p.getOrDefault("ellps", "WGS84")).toUpperCase(Locale.ROOT);
        int geog = switch (ellps) {
            case "WGS84" -> 4326;
            case "GRS80" -> 4019;
            default -> throw refuse(crs, "ellipsoid/datum " + ellps);
        };
        if (proj.equals("utm") && geog == 4326) {
            int zone = (int) num(p, "zone", crs);
            k.keys.put(PROJECTED_CS_TYPE, (p.containsKey("south") ? 32700 : 32600) + zone);
            return k;
        }
        k.keys.put(GEOGRAPHIC_TYPE, geog);
        k.keys.put(GEOG_ANGULAR_UNITS, 9102);
        k.keys.put(PROJECTED_CS_TYPE, USER_DEFINED);
        k.keys.put(PROJECTION, USER_DEFINED);
        k.keys.put(PROJ_LINEAR_UNITS, 9001);
        double x0 = opt(p, "x_0", 0, crs), y0 = opt(p, "y_0", 0, crs);
        double lat0 = opt(p, "lat_0", 0, crs), lon0 = opt(p, "lon_0", 0, crs);
        switch (proj) {
            case "laea" -> {
                k.keys.put(PROJ_COORD_TRANS, CT_LAEA);
                k.keys.put(CENTER_LAT, lat0);
                k.keys.put(CENTER_LONG, lon0);
                k.keys.put(FALSE_EASTING, x0);
                k.keys.put(FALSE_NORTHING, y0);
            }
            case "tmerc", "utm" -> {
                double scale = opt(p, "k_0", opt(p, "k", 1, crs), crs);
                if (proj.equals("utm")) {
                    int zone = (int) num(p, "zone", crs);
                    lat0 = 0;
                    lon0 = zone * 6 - 183;
                    scale = 0.9996;
                    x0 = 500000;
                    y0 = p.containsKey("south") ? 10000000 : 0;
                }
                k.keys.put(PROJ_COORD_TRANS, CT_TRANSVERSE_MERCATOR);
                k.keys.put(NAT_ORIGIN_LAT, lat0);
                k.keys.put(NAT_ORIGIN_LONG, lon0);
                k.keys.put(SCALE_AT_NAT_ORIGIN, scale);
                k.keys.put(FALSE_EASTING, x0);
                k.keys.put(FALSE_NORTHING, y0);
            }
            case "lcc" -> {
                double lat1 = num(p, "lat_1", crs), lat2 = opt(p, "lat_2", lat1, crs);
                if (lat1 != lat2) {
                    k.keys.put(PROJ_COORD_TRANS, CT_LCC_2SP);
                    k.keys.put(STD_PARALLEL_1, lat1);
                    k.keys.put(STD_PARALLEL_2, lat2);
                    k.keys.put(FALSE_ORIGIN_LAT, lat0);
                    k.keys.put(FALSE_ORIGIN_LONG, lon0);
                    k.keys.put(FALSE_ORIGIN_EASTING, x0);
                    k.keys.put(FALSE_ORIGIN_NORTHING, y0);
                } else {
                    if (p.containsKey("lat_0") && lat0 != lat1) throw refuse(crs, "1SP lcc with lat_0 != lat_1");
                    k.keys.put(PROJ_COORD_TRANS, CT_LCC_1SP);
                    k.keys.put(NAT_ORIGIN_LAT, lat1);
                    k.keys.put(NAT_ORIGIN_LONG, lon0);
                    k.keys.put(SCALE_AT_NAT_ORIGIN, opt(p, "k_0", opt(p, "k", 1, crs), crs));
                    k.keys.put(FALSE_EASTING, x0);
                    k.keys.put(FALSE_NORTHING, y0);
                }
            }
            default -> throw refuse(crs, "projection '" + proj + "'");
        }
        return k;
    }

    private static IllegalArgumentException refuse(Crs crs, String what) {
        return new IllegalArgumentException("cannot write CRS '" + crs.name() + "' as GeoTIFF keys (" + what
                + " not supported; give an EPSG code, or a laea/tmerc/lcc/utm proj string in metres)");
    }

    static Map<String, String> parseProj(String proj4) {
        Map<String, String> out = new HashMap<>();
        for (String tok : proj4.trim().split("\\s+")) {
            if (tok.isEmpty()) continue;
            String t = tok.startsWith("+") ? tok.substring(1) : tok;
            int eq = t.indexOf('=');
            if (eq < 0) out.put(t, "");
            else out.put(t.substring(0, eq), t.substring(eq + 1));
        }
        return out;
    }

    private static double num(Map<String, String> p, String key, Crs crs) {
        if (!p.containsKey(key)) throw refuse(crs, "missing +" + key);
        return opt(p, key, 0, crs);
    }

    private static double opt(Map<String, String> p, String key, double dflt, Crs crs) {
        String v = p.get(key);
        if (v == null) return dflt;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw refuse(crs, "+" + key + "=" + v);
        }
    }
}
