package org.geomend.voronoiboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.geomend.io.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The regressor: it learns, it is deterministic, it survives a save/load round trip bit for bit, the file names its
 * library, an old Smile model is refused with a request to retrain, and the monotone post-processing.
 */
class VoronoiBoostModelTest {

    @TempDir
    Path tmp;

    /** Sites with random features; the true scale is (1 + 2 tau) * f0 + f12 / 1000. */
    static TrainingSet synthetic(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        TrainingSet t = new TrainingSet();
        for (int i = 0; i < n; i++) {
            double[] f = new double[CellFeatures.COUNT];
            for (int j = 0; j < f.length; j++) f[j] = 0.5 + r.nextDouble();
            f[12] = 200 + 800 * r.nextDouble();
            double[] s = new double[VoronoiBoostModel.TAUS.length];
            for (int k = 0; k < s.length; k++) s[k] = (1 + 2 * VoronoiBoostModel.TAUS[k]) * f[0] + f[12] / 1000;
            t.add(f, VoronoiBoostModel.TAUS, s);
        }
        return t;
    }

    static VoronoiBoostModel train(TrainingSet t) {
        return VoronoiBoostModel.fit(
                t.x(),
                t.y(),
                VoronoiBoostModel.TAUS,
                VoronoiBoostModel.Settings.defaults(),
                new VoronoiBoostModel.Hyper(120, 6, 32, 3, 0.1, 0.8, 5),
                Map.of("source", "test"));
    }

    @Test
    void learnsAndRoundTrips() throws Exception {
        VoronoiBoostModel m = train(synthetic(400, 1));
        TrainingSet test = synthetic(50, 2);
        double[][] feats = new double[50][];
        double[][] x = test.x();
        for (int i = 0; i < 50; i++) feats[i] = java.util.Arrays.copyOfRange(x[i * 5], 1, 1 + CellFeatures.COUNT);
        double[][] p = m.predict(feats);
        double[] y = test.y();
        double err = 0;
        for (int i = 0; i < 50; i++) for (int k = 0; k < 5; k++) err += Math.abs(p[i][k] - y[i * 5 + k]) / y[i * 5 + k];
        assertTrue(err / 250 < 0.1, "mean relative error " + err / 250);

        Path f = tmp.resolve("sub/model.vb");
        m.save(f);
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temporary file left");
        }
        VoronoiBoostModel back = VoronoiBoostModel.load(f);
        double[][] q = back.predict(feats);
        for (int i = 0; i < 50; i++) assertArrayEquals(p[i], q[i], 0.0);
        assertEquals(m.settings(), back.settings());
        assertEquals(m.hyper(), back.hyper());
        assertArrayEquals(m.taus(), back.taus());
        assertEquals("test", back.info().get("source"));
        assertEquals("2000", back.info().get("rows"));
    }

    @Test
    void deterministicAndSelfDescribing() throws Exception {
        TrainingSet t = synthetic(300, 3);
        Path a = tmp.resolve("a.vb"), b = tmp.resolve("b.vb");
        train(t).save(a);
        train(t).save(b);
        assertEquals(
                entry(a, VoronoiBoostModel.TREES_ENTRY),
                entry(b, VoronoiBoostModel.TREES_ENTRY),
                "same rows, same seed: same trees");
        var meta = new com.fasterxml.jackson.databind.ObjectMapper().readTree(entry(a, "voronoiboost.json"));
        assertEquals("geomend-voronoiboost-2", meta.path("format").asText());
        assertEquals(
                "LightGBM (com.microsoft.ml.lightgbm:lightgbmlib) " + LightGbm.VERSION,
                meta.path("boosting").path("library").asText());
        String params = meta.path("boosting").path("parameters").asText();
        for (String p : new String[] {
            "num_iterations=120",
            "max_depth=6",
            "num_leaves=32",
            "min_data_in_leaf=3",
            "learning_rate=0.1",
            "bagging_fraction=0.8",
            "bagging_freq=1",
            "seed=5",
            "num_threads=1",
            "deterministic=true"
        }) assertTrue(params.contains(p), p + " in " + params);
        assertTrue(
                entry(a, VoronoiBoostModel.TREES_ENTRY).contains("feature_names=tau mean_d_neighbors_6_1_div"),
                "the trees name their inputs");
    }

    /** The version the model files record is the lightgbmlib jar on the class path. */
    @Test
    void recordedVersionIsTheJars() {
        var url = LightGbm.class.getClassLoader().getResource("com/microsoft/ml/lightgbm/linux/x86_64/lib_lightgbm.so");
        assertTrue(url != null, "lightgbmlib on the class path");
        if (url.getPath().contains("/lightgbmlib/")) // from the Maven repository (not when shaded into geomend.jar)
        assertTrue(
                    url.getPath().contains("/lightgbmlib-" + LightGbm.VERSION + ".jar"),
                    url + " is not lightgbmlib " + LightGbm.VERSION);
    }

    @Test
    void refusesSmileModelsWithARequestToRetrain() throws Exception {
        Path old = tmp.resolve("old.model");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(old))) {
            z.putNextEntry(new java.util.zip.ZipEntry("voronoiboost.json"));
            z.write("{\"format\" : \"geomend-voronoiboost-1\", \"boosting\" : {\"library\" : \"smile-core 5.0.0\"}}"
                    .getBytes());
            z.closeEntry();
            z.putNextEntry(new java.util.zip.ZipEntry("gbt.ser"));
            z.write(new byte[] {(byte) 0xac, (byte) 0xed, 0, 5});
            z.closeEntry();
        }
        InputException e = assertThrows(InputException.class, () -> VoronoiBoostModel.load(old));
        assertTrue(e.getMessage().startsWith(old + ": "), e.getMessage());
        assertTrue(
                e.getMessage().contains("Smile") && e.getMessage().contains("geomend voronoiboost train"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    @Test
    void refusesTreesLightGbmCannotRead() throws Exception {
        Path f = tmp.resolve("m.vb");
        train(synthetic(100, 4)).save(f);
        Path bad = tmp.resolve("bad.vb");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(bad))) {
            z.putNextEntry(new java.util.zip.ZipEntry("voronoiboost.json"));
            z.write(entry(f, "voronoiboost.json").getBytes());
            z.closeEntry();
            z.putNextEntry(new java.util.zip.ZipEntry(VoronoiBoostModel.TREES_ENTRY));
            z.write("not a model\n".getBytes());
            z.closeEntry();
        }
        InputException e = assertThrows(InputException.class, () -> VoronoiBoostModel.load(bad));
        assertTrue(e.getMessage().startsWith(bad + ": " + VoronoiBoostModel.TREES_ENTRY), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    /** The two models in the repository's models/ are of this build's format. */
    @Test
    void committedModelsLoad() throws Exception {
        for (String name : new String[] {"voronoiboost-published.model", "voronoiboost-synth-small.model"}) {
            VoronoiBoostModel m = VoronoiBoostModel.load(Path.of("..", "models", name));
            double[] f = new double[CellFeatures.COUNT];
            java.util.Arrays.fill(f, 1.0);
            f[6] = 800;
            f[12] = 1500;
            for (double v : m.predict(new double[][] {f})[0]) assertTrue(Double.isFinite(v) && v > 0, name + ": " + v);
        }
    }

    static String entry(Path zip, String name) throws Exception {
        try (var z = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (var e = z.getNextEntry(); e != null; e = z.getNextEntry())
                if (e.getName().equals(name))
                    return new String(z.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        throw new AssertionError(name + " not in " + zip);
    }

    @Test
    void loadRefusesOtherFiles() throws Exception {
        Path junk = tmp.resolve("junk.vb");
        Files.writeString(junk, "id,x,y\n");
        InputException e = assertThrows(InputException.class, () -> VoronoiBoostModel.load(junk));
        assertTrue(e.getMessage().startsWith(junk.toString()), e.getMessage());
    }

    @Test
    void monotonePostProcessing() {
        double[] t = VoronoiBoostModel.TAUS;
        VoronoiBoostModel.Kept k = VoronoiBoostModel.monotone(t, new double[] {1, 2, 3, 2.5, 4});
        assertArrayEquals(new double[] {0.25, 0.5, 0.85, 0.95}, k.taus());
        assertArrayEquals(new double[] {1, 2, 2.5, 4}, k.scales());
        // the published code would keep 0.75 here (3.5 < 4, the dropped neighbour); we compare with the last kept
        k = VoronoiBoostModel.monotone(t, new double[] {1, 2, 3.5, 4, 3});
        assertArrayEquals(new double[] {0.25, 0.5, 0.95}, k.taus());
        k = VoronoiBoostModel.monotone(t, new double[] {0.8, 1.1, 1.5, 1.9, 2.6});
        assertTrue(k.all(5));
        k = VoronoiBoostModel.monotone(t, new double[] {-1, -1, -1, -1, -0.5});
        assertArrayEquals(new double[] {1}, k.taus());
        assertArrayEquals(new double[] {1}, k.scales());
    }
}
