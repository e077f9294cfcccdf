package org.geomend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.geomend.dataset.Dataset;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Reference;
import org.geomend.voronoiboost.VoronoiBoostModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VoronoiBoost end to end on the tiny synthetic dataset: {@code eval} with it beside Voronoi (trained per fold),
 * {@code voronoiboost train --data}, and {@code geolocate --method voronoiboost --model} with that model.
 */
class VoronoiBoostEvalTest {

    @TempDir
    static Path tmp;

    @Test
    void evalTrainsPerFoldAndScoresEveryTestedSite() throws Exception {
        Path data = EvalTestData.dataset();
        Dataset ds = Dataset.load(data);
        Path out = tmp.resolve("eval");
        EvalTestData.Result r = EvalTestData.run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                "voronoi,voronoiboost",
                "--split",
                "cv5,loo-city",
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--threads",
                "2",
                "--chunk",
                "5",
                "--map-samples",
                "1");
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(out.resolve("summary.csv"));
        int seen = 0;
        for (String l : rows) {
            String[] f = l.split(",");
            if (!f[0].equals("voronoiboost") || !f[2].equals("all")) continue;
            seen++;
            assertEquals(ds.tested().length, Integer.parseInt(f[3]), l);
            double med = Double.parseDouble(f[4]);
            assertTrue(med > 0 && med < 1, l);
        }
        assertEquals(2, seen, "one 'all' row per split: " + rows);
        // every per-BS KS2 of voronoiboost is a real number in [0, 1]
        List<String> per = Files.readAllLines(out.resolve("per_bs.csv"));
        List<String> head = List.of(per.get(0).split(","));
        int cm = head.indexOf("method"), ck = head.indexOf("ks2");
        int n = 0;
        for (String l : per.subList(1, per.size())) {
            String[] f = l.split(",", -1);
            if (!f[cm].equals("voronoiboost")) continue;
            double k = Double.parseDouble(f[ck]);
            assertTrue(k >= 0 && k <= 1, l);
            n++;
        }
        assertEquals(2 * ds.tested().length, n);
    }

    @Test
    void trainThenGeolocate() throws Exception {
        Path data = EvalTestData.dataset();
        Path model = tmp.resolve("vb.model");
        EvalTestData.Result t = EvalTestData.run(
                "voronoiboost", "train", "--data", data.toString(), "--out", model.toString(), "--trees", "40");
        assertEquals(0, t.code(), t.err());
        VoronoiBoostModel m = VoronoiBoostModel.load(model);
        assertEquals("station", m.settings().origin().cliName());
        assertEquals("ground truth", m.info().get("source"));

        Path maps = tmp.resolve("maps.arrow");
        int w = EvalTestData.WINDOW;
        EvalTestData.Result g = EvalTestData.run(
                "geolocate",
                "--sites",
                data.resolve("sites.csv").toString(),
                "--method",
                "voronoiboost",
                "--model",
                model.toString(),
                "--window",
                Integer.toString(w),
                "--out",
                maps.toString());
        assertEquals(0, g.code(), g.err());
        Dataset ds = Dataset.load(data);
        try (ArrowMapReader rd = ArrowMapReader.open(maps)) {
            assertEquals(ds.size(), rd.rowCount());
            for (int row = 0; row < rd.rowCount(); row += 7) {
                MapData md = rd.read(row);
                int site = ds.indexOf(md.id());
                assertEquals(
                        GridSpec.window(ds.positions().x()[site], ds.positions().y()[site], w, ds.resolution()),
                        md.grid());
                double sum = 0;
                for (float v : md.values()) {
                    assertTrue(v >= 0);
                    sum += v;
                }
                assertEquals(1, sum, 1e-5, md.id());
            }
            // KS2 of a voronoiboost map against itself is 0 and against a ground truth within [0, 1] (brute force)
            MapData md = rd.read(ds.id(ds.tested()[0]));
            try (ArrowMapReader truth = ds.openMaps()) {
                MapData gt = truth.read(ds.mapRow(ds.indexOf(md.id())));
                double k = Reference.ks2(toDouble(md.values()), toDouble(gt.values()), w, w);
                assertTrue(k > 0 && k <= 1, "KS2 " + k);
            }
        }

        EvalTestData.Result noModel = EvalTestData.run(
                "geolocate",
                "--sites",
                data.resolve("sites.csv").toString(),
                "--method",
                "voronoiboost",
                "--out",
                tmp.resolve("x.arrow").toString());
        assertEquals(2, noModel.code(), noModel.err());
        assertTrue(noModel.err().contains("--model"), noModel.err());
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        double s = 0;
        for (float f : v) s += f;
        for (int i = 0; i < v.length; i++) d[i] = v[i] / s;
        return d;
    }
}
