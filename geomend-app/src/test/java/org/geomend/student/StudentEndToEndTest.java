package org.geomend.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.geomend.dataset.Dataset;
import org.geomend.eval.EvalTestData;
import org.geomend.eval.EvalTestData.Result;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geomend train}, {@code geolocate --method direct} and {@code eval --model} on a tiny synthetic dataset
 * with a tiny network; a run resumed from its checkpoint ends bit-identical to an uninterrupted one.
 */
class StudentEndToEndTest {

    @TempDir
    static Path tmp;

    static Path data;
    static Dataset ds;
    static final String[] NET = {
        "--depth",
        "3",
        "--filters",
        "4",
        "--factor",
        "1",
        "--kernel",
        "3",
        "--batch",
        "4",
        "--backend",
        "java",
        "--threads",
        "2",
        "--lr",
        "1e-3",
        "--seed",
        "5"
    };

    @BeforeAll
    static void dataset() throws IOException {
        data = EvalTestData.dataset();
        ds = Dataset.load(data);
    }

    static Result run(String... args) {
        return EvalTestData.run(args);
    }

    static Result train(Path out, int epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "train",
                "--dataset",
                data.toString(),
                "--labels",
                "ground-truth",
                "--out",
                out.toString(),
                "--epochs",
                Integer.toString(epochs)));
        a.addAll(List.of(NET));
        a.addAll(List.of(extra));
        return run(a.toArray(String[]::new));
    }

    @Test
    void trainThenGeolocateThenEval() throws IOException {
        Path model = tmp.resolve("direct");
        Result r = train(model, 2);
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("model.safetensors", "config.json", "checkpoint.safetensors", "train.csv", "train.png"))
            assertTrue(Files.isRegularFile(model.resolve(f)), f + "\n" + r.err());
        assertNotNullImage(model.resolve("train.png"));
        List<String> csv = Files.readAllLines(model.resolve("train.csv"));
        assertEquals(3, csv.size(), csv.toString());
        double ks = Double.parseDouble(csv.get(2).split(",")[2]);
        assertTrue(ks > 0 && ks <= 1, "validation KS2 " + ks);

        // geolocate: one map per requested site, on the model's grid, normalised
        String a = ds.id(ds.tested()[0]), b = ds.id(ds.tested()[1]);
        Path maps = tmp.resolve("pred.arrow");
        r = run(
                "geolocate",
                "--sites",
                ds.sitesFile().toString(),
                "--crs",
                ds.crs(),
                "--method",
                "direct",
                "--model",
                model.toString(),
                "--ids",
                a + "," + b,
                "--out",
                maps.toString(),
                "--backend",
                "java",
                "--threads",
                "2");
        assertEquals(0, r.code(), r.err());
        try (ArrowMapReader rd = ArrowMapReader.open(maps)) {
            assertEquals(List.of(a, b), rd.ids());
            MapData m = rd.read(0);
            assertEquals(40, m.grid().width());
            assertEquals(1.0, m.mass(), 1e-5);
        }
        // direct without --model: a one-line usage error (deepmend without it is the shipped student)
        r = run(
                "geolocate",
                "--sites",
                ds.sitesFile().toString(),
                "--crs",
                ds.crs(),
                "--method",
                "direct",
                "--out",
                maps.toString());
        assertEquals(2, r.code(), r.err());

        // eval with the model beside Voronoi
        Path ev = tmp.resolve("eval");
        r = run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                "voronoi,direct",
                "--model",
                "direct=" + model,
                "--out",
                ev.toString(),
                "--backend",
                "java",
                "--threads",
                "2",
                "--map-samples",
                "0");
        assertEquals(0, r.code(), r.err());
        String summary = Files.readString(ev.resolve("summary.csv"));
        assertTrue(summary.contains("direct"), summary);
        r = run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                "deepmend",
                "--out",
                tmp.resolve("eval-shipped").toString(),
                "--backend",
                "java");
        // deepmend without --model or --labels: the shipped student, named in one line
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using the shipped DeepMEND student models/" + ShippedModel.NAME), r.err());
    }

    /** {@code --keep best} (the default) keeps the epoch with the lowest validation KS2 median: the model a run stopped there keeps. */
    @Test
    void keepBestKeepsTheEpochWithTheLowestValidationKs2() throws IOException {
        Path best = tmp.resolve("best");
        Result r = train(best, 4, "--max-sites", "16", "--val-fraction", "0.25");
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(best.resolve("train.csv"));
        int k = 1;
        double min = Double.POSITIVE_INFINITY;
        for (int i = 1; i < csv.size(); i++) {
            double v = Double.parseDouble(csv.get(i).split(",")[2]);
            if (v < min) {
                min = v;
                k = i;
            }
        }
        assertTrue(r.err().contains(String.format(java.util.Locale.ROOT, "model.safetensors: epoch %d ", k)), r.err());
        Path stop = tmp.resolve("stopped");
        assertEquals(
                0,
                train(stop, k, "--max-sites", "16", "--val-fraction", "0.25", "--keep", "last")
                        .code());
        assertArrayEquals(
                Files.readAllBytes(stop.resolve("model.safetensors")),
                Files.readAllBytes(best.resolve("model.safetensors")));
        if (k < 4) // the checkpoint holds the last epoch, not the kept one
        assertTrue(!java.util.Arrays.equals(
                Files.readAllBytes(best.resolve("checkpoint.safetensors")),
                Files.readAllBytes(stop.resolve("checkpoint.safetensors"))));
        assertEquals(2, train(tmp.resolve("bad"), 1, "--keep", "first").code());
    }

    static void assertNotNullImage(Path p) throws IOException {
        assertTrue(ImageIO.read(p.toFile()) != null, p.toString());
    }

    @Test
    void resumedRunEqualsUninterruptedRun() throws IOException {
        Path full = tmp.resolve("full"), cut = tmp.resolve("cut");
        assertEquals(0, train(full, 3, "--max-sites", "12", "--keep", "last").code());
        Result first = train(cut, 1, "--max-sites", "12", "--keep", "last"); // "killed" after its first checkpoint
        assertEquals(0, first.code(), first.err());
        byte[] afterOne = Files.readAllBytes(cut.resolve("model.safetensors"));
        Result rest = train(cut, 3, "--max-sites", "12", "--resume", "--keep", "last");
        assertEquals(0, rest.code(), rest.err());
        assertTrue(rest.err().contains("resuming after epoch 1"), rest.err());
        assertArrayEquals(
                Files.readAllBytes(full.resolve("model.safetensors")),
                Files.readAllBytes(cut.resolve("model.safetensors")));
        assertArrayEquals(
                Files.readAllBytes(full.resolve("checkpoint.safetensors")),
                Files.readAllBytes(cut.resolve("checkpoint.safetensors")));
        assertTrue(
                !java.util.Arrays.equals(afterOne, Files.readAllBytes(cut.resolve("model.safetensors"))),
                "training changed the weights");
        List<String> a = Files.readAllLines(full.resolve("train.csv")),
                b = Files.readAllLines(cut.resolve("train.csv"));
        assertEquals(a.size(), b.size());
        for (int i = 1; i < a.size(); i++) // everything but the wall time
        assertEquals(
                    a.get(i).substring(0, a.get(i).lastIndexOf(',')),
                    b.get(i).substring(0, b.get(i).lastIndexOf(',')));
    }

    @Test
    void lossWeightsFollowTheLabelsMass() {
        java.util.Random rnd = new java.util.Random(3);
        float[] y = new float[37 * 41];
        for (int i = 0; i < y.length; i++)
            y[i] = rnd.nextFloat() < 0.3f ? 0f : (float) Math.exp(-20 * rnd.nextDouble());
        Trainer.normalised(y);
        for (float v : Trainer.lossWeights(y, 0)) assertEquals(1f, v); // the paper's plain L1
        float[] w = Trainer.lossWeights(y, 1.5);
        double mean = 0;
        for (int i = 0; i < y.length; i++) {
            assertEquals((float) (1 + 1.5 * y.length * y[i]), w[i]);
            mean += w[i] / (double) y.length;
        }
        assertEquals(2.5, mean, 1e-4);
    }

    @Test
    void userWeightChangesTrainingAndIsKeptOnResume() throws IOException {
        Path dflt = tmp.resolve("uwdefault"), one = tmp.resolve("uw1"), plain = tmp.resolve("uw0");
        assertEquals(0, train(dflt, 1, "--max-sites", "8", "--keep", "last").code());
        Result r = train(one, 1, "--max-sites", "8", "--keep", "last", "--user-weight", "1");
        assertEquals(0, r.code(), r.err());
        assertEquals(
                0,
                train(plain, 1, "--max-sites", "8", "--keep", "last", "--user-weight", "0")
                        .code());
        assertArrayEquals(
                Files.readAllBytes(dflt.resolve("model.safetensors")),
                Files.readAllBytes(one.resolve("model.safetensors")));
        assertTrue(
                !java.util.Arrays.equals(
                        Files.readAllBytes(plain.resolve("model.safetensors")),
                        Files.readAllBytes(one.resolve("model.safetensors"))),
                "the weighted loss trained the same weights as the plain one");
        // resuming with another weight would mix two objectives in one model: refused, naming the checkpoint
        r = train(one, 2, "--max-sites", "8", "--keep", "last", "--user-weight", "2", "--resume");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("checkpoint.safetensors") && r.err().contains("user weight"), r.err());
        assertEquals(2, train(tmp.resolve("uwbad"), 1, "--user-weight", "-1").code());
    }
}
