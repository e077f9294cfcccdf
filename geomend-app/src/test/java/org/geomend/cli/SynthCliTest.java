package org.geomend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.geomend.geo.Crs;
import org.geomend.geo.CrsTransform;
import org.geomend.geo.Projections;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.Json;
import org.geomend.io.MapData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geomend synth --sites} through {@link Main#execute}: the inventory's CRS (after projection of lat/lon)
 * is the one {@code manifest.json}, the maps and {@code sites.csv} carry.
 */
class SynthCliTest {

    static final int N = 12;

    /** 12 sites around Lyon, in lat/lon; row k is site "s{k}". */
    static double[][] latLon() {
        double[][] p = new double[N][];
        for (int k = 0; k < N; k++) p[k] = new double[] {45.75 + (k / 4) * 0.007, 4.83 + (k % 4) * 0.009};
        return p;
    }

    static Path writeLatLon(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder("id,lat,lon\n");
        double[][] p = latLon();
        for (int k = 0; k < N; k++) sb.append(String.format(Locale.ROOT, "s%d,%.6f,%.6f%n", k, p[k][0], p[k][1]));
        Path f = dir.resolve("ll.csv");
        Files.writeString(f, sb);
        return f;
    }

    static String runSynth(Path sites, Path out, String... extra) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of(
                "synth", "--sites", sites.toString(), "--window", "32", "--threads", "1", "--out", out.toString()));
        args.addAll(List.of(extra));
        assertEquals(0, Main.execute(args.toArray(String[]::new)));
        JsonNode m = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        return m.get("crs").asText();
    }

    /** Every map's CRS is {@code crs}, and sites.csv holds the lat/lon projected to it. */
    static void checkOutputs(Path out, String crs) throws IOException {
        Crs parsed = Projections.parse(crs);
        try (ArrowMapReader in = ArrowMapReader.open(out.resolve("maps.arrow"))) {
            assertEquals(N, in.rowCount());
            for (int i = 0; i < N; i++) {
                MapData d = in.read(i);
                assertTrue(Projections.same(parsed, Projections.parse(d.crs())), d.crs() + " vs " + crs);
            }
        }
        CrsTransform t = Projections.fromLonLat(parsed);
        double[][] p = latLon();
        List<String> rows = Files.readAllLines(out.resolve("sites.csv"));
        assertEquals(N + 1, rows.size());
        for (int r = 1; r <= N; r++) {
            String[] f = rows.get(r).split(",");
            int k = Integer.parseInt(f[0].substring(1));
            double[] xy = t.forward(
                    Double.parseDouble(String.format(Locale.ROOT, "%.6f", p[k][1])),
                    Double.parseDouble(String.format(Locale.ROOT, "%.6f", p[k][0])));
            assertEquals(xy[0], Double.parseDouble(f[1]), 1e-6, rows.get(r));
            assertEquals(xy[1], Double.parseDouble(f[2]), 1e-6, rows.get(r));
        }
    }

    @Test
    void latLonInventoryKeepsItsEqualAreaCrs(@TempDir Path dir) throws IOException {
        Path ll = writeLatLon(dir);
        String crs = runSynth(ll, dir.resolve("out"));
        assertTrue(crs.startsWith("+proj=laea"), crs);
        assertTrue(crs.contains("+lat_0=45.757") && crs.contains("+lon_0=4.843"), crs);
        checkOutputs(dir.resolve("out"), crs);
    }

    @Test
    void latLonInventoryProjectedToCrsOption(@TempDir Path dir) throws IOException {
        Path ll = writeLatLon(dir);
        String crs = runSynth(ll, dir.resolve("out"), "--crs", "EPSG:32631");
        assertEquals("EPSG:32631", crs);
        checkOutputs(dir.resolve("out"), crs);
    }

    @Test
    void xyInventoryStaysLambert93(@TempDir Path dir) throws IOException {
        StringBuilder sb = new StringBuilder("id,x,y\n");
        for (int k = 0; k < N; k++)
            sb.append("s")
                    .append(k)
                    .append(',')
                    .append(842_000 + (k % 4) * 700)
                    .append(',')
                    .append(6_519_000 + (k / 4) * 800)
                    .append('\n');
        Path f = dir.resolve("xy.csv");
        Files.writeString(f, sb);
        assertEquals("EPSG:2154", runSynth(f, dir.resolve("out")));
        try (ArrowMapReader in = ArrowMapReader.open(dir.resolve("out").resolve("maps.arrow"))) {
            assertEquals("EPSG:2154", in.read(0).crs());
        }
    }

    @Test
    void badCrsIsBadInput(@TempDir Path dir) throws IOException {
        Path ll = writeLatLon(dir);
        assertEquals(
                2,
                Main.execute(
                        "synth",
                        "--sites",
                        ll.toString(),
                        "--crs",
                        "EPSG:4326",
                        "--out",
                        dir.resolve("out").toString()));
    }
}
