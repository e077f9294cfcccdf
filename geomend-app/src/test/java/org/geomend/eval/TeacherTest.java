package org.geomend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.dataset.Dataset;
import org.geomend.geo.Projections;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.ArrowMapSink;
import org.geomend.io.MapData;
import org.geomend.io.MapSinks;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Memory;
import org.geomend.kernels.Reference;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.java.JavaKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code geomend teacher} end to end: recovering a known beta, the files on a tiny synthetic dataset, bad input. */
class TeacherTest {

    @TempDir
    Path tmp;

    static List<String[]> csv(Path f) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String l : Files.readAllLines(f)) rows.add(l.split(",", -1));
        return rows;
    }

    /**
     * A dataset whose ground truth is itself sPDI (k = 5) at beta 2.35 for four sites of a 40-site layout: the teacher
     * must find 2.35 on the default grid, with KS2 ~ 0.
     */
    @Test
    void recoversTheBetaOfAnSpdiGroundTruth() throws IOException {
        int w = 40, n = 40;
        double beta = 2.35;
        SplittableRandom r = new SplittableRandom(42);
        double[] x = new double[n], y = new double[n];
        StringBuilder sites = new StringBuilder("id,x,y,env,city,map\n");
        int[] withMap = {0, 7, 19, 33};
        for (int i = 0; i < n; i++) {
            x[i] = 600_000 + r.nextDouble(6_000);
            y[i] = 6_800_000 + r.nextDouble(6_000);
        }
        SitePositions pos = new SitePositions(x, y);
        Path dir = tmp.resolve("spdi-truth");
        Files.createDirectories(dir);
        try (BufferAllocator alloc = Memory.child("TeacherTest");
                JavaKernels k = new JavaKernels(2);
                ArrowMapSink sink = new ArrowMapSink(
                        dir.resolve("maps.arrow"),
                        Projections.parse("EPSG:2154"),
                        false,
                        0,
                        MapSinks.geomendMetadata("test-spdi-truth", Map.of()))) {
            for (int i : withMap) {
                GridSpec win = GridSpec.window(x[i], y[i], w, 100);
                try (KnnRaster knn = new KnnRaster(
                                win, 6, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, win.pixels() * 6));
                        GridBuffer map = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, win.pixels())) {
                    k.nearestSites(pos, knn);
                    MapBatch b = new MapBatch(
                            1, w, w, new int[] {i}, new int[] {0}, new int[] {0}, new double[] {beta}, map);
                    k.spdiMaps(pos, knn, 5, b);
                    k.normalize(b, win, null, new double[1]);
                    sink.write("s" + i, win, map.segment(), 0);
                }
            }
            sink.commit();
        }
        for (int i = 0; i < n; i++) {
            boolean m = false;
            for (int j : withMap) m |= j == i;
            sites.append("s")
                    .append(i)
                    .append(',')
                    .append(x[i])
                    .append(',')
                    .append(y[i])
                    .append(",urban,c,")
                    .append(m ? 1 : 0)
                    .append('\n');
        }
        Files.writeString(dir.resolve("sites.csv"), sites);
        Path out = tmp.resolve("out");
        EvalTestData.Result res = EvalTestData.run(
                "teacher",
                "--dataset",
                dir.toString(),
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--threads",
                "2",
                "--chunk",
                "3");
        assertEquals(0, res.code(), res.err());
        List<String[]> rows = csv(out.resolve("betas.csv"));
        assertEquals(List.of("id", "env", "city", "beta_star", "ks2_star"), List.of(rows.get(0)));
        assertEquals(withMap.length + 1, rows.size());
        for (String[] row : rows.subList(1, rows.size())) {
            assertEquals(beta, Double.parseDouble(row[3]), 0.0, "beta* of " + row[0]);
            assertTrue(Double.parseDouble(row[4]) < 1e-6, "ks2* of " + row[0] + ": " + row[4]);
        }
    }

    @Test
    void writesEveryFileOnASyntheticDataset() throws IOException {
        Path data = EvalTestData.dataset();
        Dataset ds = Dataset.load(data);
        Path out = tmp.resolve("synth-out");
        EvalTestData.Result res = EvalTestData.run(
                "teacher",
                "--dataset",
                data.toString(),
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--threads",
                "2",
                "--betas",
                "0.5:6:0.25",
                "--chunk",
                "5");
        assertEquals(0, res.code(), res.err());
        assertTrue(res.err().contains("| rural |"), res.err());
        try (Stream<Path> s = Files.list(out)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("betas.csv", "ks2_curves.csv", "labels.arrow", "manifest.json"), names);
        }
        double[] grid = OracleMethod.parseBetas("0.5:6:0.25");
        List<String[]> betas = csv(out.resolve("betas.csv")), curves = csv(out.resolve("ks2_curves.csv"));
        int[] tested = ds.tested();
        assertEquals(tested.length + 1, betas.size());
        assertEquals(tested.length + 1, curves.size());
        assertEquals(grid.length + 1, curves.get(0).length);
        for (int t = 0; t < grid.length; t++) assertEquals(grid[t], Double.parseDouble(curves.get(0)[t + 1]), 0.0);
        Map<String, double[]> star = new HashMap<>();
        for (int i = 1; i < betas.size(); i++) {
            String[] b = betas.get(i), c = curves.get(i);
            int site = tested[i - 1];
            assertEquals(ds.id(site), b[0]);
            assertEquals(ds.env(site), b[1]);
            assertEquals(ds.city(site), b[2]);
            assertEquals(b[0], c[0]);
            double bs = Double.parseDouble(b[3]), ks = Double.parseDouble(b[4]);
            assertTrue(ks >= 0 && ks <= 1, b[0] + " ks2* " + ks);
            // beta* is the first minimum of the curve
            int arg = -1;
            for (int t = 0; t < grid.length; t++) {
                double v = Double.parseDouble(c[t + 1]);
                if (arg < 0 || v < Double.parseDouble(c[arg + 1])) arg = t;
            }
            assertEquals(grid[arg], bs, 0.0, b[0]);
            assertEquals(ks, Double.parseDouble(c[arg + 1]), 0.0, b[0]);
            star.put(b[0], new double[] {bs, ks});
        }
        // labels: one SPEC map per BS on its window, sum 1, and its KS2 to the ground truth is ks2* (float64 brute
        // force)
        int n = 0;
        try (ArrowMapReader labels = ArrowMapReader.open(out.resolve("labels.arrow"));
                ArrowMapReader truth = ds.openMaps()) {
            assertEquals(tested.length, labels.rowCount());
            for (int i = 0; i < tested.length; i++) {
                MapData m = labels.read(i);
                int site = tested[i];
                assertEquals(ds.id(site), m.id());
                assertEquals(ds.windowOf(site), m.grid());
                double sum = 0;
                for (float v : m.values()) sum += v;
                assertEquals(1.0, sum, 1e-5, m.id());
                if (n++ < 4) {
                    double[] gt = toDouble(truth.read(m.id()).values()), lab = toDouble(m.values());
                    Reference.normalise(gt, null);
                    GridSpec g = m.grid();
                    assertEquals(star.get(m.id())[1], Reference.ks2(lab, gt, g.width(), g.height()), 1e-5, m.id());
                }
            }
        }
        String manifest = Files.readString(out.resolve("manifest.json"));
        Map<String, String> top = Dataset.readManifest(out.resolve("manifest.json"));
        assertEquals("geomend teacher", top.get("generator"));
        assertEquals(Integer.toString(tested.length), top.get("sites"));
        assertEquals("java", top.get("backend"));
        assertTrue(manifest.contains("\"ms_per_bs\""), manifest);
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Test
    void subsetsAndSparseLabels() throws IOException {
        Path data = EvalTestData.dataset();
        Dataset ds = Dataset.load(data);
        String a = ds.id(ds.tested()[3]), b = ds.id(ds.tested()[1]);
        Path out = tmp.resolve("ids");
        EvalTestData.Result res = EvalTestData.run(
                "teacher",
                "--dataset",
                data.toString(),
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--betas",
                "1,2,3",
                "--ids",
                a + "," + b,
                "--sparse",
                "--drop-mass",
                "1e-3");
        assertEquals(0, res.code(), res.err());
        List<String[]> rows = csv(out.resolve("betas.csv"));
        assertEquals(List.of(a, b), List.of(rows.get(1)[0], rows.get(2)[0]));
        try (ArrowMapReader labels = ArrowMapReader.open(out.resolve("labels.arrow"))) {
            assertEquals(2, labels.rowCount());
            double sum = 0;
            for (float v : labels.read(0).values()) sum += v;
            assertEquals(1.0, sum, 1e-5);
        }
        Path lim = tmp.resolve("limit");
        res = EvalTestData.run(
                "teacher",
                "--dataset",
                data.toString(),
                "--out",
                lim.toString(),
                "--backend",
                "java",
                "--betas",
                "2",
                "--limit",
                "2");
        assertEquals(0, res.code(), res.err());
        assertEquals(3, csv(lim.resolve("betas.csv")).size());
    }

    @Test
    void badInputExitsTwoWithOneLine() throws IOException {
        Path data = EvalTestData.dataset();
        Path missing = tmp.resolve("no-such-dataset"), out = tmp.resolve("bad");
        EvalTestData.Result res = EvalTestData.run(
                "teacher", "--dataset", missing.toString(), "--out", out.toString(), "--backend", "java");
        assertEquals(2, res.code(), res.err());
        assertTrue(res.err().startsWith("geomend teacher: ") && res.err().contains(missing.toString()), res.err());
        assertEquals(1, res.err().strip().lines().count(), res.err());
        assertFalse(Files.exists(out.resolve("betas.csv")));

        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("sites.csv"), "id,x,y,map\na,1,2,1\nb,zz,3,0\n");
        Files.copy(data.resolve("maps.arrow"), broken.resolve("maps.arrow"));
        res = EvalTestData.run("teacher", "--dataset", broken.toString(), "--out", out.toString(), "--backend", "java");
        assertEquals(2, res.code(), res.err());
        assertTrue(res.err().contains("sites.csv:3"), res.err());

        for (String[] args : new String[][] {
            {"--betas", "6:0.1:0.05"},
            {"--betas", "0,1"},
            {"--k", "9"},
            {"--ids", "nope"},
            {"--limit", "0"},
            {"--ids", "x", "--limit", "2"},
            {"--backend", "gpu"}
        }) {
            List<String> a = new ArrayList<>(List.of("teacher", "--dataset", data.toString(), "--out", out.toString()));
            a.addAll(List.of(args));
            if (!List.of(args).contains("--backend")) a.addAll(List.of("--backend", "java"));
            res = EvalTestData.run(a.toArray(String[]::new));
            assertEquals(2, res.code(), String.join(" ", args) + ": " + res.err());
            assertTrue(res.err().startsWith("geomend teacher: "), res.err());
        }
        try (Stream<Path> s = Files.exists(out) ? Files.list(out) : Stream.empty()) {
            assertTrue(
                    s.noneMatch(p -> p.getFileName().toString().endsWith(".partial")),
                    "no partial file is left behind");
        }
    }
}
