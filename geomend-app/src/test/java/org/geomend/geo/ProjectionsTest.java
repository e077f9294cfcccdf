package org.geomend.geo;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ProjectionsTest {

    @Test
    void parsesEpsgCodesAndProjStrings() {
        for (String s : new String[] {"EPSG:2154", "epsg:2154", "2154", " EPSG: 2154 "}) {
            Crs c = Projections.parse(s);
            assertEquals(2154, c.epsg(), s);
            assertEquals("EPSG:2154", c.name());
            assertTrue(c.proj4().contains("+proj=lcc"), c.proj4());
        }
        Crs p = Projections.parse("+proj=laea  +lat_0=46.5 +lon_0=2.5 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs");
        assertEquals(0, p.epsg());
        assertEquals("+proj=laea +lat_0=46.5 +lon_0=2.5 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs", p.name());
        assertEquals(p.name(), p.proj4());
        assertEquals(Projections.LAMBERT_93, Projections.epsg(2154));
    }

    @Test
    void rejectsUnknownGeographicAndNonMetreCrs() {
        assertThrows(IllegalArgumentException.class, () -> Projections.parse("EPSG:4326")); // degrees
        assertThrows(IllegalArgumentException.class, () -> Projections.parse("EPSG:2263")); // US feet
        assertThrows(IllegalArgumentException.class, () -> Projections.parse("EPSG:999999"));
        assertThrows(IllegalArgumentException.class, () -> Projections.parse("+proj=nosuch"));
        assertThrows(IllegalArgumentException.class, () -> Projections.parse("lambert"));
        assertThrows(IllegalArgumentException.class, () -> Projections.parse(""));
    }

    @Test
    void parisToLambert93MatchesProj() {
        // Second source: GDAL 3.6.2 / PROJ, `echo "2.3522 48.8566" | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2154`
        double gdalX = 652469.022709136, gdalY = 6862035.25942008;
        CrsTransform t = Projections.fromLonLat(Projections.LAMBERT_93);
        double[] xy = t.forward(2.3522, 48.8566);
        assertEquals(gdalX, xy[0], 0.01);
        assertEquals(gdalY, xy[1], 0.01);
        double[] back = t.inverse(xy[0], xy[1]);
        assertEquals(2.3522, back[0], 1e-9);
        assertEquals(48.8566, back[1], 1e-9);
        // a second point, far from the projection centre (GDAL: Bayonne area)
        double[] b = t.forward(-1.5, 43.5);
        assertEquals(336102.595812446, b[0], 0.01);
        assertEquals(6277140.29230608, b[1], 0.01);
    }

    @Test
    void laeaMatchesProjAndRoundTrips() {
        Crs laea = Projections.laea(2.5, 46.5);
        assertEquals(
                "+proj=laea +lat_0=46.500000 +lon_0=2.500000 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs",
                laea.name());
        CrsTransform t = Projections.fromLonLat(laea);
        // GDAL: gdaltransform -s_srs EPSG:4326 -t_srs '+proj=laea +lat_0=46.5 +lon_0=2.5 ... +ellps=WGS84'
        double[] xy = t.forward(2.3522, 48.8566);
        assertEquals(-10848.5889850861, xy[0], 0.01);
        assertEquals(262002.051899089, xy[1], 0.01);
        assertArrayEquals(new double[] {0, 0}, t.forward(2.5, 46.5), 1e-6);
        double[] lon = {-5, 0, 8.2, 2.5}, lat = {42, 51, 43.1, 46.5}, x = new double[4], y = new double[4];
        t.forward(lon, lat, x, y, 4);
        t.inverse(x, y, x, y, 4);
        assertArrayEquals(lon, x, 1e-7); // proj4j's LAEA inverse is a series: ~1e-9 deg (sub-mm)
        assertArrayEquals(lat, y, 1e-7);
    }

    @Test
    void defaultIsLaeaOnTheCentroid() {
        double[] c = Projections.centroid(new double[] {179, -179}, new double[] {10, 10}, 2);
        assertEquals(180, Math.abs(c[0]), 1e-9); // across the antimeridian, not 0
        assertEquals(10, c[1], 0.01);
        Crs d = Projections.defaultFor(new double[] {2, 3}, new double[] {48, 48}, 2);
        assertTrue(d.proj4().startsWith("+proj=laea +lat_0=48.00"), d.proj4());
        assertTrue(d.proj4().contains("+lon_0=2.500000"), d.proj4());
    }

    @Test
    void betweenTwoCrsAndUnprojectablePoints() {
        CrsTransform t = Projections.between(Projections.LAMBERT_93, Projections.laea(2.5, 46.5));
        CrsTransform viaL93 = Projections.fromLonLat(Projections.LAMBERT_93),
                viaLaea = Projections.fromLonLat(Projections.laea(2.5, 46.5));
        double[] l93 = viaL93.forward(2.3522, 48.8566);
        assertArrayEquals(viaLaea.forward(2.3522, 48.8566), t.forward(l93[0], l93[1]), 1e-3);
        double[] nan = viaL93.forward(Double.NaN, 1);
        assertTrue(Double.isNaN(nan[0]) && Double.isNaN(nan[1]));
        assertArrayEquals(t.forward(700000, 6600000), t.copy().forward(700000, 6600000), 0);
    }
}
