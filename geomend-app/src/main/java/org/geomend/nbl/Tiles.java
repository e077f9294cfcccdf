package org.geomend.nbl;

/**
 * OpenStreetMap slippy-map tiles (the NBL grid, paper IV-B1) and Web Mercator metres. At zoom z the
 * world is 2^z x 2^z tiles, x eastward from longitude -180, y southward from latitude +85.0511.
 * A tile of a map is packed as {@code x << 32 | y}.
 */
public final class Tiles {

    private Tiles() {}

    public static final int MIN_ZOOM = 16, MAX_ZOOM = 21;
    public static final double R = 6378137.0;
    public static final double MAX_LAT = 85.0511287798066;

    public static int tileX(double lon, int zoom) {
        int n = 1 << zoom;
        int x = (int) Math.floor((lon + 180.0) / 360.0 * n);
        return Math.min(Math.max(x, 0), n - 1);
    }

    public static int tileY(double lat, int zoom) {
        int n = 1 << zoom;
        double r = Math.toRadians(lat);
        int y = (int) Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n);
        return Math.min(Math.max(y, 0), n - 1);
    }

    public static long key(int x, int y) {
        return (long) x << 32 | (y & 0xffffffffL);
    }

    public static int keyX(long key) {
        return (int) (key >>> 32);
    }

    public static int keyY(long key) {
        return (int) key;
    }

    /** Longitude of the west edge of tile column x (x + 0.5: the centre). */
    public static double lonOf(double x, int zoom) {
        return x / (1 << zoom) * 360.0 - 180.0;
    }

    /** Latitude of the north edge of tile row y (y + 0.5: the centre). */
    public static double latOf(double y, int zoom) {
        return Math.toDegrees(Math.atan(Math.sinh(Math.PI * (1 - 2 * y / (1 << zoom)))));
    }

    public static double mercX(double lon) {
        return R * Math.toRadians(lon);
    }

    public static double mercY(double lat) {
        return R * Math.log(Math.tan(Math.PI / 4 + Math.toRadians(lat) / 2));
    }

    public static double lonOfMerc(double x) {
        return Math.toDegrees(x / R);
    }

    public static double latOfMerc(double y) {
        return Math.toDegrees(2 * Math.atan(Math.exp(y / R)) - Math.PI / 2);
    }

    /** Great-circle (haversine) distance in metres. */
    public static double haversine(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1), p2 = Math.toRadians(lat2);
        double dp = p2 - p1, dl = Math.toRadians(lon2 - lon1);
        double a =
                Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
    }

    /** Tile width in metres at a latitude. */
    public static double tileWidth(double lat, int zoom) {
        return 2 * Math.PI * R * Math.cos(Math.toRadians(lat)) / (1 << zoom);
    }
}
