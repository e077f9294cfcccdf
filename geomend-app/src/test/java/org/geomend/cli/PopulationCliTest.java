package org.geomend.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.geomend.io.GeoTiffRaster;
import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code geomend population} (eq. 9) through {@link Main}: pixel values by hand, the per-km^2 unit, time mismatches. */
class PopulationCliTest {

    @TempDir
    Path dir;

    @Test
    void equationNinePerSquareKilometre() throws Exception {
        // 500 m pixels: 0.25 km^2, so a pixel holding traffic 1 has d = 4 per km^2
        GridSpec g = new GridSpec(700_000, 6_600_000, 500, 3, 2);
        float[] t0 = {0, 1, 2, 0.5f, 0, 3}, t1 = {1, 0, 0, 0, 0, 0.25f};
        Path traffic = dir.resolve("traffic.tif");
        GeoTiffRaster.writeFloat32(traffic, g, "EPSG:2154", new String[] {"h0", "h1"}, new float[][] {t0, t1});
        Path lambda = dir.resolve("lambda.csv");
        Files.writeString(lambda, "time,lambda\nh1,3\nh0,2\n");
        Path out = dir.resolve("pop.tif");
        Cli.Result r = Cli.run(
                "population",
                "--traffic",
                traffic.toString(),
                "--lambda",
                lambda.toString(),
                "--k1",
                "0.5",
                "--k2",
                "1",
                "--k3",
                "0.1",
                "--k4",
                "0.9",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        GeoTiffRaster.Raster p = GeoTiffRaster.read(out);
        assertEquals(g, p.grid());
        assertEquals("EPSG:2154", p.crs());
        assertArrayEquals(new String[] {"h0", "h1"}, p.bandDescriptions());
        float[][] in = {t0, t1};
        double[] lam = {2, 3};
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < 6; i++) {
                double d = in[b][i] / 0.25;
                double want = d == 0 ? 0 : Math.exp(0.5 * lam[b] + 1) * Math.pow(d, 0.1 * lam[b] + 0.9);
                assertEquals(want, p.bands()[b][i], 1e-6 * want, "band " + b + " pixel " + i);
            }
        // by hand: band h0, traffic 1 -> d = 4: e^2 * 4^1.1
        assertEquals(Math.exp(2) * Math.pow(4, 1.1), p.bands()[0][1], 1e-5);
        try (GeoTiffRaster.Reader rd = GeoTiffRaster.open(out)) {
            Map<String, String> m = rd.metadata();
            assertEquals("0.5", m.get("k1"));
            assertTrue(m.get("unit").startsWith("people per km^2"));
        }
    }

    @Test
    void lambdaTimesMustBeTheBands() throws Exception {
        GridSpec g = new GridSpec(0, 0, 100, 2, 2);
        Path traffic = dir.resolve("t.tif");
        GeoTiffRaster.writeFloat32(
                traffic, g, "EPSG:2154", new String[] {"0", "1"}, new float[][] {new float[4], new float[4]});
        Path lambda = dir.resolve("l.csv"), out = dir.resolve("p.tif");
        String[][] cases = {
            {"time,lambda\n0,1\n", "l.csv: no lambda for time '1' of " + traffic + " (its bands: 0,1)"},
            {"time,lambda\n0,1\n1,2\n2,3\n", "l.csv: time '2' is not a band of " + traffic + " (its bands: 0,1)"},
            {"time,lambda\n0,1\n0,2\n", "l.csv:3: second row for time '0'"},
            {"time,lambda\n0,x\n1,2\n", "l.csv:2: lambda is not a number: 'x'"}
        };
        for (String[] c : cases) {
            Files.writeString(lambda, c[0]);
            Cli.Result r = Cli.run(
                    "population",
                    "--traffic",
                    traffic.toString(),
                    "--lambda",
                    lambda.toString(),
                    "--k1",
                    "1",
                    "--k2",
                    "1",
                    "--k3",
                    "1",
                    "--k4",
                    "1",
                    "--out",
                    out.toString());
            assertEquals(2, r.code(), r.err());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.errLines().getFirst().endsWith(c[1]), r.errLines().getFirst());
            assertFalse(Files.exists(out));
        }
        // a raster without band descriptions
        Path plain = dir.resolve("plain.tif");
        GeoTiffRaster.writeFloat32(plain, g, "EPSG:2154", null, new float[][] {new float[4]});
        Files.writeString(lambda, "time,lambda\n0,1\n");
        Cli.Result r = Cli.run(
                "population",
                "--traffic",
                plain.toString(),
                "--lambda",
                lambda.toString(),
                "--k1",
                "1",
                "--k2",
                "1",
                "--k3",
                "1",
                "--k4",
                "1",
                "--out",
                out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("band 1 has no time (description)"), r.err());
    }
}
