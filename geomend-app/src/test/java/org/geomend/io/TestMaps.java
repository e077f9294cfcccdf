package org.geomend.io;

import java.util.Random;
import org.geomend.geo.Crs;
import org.geomend.kernels.GridSpec;

/** Shared fixtures: CRSs and random normalised maps. */
final class TestMaps {

    static final Crs L93 = new Crs(
            2154,
            "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +units=m +no_defs",
            "EPSG:2154");
    static final Crs LAEA = new Crs(
            0,
            "+proj=laea +lat_0=46.5 +lon_0=2.25 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
            "+proj=laea +lat_0=46.5 +lon_0=2.25 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs");

    private TestMaps() {}

    /** A peaked map (like a real one: a few large values, a long tail) normalised in float64. */
    static float[] peaked(GridSpec g, long seed) {
        Random rnd = new Random(seed);
        int w = g.width(), h = g.height();
        double cx = w * (0.3 + 0.4 * rnd.nextDouble()), cy = h * (0.3 + 0.4 * rnd.nextDouble());
        double[] d = new double[w * h];
        double s = 0;
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) {
                double dist = Math.hypot(c + 0.5 - cx, r + 0.5 - cy) + 1;
                double v = Math.pow(dist, -3) * (0.5 + rnd.nextDouble());
                d[r * w + c] = v;
                s += v;
            }
        float[] out = new float[w * h];
        for (int i = 0; i < out.length; i++) out[i] = (float) (d[i] / s);
        return out;
    }

    static GridSpec grid(int w, int h) {
        return new GridSpec(652_300, 6_861_100, 100, w, h);
    }
}
