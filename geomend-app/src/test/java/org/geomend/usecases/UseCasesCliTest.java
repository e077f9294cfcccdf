package org.geomend.usecases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.geomend.cli.Cli;
import org.geomend.dataset.Dataset;
import org.geomend.eval.EvalTestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geomend eval --use-cases} through {@code Main} on the small test dataset with its own traffic.csv and
 * lambda.csv: every output, truth-on-truth MAPE 0, fairness in (0, 1], sites with traffic but no map counted, and
 * the bad inputs.
 */
class UseCasesCliTest {

    static final String[] TIMES = {"T00", "T01", "T02"};
    static final List<String> METHODS = List.of("voronoi", "spdi-legacy");

    @TempDir
    static Path tmp;

    static Path data, out;
    static Dataset ds;
    static Cli.Result result;
    static int untestedWithTraffic;
    static Map<String, Integer> untestedByCity = new HashMap<>();

    /** A copy of the test dataset with traffic for every site (tested or not) and lambda for each time. */
    static Path withTraffic(Path dir) throws IOException {
        Path src = EvalTestData.dataset();
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) if (Files.isRegularFile(f)) Files.copy(f, dir.resolve(f.getFileName()));
        }
        Dataset d = Dataset.load(dir);
        StringBuilder kpi = new StringBuilder("id,time,value\n");
        for (int s = 0; s < d.size(); s++)
            for (int t = 0; t < TIMES.length; t++)
                kpi.append(d.id(s))
                        .append(',')
                        .append(TIMES[t])
                        .append(',')
                        .append((s % 7 + 1) * (t + 1) * 10.0)
                        .append('\n');
        Files.writeString(dir.resolve("traffic.csv"), kpi);
        Files.writeString(dir.resolve("lambda.csv"), "time,lambda\nT00,1.5\nT01,2.0\nT02,3.0\n");
        return dir;
    }

    @BeforeAll
    static void run() throws IOException {
        data = withTraffic(tmp.resolve("data"));
        ds = Dataset.load(data);
        Set<Integer> tested = new HashSet<>();
        for (int s : ds.tested()) tested.add(s);
        for (int s = 0; s < ds.size(); s++)
            if (!tested.contains(s)) {
                untestedWithTraffic++;
                untestedByCity.merge(ds.city(s), 1, Integer::sum);
            }
        out = tmp.resolve("out");
        result = Cli.run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                String.join(",", METHODS),
                "--split",
                "loo-city",
                "--use-cases",
                "--edge-sites",
                "2,5,10",
                "--population-k",
                "0.1,0.5,-0.05,0.8",
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--threads",
                "2",
                "--map-samples",
                "0");
    }

    static List<String[]> csv(Path f) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String l : Files.readAllLines(f)) rows.add(l.split(",", -1));
        return rows;
    }

    @Test
    void everyOutputExists() throws IOException {
        assertEquals(0, result.code(), result.err());
        Path uc = out.resolve("use-cases");
        for (String f : List.of(
                "fairness.csv",
                "population_mape.csv",
                "coverage.csv",
                "fig10a_fairness.png",
                "fig10b_population_mape.png")) assertTrue(Files.size(uc.resolve(f)) > 0, f);
        assertTrue(ImageIO.read(uc.resolve("fig10a_fairness.png").toFile()).getWidth() > 100);
        assertTrue(
                ImageIO.read(uc.resolve("fig10b_population_mape.png").toFile()).getWidth() > 100);
        try (Stream<Path> s = Files.list(uc)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".partial")));
        }
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("## Use cases"), md);
        assertTrue(md.contains("| truth |"), md);
        assertTrue(md.contains("0.95"), md);
    }

    @Test
    void fairnessRows() throws IOException {
        List<String[]> rows = csv(out.resolve("use-cases/fairness.csv"));
        assertEquals(
                "city,method,K,jain_planned,jain_actual,max_imbalance,actual_imbalance,unplanned_share",
                String.join(",", rows.get(0)));
        List<String> cities = org.geomend.eval.Split.LOO_CITY.groups(ds);
        assertEquals(cities.size() * (METHODS.size() + 1) * 3, rows.size() - 1);
        for (String[] r : rows.subList(1, rows.size())) {
            int k = Integer.parseInt(r[2]);
            double planned = Double.parseDouble(r[3]), actual = Double.parseDouble(r[4]);
            assertTrue(planned > 0 && planned <= 1 + 1e-12, String.join(",", r));
            assertTrue(actual > 0 && actual <= 1 + 1e-12, String.join(",", r));
            assertTrue(actual >= 1.0 / k - 1e-12, String.join(",", r));
            if (r[1].equals("truth")) {
                assertEquals(planned, actual, 1e-5, "planning on the truth: planned loads are the actual ones");
                assertEquals(0.0, Double.parseDouble(r[7]), 0.0);
            }
        }
    }

    @Test
    void truthOnTruthMapeIsZero() throws IOException {
        List<String[]> rows = csv(out.resolve("use-cases/population_mape.csv"));
        assertEquals("city,method,time,mape,wape,total_error", String.join(",", rows.get(0)));
        int truth = 0, other = 0;
        for (String[] r : rows.subList(1, rows.size())) {
            double m = Double.parseDouble(r[3]);
            assertTrue(m >= 0, String.join(",", r));
            // WAPE >= |total error|: sum |a - b| >= |sum a - sum b|
            assertTrue(Double.parseDouble(r[4]) >= Math.abs(Double.parseDouble(r[5])) - 1e-9, String.join(",", r));
            if (r[1].equals("truth")) {
                assertEquals(0.0, m, 0.0);
                assertEquals(0.0, Double.parseDouble(r[4]), 0.0);
                assertEquals(0.0, Double.parseDouble(r[5]), 0.0);
                truth++;
            } else {
                other++;
                if (m > 0) continue;
            }
        }
        int cities = org.geomend.eval.Split.LOO_CITY.groups(ds).size();
        assertEquals(cities * TIMES.length, truth);
        assertEquals(cities * TIMES.length * METHODS.size(), other);
        assertTrue(
                rows.stream().skip(1).filter(r -> !r[1].equals("truth")).anyMatch(r -> Double.parseDouble(r[3]) > 0),
                "the methods' maps differ from the truth");
    }

    @Test
    void sitesWithTrafficButNoMapAreCounted() throws IOException {
        assertTrue(untestedWithTraffic > 0, "the test dataset has sites without a ground-truth map");
        List<String[]> rows = csv(out.resolve("use-cases/coverage.csv"));
        Map<String, Integer> tested = new HashMap<>();
        for (int s : ds.tested()) tested.merge(ds.city(s), 1, Integer::sum);
        for (String[] r : rows.subList(1, rows.size())) {
            String city = r[0];
            int with = Integer.parseInt(r[2]), mapped = Integer.parseInt(r[3]), unmapped = Integer.parseInt(r[4]);
            assertEquals(tested.get(city) + untestedByCity.getOrDefault(city, 0), with, String.join(",", r));
            assertEquals(tested.get(city), mapped, String.join(",", r));
            assertEquals(untestedByCity.getOrDefault(city, 0), unmapped, String.join(",", r));
            double total = Double.parseDouble(r[5]), lost = Double.parseDouble(r[6]), raster = Double.parseDouble(r[7]);
            assertEquals(total - lost, raster, 1e-6 * total, "the raster keeps the mapped traffic");
            if (unmapped > 0) assertTrue(lost > 0);
        }
    }

    @Test
    void namedCityOnly() throws IOException {
        String city = org.geomend.eval.Split.LOO_CITY.groups(ds).get(0);
        Path o = tmp.resolve("one");
        Cli.Result r = Cli.run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                "voronoi",
                "--split",
                "loo-city",
                "--use-cases",
                "--use-case-cities",
                city,
                "--edge-sites",
                "3",
                "--population-k",
                "0,0,0,1",
                "--out",
                o.toString(),
                "--backend",
                "java",
                "--threads",
                "1",
                "--map-samples",
                "0");
        assertEquals(0, r.code(), r.err());
        List<String[]> rows = csv(o.resolve("use-cases/fairness.csv"));
        assertEquals(2, rows.size() - 1);
        for (String[] row : rows.subList(1, rows.size())) assertEquals(city, row[0]);
    }

    @Test
    void coarserUseCaseResolution() throws IOException {
        double res = 3 * ds.resolution();
        Path o = tmp.resolve("coarse");
        Cli.Result r = Cli.run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                "voronoi",
                "--split",
                "loo-city",
                "--use-cases",
                "--use-case-resolution",
                Double.toString(res),
                "--edge-sites",
                "2,5",
                "--population-k",
                "0.1,0.5,-0.05,0.8",
                "--out",
                o.toString(),
                "--backend",
                "java",
                "--threads",
                "1",
                "--map-samples",
                "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(o.resolve("summary.md")).contains("demand rasters on pixels of " + res + " m"));
        for (String[] row : csv(o.resolve("use-cases/population_mape.csv")))
            if (row[1].equals("truth")) assertEquals(0.0, Double.parseDouble(row[3]), 0.0);
        // the coarse rasters keep every city's mapped traffic
        List<String[]> fine = csv(out.resolve("use-cases/coverage.csv")),
                coarse = csv(o.resolve("use-cases/coverage.csv"));
        Map<String, Double> fineTotal = new HashMap<>();
        for (String[] row : fine.subList(1, fine.size()))
            if (row[1].equals("truth")) fineTotal.put(row[0], Double.parseDouble(row[7]));
        for (String[] row : coarse.subList(1, coarse.size()))
            if (row[1].equals("truth"))
                assertEquals(fineTotal.get(row[0]), Double.parseDouble(row[7]), 1e-9 * fineTotal.get(row[0]));
        // planning on coarser pixels differs from planning on the dataset's
        assertFalse(Files.readString(o.resolve("use-cases/fairness.csv"))
                .equals(Files.readString(out.resolve("use-cases/fairness.csv"))));
    }

    static void assertBad(String needle, String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).contains(needle), lines.get(0));
    }

    @Test
    void badInput() throws IOException {
        Path o = tmp.resolve("bad");
        String d = data.toString();
        assertBad(
                "--split loo-city",
                "eval",
                "--dataset",
                d,
                "--methods",
                "voronoi",
                "--split",
                "cv5",
                "--use-cases",
                "--population-k",
                "0,0,0,1",
                "--out",
                o.toString());
        assertBad(
                "--population-k",
                "eval",
                "--dataset",
                d,
                "--methods",
                "voronoi",
                "--split",
                "loo-city",
                "--use-cases",
                "--out",
                o.toString());
        Path noTraffic = EvalTestData.dataset();
        assertBad(
                noTraffic.resolve("traffic.csv").toString(),
                "eval",
                "--dataset",
                noTraffic.toString(),
                "--methods",
                "voronoi",
                "--split",
                "loo-city",
                "--use-cases",
                "--population-k",
                "0,0,0,1",
                "--out",
                o.toString());
        Path lam = tmp.resolve("short-lambda.csv");
        Files.writeString(lam, "time,lambda\nT00,1\n");
        assertBad(
                "no lambda for time 'T01'",
                "eval",
                "--dataset",
                d,
                "--methods",
                "voronoi",
                "--split",
                "loo-city",
                "--use-cases",
                "--population-k",
                "0,0,0,1",
                "--lambda",
                lam.toString(),
                "--out",
                o.toString());
        Path kpi = tmp.resolve("bad-kpi.csv");
        Files.writeString(kpi, "id,time,value\nnobody,T00,1\n");
        assertBad(
                kpi + ":2",
                "eval",
                "--dataset",
                d,
                "--methods",
                "voronoi",
                "--split",
                "loo-city",
                "--use-cases",
                "--population-k",
                "0,0,0,1",
                "--kpi",
                kpi.toString(),
                "--out",
                o.toString());
        assertBad(
                "--use-case-cities",
                "eval",
                "--dataset",
                d,
                "--methods",
                "voronoi",
                "--split",
                "loo-city",
                "--use-cases",
                "--use-case-cities",
                "atlantis",
                "--population-k",
                "0,0,0,1",
                "--out",
                o.toString());
        assertBad(
                "--use-cases",
                "eval",
                "--dataset",
                d,
                "--methods",
                "voronoi",
                "--split",
                "loo-city",
                "--kpi",
                kpi.toString(),
                "--out",
                o.toString());
        assertBad(
                "--use-case-resolution must be a positive integer multiple",
                "eval",
                "--dataset",
                d,
                "--methods",
                "voronoi",
                "--split",
                "loo-city",
                "--use-cases",
                "--use-case-resolution",
                Double.toString(1.5 * ds.resolution()),
                "--population-k",
                "0,0,0,1",
                "--out",
                o.toString());
        assertFalse(Files.exists(o.resolve("summary.md")));
    }
}
