package org.geomend.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.geomend.cli.Cli;
import org.geomend.io.GeoTiffRaster;
import org.geomend.io.Json;
import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geomend synth}'s traffic through {@link Cli#run} (as users run it), on the small preset with 32-pixel windows:
 * determinism, conservation against an independent recomputation from the association, the profile's peak hours,
 * hand-computed densities.
 */
class SynthTrafficTest {

    static final long SEED = 5;
    static final int T = SynthParams.Traffic.HOURS;
    static final SynthParams.Traffic TP = SynthParams.Traffic.defaults();

    @TempDir
    static Path dir;

    static Path a;

    static Path synth(String name, String... extra) {
        Path out = dir.resolve(name);
        List<String> args = new java.util.ArrayList<>(List.of(
                "synth",
                "--preset",
                "small",
                "--window",
                "32",
                "--seed",
                Long.toString(SEED),
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return out;
    }

    @BeforeAll
    static void run() {
        a = synth("a", "--threads", "2");
    }

    /** traffic.csv as site id to 24 hourly values. */
    static Map<String, double[]> traffic(Path out) throws IOException {
        List<String> rows = Files.readAllLines(out.resolve("traffic.csv"));
        assertEquals("id,time,value", rows.get(0));
        Map<String, double[]> m = new HashMap<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            int t = Integer.parseInt(f[1].substring(1));
            assertEquals(SynthParams.Traffic.time(t), f[1]);
            m.computeIfAbsent(f[0], k -> new double[T])[t] = Double.parseDouble(f[2]);
        }
        return m;
    }

    static SynthParams params() {
        return SynthParams.small().withWindow(32);
    }

    @Test
    void sameSeedSameBytesWhateverTheThreads() throws IOException {
        Path b = synth("b", "--threads", "1");
        for (String f :
                List.of("traffic.csv", "lambda.csv", "traffic.json", "demand/city01.tif", "population/city02.tif"))
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
    }

    @Test
    void everySiteHasTrafficAndTheManifestListsTheFiles() throws IOException {
        Map<String, double[]> tr = traffic(a);
        List<String> sites = Files.readAllLines(a.resolve("sites.csv"));
        assertEquals(sites.size() - 1, tr.size(), "one row per site and hour, map=1 or not");
        JsonNode files =
                Json.MAPPER.readTree(a.resolve("manifest.json").toFile()).get("files");
        for (String k : List.of("traffic", "lambda", "demand", "population", "traffic_model"))
            assertTrue(files.has(k), files.toString());
        GeoTiffRaster.Raster d = GeoTiffRaster.read(a.resolve("demand/city01.tif"));
        assertEquals(T, d.bands().length);
        assertEquals("T00", d.bandDescriptions()[0]);
        assertEquals("T23", d.bandDescriptions()[T - 1]);
        assertEquals("EPSG:2154", d.crs());
    }

    /**
     * Recomputes, from the association and the written population, {@code sum_l users(l) a(l, t) sum_i P(i|l)}: it
     * must equal the total BS traffic (1e-9); each region's demand raster must sum to its mapped sites' traffic; lambda
     * is the total over the subscribers served.
     */
    @Test
    void trafficIsConservedFromPixelsToSitesToDemand() throws IOException {
        SynthParams p = params();
        SynthGenerator.Layout layout = new SynthGenerator(p, SEED, 2, null).layout();
        Association assoc = new Association(p, SEED, layout.sites());
        PopulationField field = new PopulationField(p, TP, SEED, layout.sites());
        Map<String, double[]> tr = traffic(a);
        double[] expected = new double[T], total = new double[T];
        double served = 0;
        for (int ri = 0; ri < layout.regions().size(); ri++) {
            String name = layout.regionNames().get(ri);
            int[] owners = layout.regions().get(ri);
            GridSpec raster = assoc.rasterFor(owners);
            Association.Region reg = assoc.compute(raster, ri, 2);
            GeoTiffRaster.Raster pop = GeoTiffRaster.read(a.resolve("population/" + name + ".tif"));
            assertEquals(raster.width(), pop.grid().width());
            assertEquals(raster.height(), pop.grid().height());
            assertEquals(raster.x0(), pop.grid().x0(), 1e-6);
            assertEquals(raster.y0(), pop.grid().y0(), 1e-6);
            SynthParams.CitySpec city = field.city(name);
            for (int r = 0; r < raster.height(); r++)
                for (int c = 0; c < raster.width(); c++) {
                    int pix = r * raster.width() + c;
                    double sumP = 0;
                    for (int e = 0; e < reg.entries(pix); e++) sumP += reg.prob()[pix * reg.n() + e];
                    double u = pop.bands()[0][pix];
                    Env env = field.env(city, raster.centreX(c), raster.centreY(r));
                    served += u * sumP;
                    for (int t = 0; t < T; t++) expected[t] += u * TP.activity(env, t) * sumP;
                }
            // the region's demand holds its mapped sites' traffic
            GeoTiffRaster.Raster dem = GeoTiffRaster.read(a.resolve("demand/" + name + ".tif"));
            for (int t = 0; t < T; t++) {
                double d = 0, s = 0;
                for (float v : dem.bands()[t]) d += v;
                for (int i : owners) s += tr.get(layout.sites().get(i).id())[t];
                assertTrue(s > 0);
                assertEquals(s, d, 1e-5 * s, name + " " + SynthParams.Traffic.time(t));
            }
        }
        for (double[] v : tr.values()) for (int t = 0; t < T; t++) total[t] += v[t];
        List<String> lambda = Files.readAllLines(a.resolve("lambda.csv"));
        assertEquals("time,lambda", lambda.get(0));
        for (int t = 0; t < T; t++) {
            assertEquals(expected[t], total[t], 1e-9 * expected[t], "hour " + t);
            String[] f = lambda.get(t + 1).split(",");
            assertEquals(SynthParams.Traffic.time(t), f[0]);
            assertEquals(total[t] / served, Double.parseDouble(f[1]), 1e-9 * total[t] / served);
        }
    }

    /** Urban-core sites peak in office hours (11:00), rural ones in the evening (21:00), as SynthParams.Traffic states. */
    @Test
    void peakHoursFollowWhereTheUsersLive() throws IOException {
        SynthGenerator.Layout layout = new SynthGenerator(params(), SEED, 1, null).layout();
        SynthParams.CitySpec c = params().cities().get(0);
        Map<String, double[]> tr = traffic(a);
        SynthSite centre = null, rural = null;
        for (SynthSite s : layout.sites()) {
            if (!s.city().equals(c.name()) || !s.target()) continue;
            double d = Math.hypot(s.x() - c.cx(), s.y() - c.cy());
            if (centre == null || d < Math.hypot(centre.x() - c.cx(), centre.y() - c.cy())) centre = s;
            if (s.env() == Env.RURAL && (rural == null || d > Math.hypot(rural.x() - c.cx(), rural.y() - c.cy())))
                rural = s;
        }
        assertEquals(11, argmax(tr.get(centre.id())), centre.id());
        assertEquals(21, argmax(tr.get(rural.id())), rural.id());
        // the busiest hour of the whole operator lies between the two
        double[] tot = new double[T];
        for (double[] v : tr.values()) for (int t = 0; t < T; t++) tot[t] += v[t];
        assertTrue(argmax(tot) >= 11 && argmax(tot) <= 21, "peak " + argmax(tot));
        assertTrue(tot[4] < 0.2 * tot[argmax(tot)], "night trough");
    }

    static int argmax(double[] v) {
        int b = 0;
        for (int t = 1; t < v.length; t++) if (v[t] > v[b]) b = t;
        return b;
    }

    /** users(l) = rho(l) * 0.01 km^2 * 0.35 at three pixels, rho by hand from the ring formula (Z from the field). */
    @Test
    void densityByHand() throws IOException {
        SynthParams p = params();
        SynthParams.CitySpec c = p.cities().get(0); // city01: urban 2.5 km, suburban 6 km, rural 14 km
        PopulationField field = new PopulationField(p, TP, SEED, List.of());
        GeoTiffRaster.Raster pop = GeoTiffRaster.read(a.resolve("population/city01.tif"));
        GridSpec g = pop.grid();
        double[][] at = {
            {0, 0, 20_000},
            {4_000, 0, 2_000 * Math.exp(-1_500 / 4_000.0)},
            {0, -10_000, 80 * Math.exp(-4_000 / 20_000.0)}
        };
        for (double[] q : at) {
            int col = (int) Math.floor((c.cx() + q[0] - g.x0()) / g.resolution());
            int row = (int) Math.floor((c.cy() + q[1] - g.y0()) / g.resolution());
            double x = g.centreX(col), y = g.centreY(row);
            double d = Math.hypot(x - c.cx(), y - c.cy());
            // the pixel centre is up to 71 m off the point: redo the ring formula at the centre
            double rho = d < 2_500
                    ? 20_000 * Math.exp(-d / 4_000)
                    : d < 6_000 ? 2_000 * Math.exp(-(d - 2_500) / 4_000) : 80 * Math.exp(-(d - 6_000) / 20_000);
            assertEquals(q[2], rho, 0.03 * q[2], "ring formula near the point");
            double z = field.noise(x, y);
            assertTrue(Math.abs(z) < 6, "z " + z);
            double want = rho * Math.exp(0.5 * z - 0.125) * 0.01 * 0.35;
            assertEquals(want, pop.bands()[0][row * g.width() + col], 1e-6 * want, "pixel " + col + "," + row);
        }
    }

    /** Given positions: a pixel takes the env of its nearest site (urban: 20,000/km^2, rural: 80/km^2, times Z). */
    @Test
    void givenSitesTakeTheNearestSitesEnv(@TempDir Path tmp) throws IOException {
        Path csv = tmp.resolve("in.csv");
        Files.writeString(
                csv,
                "id,x,y,env\nu0,600000,6800000,urban\nu1,600400,6800000,urban\n"
                        + "r0,606000,6800000,rural\nr1,606000,6803000,rural\n");
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run(
                "synth",
                "--sites",
                csv.toString(),
                "--window",
                "40",
                "--threads",
                "1",
                "--seed",
                "2",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        SynthParams p = SynthParams.forGivenSites("small").withWindow(40);
        PopulationField field = new PopulationField(p, TP, 2, List.of());
        String region = Layouts.tileName(p, 600_000, 6_800_000);
        GeoTiffRaster.Raster pop = GeoTiffRaster.read(out.resolve("population/" + region + ".tif"));
        GridSpec g = pop.grid();
        for (double[] q : new double[][] {{600_150, 6_800_050, 20_000}, {606_050, 6_800_950, 80}}) {
            int col = (int) Math.floor((q[0] - g.x0()) / g.resolution()),
                    row = (int) Math.floor((q[1] - g.y0()) / g.resolution());
            double want = q[2] * field.factor(g.centreX(col), g.centreY(row)) * 0.01 * 0.35;
            assertEquals(want, pop.bands()[0][row * g.width() + col], 1e-6 * want);
        }
        assertEquals(4 * T + 1, Files.readAllLines(out.resolve("traffic.csv")).size());
    }
}
