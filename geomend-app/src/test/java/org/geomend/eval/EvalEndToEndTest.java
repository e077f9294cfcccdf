package org.geomend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import org.geomend.dataset.Dataset;
import org.geomend.geolocate.Urbanisation;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geomend eval} end to end on a tiny synthetic dataset: the outputs' shape, the oracle's guarantees, and
 * KS2 values against the float64 brute force of {@link Reference}.
 */
class EvalEndToEndTest {

    static final List<String> METHODS = List.of("voronoi", "spdi-legacy", "spdi-oracle", "spdi");

    @TempDir
    static Path tmp;

    static Path data, out;
    static EvalTestData.Result result;
    static List<String[]> summary, perBs, folds;
    static Dataset ds;

    @BeforeAll
    static void runEval() throws IOException {
        data = EvalTestData.dataset();
        ds = Dataset.load(data);
        out = tmp.resolve("out");
        result = EvalTestData.run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                String.join(",", METHODS),
                "--split",
                "cv5,loo-city,loo-env",
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--threads",
                "2",
                "--chunk",
                "7",
                "--map-samples",
                "1");
        summary = csv(out.resolve("summary.csv"));
        perBs = csv(out.resolve("per_bs.csv"));
        folds = csv(out.resolve("folds.csv"));
    }

    static List<String[]> csv(Path f) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String l : Files.readAllLines(f)) rows.add(l.split(",", -1));
        return rows;
    }

    @Test
    void datasetHasWhatTheTestsNeed() {
        Set<String> cls = new HashSet<>(), cities = new HashSet<>();
        for (int s : ds.tested()) {
            cls.add(ds.env(s));
            cities.add(ds.city(s));
        }
        assertEquals(Set.of("urban", "suburban", "rural"), cls);
        assertEquals(Set.of("north", "south"), cities);
        assertTrue(ds.tested().length >= 10, "tested " + ds.tested().length);
        assertTrue(ds.size() > ds.tested().length, "context sites without maps take part in neighbour searches");
    }

    @Test
    void exitsZeroAndWritesEveryOutput() throws IOException {
        assertEquals(0, result.code(), result.err());
        for (String f : List.of(
                "summary.csv",
                "summary.md",
                "folds.csv",
                "per_bs.csv",
                "cv5_ks2_box.png",
                "cv5_ks2_cdf_all.png",
                "cv5_ks2_cdf_rural.png",
                "loo-city_ks2_box.png",
                "loo-city_ks2_cdf_north.png",
                "loo-env_ks2_box.png")) assertTrue(Files.isRegularFile(out.resolve(f)), f);
        try (Stream<Path> s = Files.list(out)) {
            List<Path> all = s.toList();
            assertTrue(
                    all.stream()
                            .noneMatch(p -> p.toString().endsWith(".partial")
                                    || p.toString().endsWith(".tmp")),
                    all.toString());
            List<Path> maps = all.stream()
                    .filter(p -> p.getFileName().toString().startsWith("map_"))
                    .toList();
            assertEquals(3, maps.size(), "one sample per class: " + maps);
            for (Path p : all)
                if (p.toString().endsWith(".png"))
                    assertNotNull(ImageIO.read(p.toFile()), p + " is not a readable PNG");
        }
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("## Table I"), md);
        assertTrue(md.contains("0.704 ± 0.3047"), "paper's Voronoi figure beside ours");
        assertTrue(md.contains("0.501 ± 0.2956"), "paper's legacy sPDI figure beside ours");
        assertTrue(md.contains("(split loo-city)") && md.contains("(split loo-env)"), md);
    }

    @Test
    void summaryColumnsRowsAndGroups() {
        assertEquals(
                List.of("method", "split", "group", "n", "median_ks2", "mean_ks2", "std_ks2", "ms_per_bs"),
                List.of(summary.get(0)));
        Map<String, List<String[]>> bySplit = new HashMap<>();
        for (String[] r : summary.subList(1, summary.size())) {
            assertEquals(8, r.length);
            bySplit.computeIfAbsent(r[1], k -> new ArrayList<>()).add(r);
        }
        Map<String, Set<String>> groups = Map.of(
                "cv5",
                Set.of("all", "urban", "suburban", "rural"),
                "loo-city",
                Set.of("all", "north", "south"),
                "loo-env",
                Set.of("all", "urban", "suburban", "rural"));
        assertEquals(groups.keySet(), bySplit.keySet());
        int tested = ds.tested().length;
        for (var e : groups.entrySet()) {
            List<String[]> rows = bySplit.get(e.getKey());
            assertEquals(METHODS.size() * e.getValue().size(), rows.size(), e.getKey());
            for (String m : METHODS) {
                int sum = 0;
                Set<String> seen = new HashSet<>();
                for (String[] r : rows) {
                    if (!r[0].equals(m)) continue;
                    seen.add(r[2]);
                    int n = Integer.parseInt(r[3]);
                    double med = Double.parseDouble(r[4]),
                            mean = Double.parseDouble(r[5]),
                            std = Double.parseDouble(r[6]),
                            ms = Double.parseDouble(r[7]);
                    assertTrue(
                            med >= 0 && med <= 1 && mean >= 0 && mean <= 1 && std >= 0 && ms >= 0, String.join(",", r));
                    if (r[2].equals("all")) assertEquals(tested, n);
                    else sum += n;
                }
                assertEquals(e.getValue(), seen, m + " " + e.getKey());
                assertEquals(tested, sum, "groups partition the tested sites: " + m + " " + e.getKey());
            }
        }
    }

    /** KS2 of (split, id, method) from per_bs.csv, and the parameter. */
    static Map<String, double[]> perBsIndex() {
        Map<String, double[]> m = new HashMap<>();
        for (String[] r : perBs.subList(1, perBs.size()))
            m.put(
                    r[0] + "|" + r[2] + "|" + r[5],
                    new double[] {Double.parseDouble(r[6]), r[7].isEmpty() ? Double.NaN : Double.parseDouble(r[7])});
        return m;
    }

    @Test
    void oracleBeatsEveryFixedBetaOnItsGridAndStaysInRange() {
        Map<String, double[]> idx = perBsIndex();
        double medOracle = Double.NaN, medSpdi = Double.NaN;
        for (String[] r : summary)
            if (r[1].equals("cv5") && r[2].equals("all")) {
                if (r[0].equals("spdi-oracle")) medOracle = Double.parseDouble(r[4]);
                if (r[0].equals("spdi")) medSpdi = Double.parseDouble(r[4]);
            }
        assertTrue(medOracle <= medSpdi, medOracle + " vs " + medSpdi);
        int n = 0, strictlyBetter = 0;
        for (int s : ds.tested()) {
            double[] o = idx.get("cv5|" + ds.id(s) + "|spdi-oracle"),
                    sp = idx.get("cv5|" + ds.id(s) + "|spdi"),
                    lg = idx.get("cv5|" + ds.id(s) + "|spdi-legacy");
            assertTrue(o[1] >= 0.1 - 1e-9 && o[1] <= 6 + 1e-9, "beta* " + o[1]);
            // beta 2 (spdi) and 3/4/5 (legacy) lie on the default grid 0.1:6:0.05
            assertTrue(o[0] <= sp[0] + 1e-6, ds.id(s) + ": oracle " + o[0] + " > spdi " + sp[0]);
            assertTrue(o[0] <= lg[0] + 1e-6, ds.id(s) + ": oracle " + o[0] + " > legacy " + lg[0]);
            if (o[0] < sp[0] - 1e-6) strictlyBetter++;
            n++;
        }
        assertTrue(strictlyBetter > 0, "the oracle should pick another beta than 2 somewhere");
        assertEquals(ds.tested().length, n);
    }

    static double[] truth(String id) throws IOException {
        try (ArrowMapReader r = ds.openMaps()) {
            MapData m = r.read(id);
            double[] v = new double[m.values().length];
            for (int i = 0; i < v.length; i++) v[i] = m.values()[i];
            return Reference.normalise(v, null);
        }
    }

    @Test
    void ks2MatchesTheFloat64BruteForce() throws IOException {
        Map<String, double[]> idx = perBsIndex();
        int[] t = ds.tested();
        // one urban and one rural site, plus the first
        List<Integer> pick = new ArrayList<>(List.of(t[0]));
        for (String cls : List.of("urban", "rural"))
            for (int s : t)
                if (ds.env(s).equals(cls) && !pick.contains(s)) {
                    pick.add(s);
                    break;
                }
        for (int s : pick) {
            String id = ds.id(s);
            GridSpec w = ds.windowOf(s);
            double[] gt = truth(id);
            double[] vor = Reference.voronoiMap(ds.positions(), s, w, null);
            double[] leg = Reference.spdiMap(ds.positions(), s, w, Urbanisation.legacyBeta(ds.env(s)), 5, null);
            double[] two = Reference.spdiMap(ds.positions(), s, w, 2.0, 5, null);
            double beta = idx.get("loo-env|" + id + "|spdi-oracle")[1];
            double[] orc = Reference.spdiMap(ds.positions(), s, w, beta, 5, null);
            for (String split : List.of("cv5", "loo-city", "loo-env")) {
                assertEquals(
                        Reference.ks2(gt, vor, w.width(), w.height()),
                        idx.get(split + "|" + id + "|voronoi")[0],
                        1e-5,
                        id);
                assertEquals(
                        Reference.ks2(gt, leg, w.width(), w.height()),
                        idx.get(split + "|" + id + "|spdi-legacy")[0],
                        1e-5,
                        id);
                assertEquals(
                        Reference.ks2(gt, two, w.width(), w.height()),
                        idx.get(split + "|" + id + "|spdi")[0],
                        1e-5,
                        id);
                assertEquals(
                        Reference.ks2(gt, orc, w.width(), w.height()),
                        idx.get(split + "|" + id + "|spdi-oracle")[0],
                        1e-5,
                        id);
            }
        }
    }

    @Test
    void foldsPartitionTheTestedSites() {
        Map<String, Integer> nPerSplit = new HashMap<>();
        Map<String, Set<String>> names = new HashMap<>();
        int tested = ds.tested().length;
        for (String[] r : folds.subList(1, folds.size())) {
            if (!r[0].equals("voronoi")) continue;
            int n = Integer.parseInt(r[4]), train = Integer.parseInt(r[3]);
            assertEquals(tested, n + train, "train + test = all tested: " + String.join(",", r));
            nPerSplit.merge(r[1], n, Integer::sum);
            names.computeIfAbsent(r[1], k -> new HashSet<>()).add(r[2]);
            if (r[1].equals("cv5")) assertTrue(n == tested / 5 || n == (tested + 4) / 5, "cv5 fold size " + n);
        }
        assertEquals(Map.of("cv5", tested, "loo-city", tested, "loo-env", tested), nPerSplit);
        assertEquals(Set.of("fold1", "fold2", "fold3", "fold4", "fold5"), names.get("cv5"));
        assertEquals(Set.of("north", "south"), names.get("loo-city"));
        assertEquals(Set.of("urban", "suburban", "rural"), names.get("loo-env"));
    }
}
