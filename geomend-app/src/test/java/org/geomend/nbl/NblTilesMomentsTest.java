package org.geomend.nbl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NblTilesMomentsTest {

    @Test
    void slippyTilesMatchKnownValues() {
        // values of the OSM wiki formula x = (lon+180)/360 2^z, y = (1 - asinh(tan lat)/pi)/2 2^z
        double[][] known = {
            {51.5007, -0.1246, 16, 32745, 21794}, {45.4215, -75.6972, 19, 151901, 187728},
            {2.9228, 101.7710, 21, 1641435, 1031542}, {51.8861, -8.3946, 18, 124959, 86724},
            {-33.8568, 151.2153, 17, 120591, 78650}, {40.6892, -74.0445, 20, 308617, 394335}
        };
        for (double[] k : known) {
            assertEquals((int) k[3], Tiles.tileX(k[1], (int) k[2]));
            assertEquals((int) k[4], Tiles.tileY(k[0], (int) k[2]));
        }
        for (int z = 16; z <= 21; z++) {
            int h = 1 << (z - 1);
            assertEquals(h, Tiles.tileX(0, z));
            assertEquals(h, Tiles.tileY(-1e-9, z));
            assertEquals(h - 1, Tiles.tileY(1e-9, z));
            assertEquals(0, Tiles.tileY(89, z));
            assertEquals(0, Tiles.tileY(Tiles.latOf(0.5, z), z));
            assertEquals((1 << z) - 1, Tiles.tileX(179.9999999, z));
            assertEquals(Tiles.MAX_LAT, Tiles.latOf(0, z), 1e-9);
            assertEquals(0, Tiles.latOf(h, z), 1e-9);
            // a tile centre maps back to the tile
            int x = Tiles.tileX(-75.6972, z), y = Tiles.tileY(45.4215, z);
            assertEquals(x, Tiles.tileX(Tiles.lonOf(x + 0.5, z), z));
            assertEquals(y, Tiles.tileY(Tiles.latOf(y + 0.5, z), z));
        }
        // paper Table III: zoom 19 tiles are 51-65 m wide over the continental USA
        double w = Tiles.tileWidth(40, 19);
        assertTrue(w > 51 && w < 65, "width " + w);
        assertEquals(45.4215, Tiles.latOfMerc(Tiles.mercY(45.4215)), 1e-12);
        assertEquals(111195, Tiles.haversine(0, 0, 1, 0), 1);
    }

    @Test
    void streamingMomentsMatchTwoPass() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[] v = new double[10_001];
        for (int i = 0; i < v.length; i++) v[i] = -95 + 1e6 * 0 + rnd.nextGaussian() * 7 + (i % 3);
        double mean = 0;
        for (double x : v) mean += x;
        mean /= v.length;
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        double sd = Math.sqrt(ss / (v.length - 1));
        Moments one = new Moments();
        for (double x : v) one.add(x);
        assertEquals(mean, one.mean, 1e-10);
        assertEquals(sd, one.sd(), 1e-10);
        // split into uneven parts, merged in a different order (Chan)
        Moments a = new Moments(), b = new Moments(), c = new Moments();
        for (int i = 0; i < v.length; i++) (i < 17 ? a : i < 6000 ? b : c).add(v[i]);
        c.merge(a);
        c.merge(new Moments());
        c.merge(b);
        assertEquals(v.length, c.n);
        assertEquals(mean, c.mean, 1e-10);
        assertEquals(sd, c.sd(), 1e-10);
        // large offset: naive sum of squares would lose everything, Welford keeps it
        Moments big = new Moments();
        for (double x : new double[] {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16}) big.add(x);
        assertEquals(30, big.sd() * big.sd(), 1e-6);
    }

    @Test
    void sigmaFloor() {
        assertEquals(6.0, Moments.sigmaFloor(1, 0), 1e-12);
        assertEquals(Math.sqrt(2 * 36 / 3.0), Moments.sigmaFloor(2, 0), 1e-12);
        assertTrue(Moments.sigmaFloor(1000, 999 * 4.0) < 2.05);
        assertEquals(Moments.SIGMA_MIN, Moments.sigmaFloor(100000, 0), 1e-12);
    }
}
