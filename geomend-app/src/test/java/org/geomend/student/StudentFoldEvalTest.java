package org.geomend.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.geomend.dataset.Dataset;
import org.geomend.eval.EvalTestData;
import org.geomend.eval.EvalTestData.Result;
import org.geomend.eval.Split;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --methods voronoi,direct,deepmend} without {@code --model}: a tiny U-Net trained per cv5 fold (one
 * epoch, on a 20 x 20 grid of double-size pixels), one model directory per fold and student, and a fold's KS2 equal to
 * what {@code eval --model} of that fold's model gives; the usage and label errors.
 */
class StudentFoldEvalTest {

    @TempDir
    static Path tmp;

    static Path data, teacher;
    static Dataset ds;
    static final List<String> NET = List.of(
            "--depth",
            "3",
            "--filters",
            "4",
            "--factor",
            "1",
            "--kernel",
            "3",
            "--window",
            "20",
            "--student-epochs",
            "1",
            "--student-batch",
            "4",
            "--student-lr",
            "1e-3",
            "--student-seed",
            "5",
            "--backend",
            "java",
            "--threads",
            "2",
            "--map-samples",
            "0");

    @BeforeAll
    static void dataAndTeacher() throws IOException {
        data = EvalTestData.dataset();
        ds = Dataset.load(data);
        teacher = tmp.resolve("teacher");
        Result r = EvalTestData.run(
                "teacher",
                "--dataset",
                data.toString(),
                "--out",
                teacher.toString(),
                "--betas",
                "1,2,3,4",
                "--backend",
                "java",
                "--threads",
                "2");
        assertEquals(0, r.code(), r.err());
    }

    static Result eval(Path out, String methods, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                methods,
                "--split",
                "cv5",
                "--out",
                out.toString(),
                "--resolution",
                Double.toString(2 * ds.resolution())));
        a.addAll(NET);
        a.addAll(List.of(extra));
        return EvalTestData.run(a.toArray(String[]::new));
    }

    /** per_bs.csv's KS2 of {@code method} by site id, for the sites of {@code fold}. */
    static Map<String, String> ks2(Path out, String method, String fold) throws IOException {
        List<String> rows = Files.readAllLines(out.resolve("per_bs.csv"));
        List<String> head = List.of(rows.get(0).split(","));
        int cf = head.indexOf("fold"), ci = head.indexOf("id"), cm = head.indexOf("method"), ck = head.indexOf("ks2");
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : rows.subList(1, rows.size())) {
            String[] f = l.split(",", -1);
            if (f[cm].equals(method) && f[cf].equals(fold)) m.put(f[ci], f[ck]);
        }
        return m;
    }

    @Test
    void trainsPerFoldAndMatchesTheFoldsModel() throws IOException {
        Path out = tmp.resolve("eval");
        Result r = eval(out, "voronoi,direct,deepmend", "--labels", teacher.toString());
        assertEquals(0, r.code(), r.err());
        for (String m : List.of("direct", "deepmend"))
            for (int k = 1; k <= Split.CV_FOLDS; k++) {
                Path dir = out.resolve("models").resolve(m + "-cv5-fold" + k);
                for (String f : List.of("model.safetensors", "config.json", "train.csv"))
                    assertTrue(Files.isRegularFile(dir.resolve(f)), dir.resolve(f) + "\n" + r.err());
                assertEquals(20, UNetConfig.read(dir.resolve("config.json")).window());
            }
        assertTrue(r.err().contains("deepmend cv5-fold3: epoch 1/1: loss"), r.err());
        String summary = Files.readString(out.resolve("summary.csv"));
        for (String m : List.of("direct", "deepmend")) assertTrue(summary.contains("\n" + m + ",cv5,all,"), summary);
        assertTrue(
                Files.readString(out.resolve("summary.md")).contains("--labels " + teacher),
                "the command line names the labels");

        // the fold's test sites score the same with that fold's model given by --model: the right model, no leak
        List<Split.Fold> folds = Split.CV5.folds(ds, 1);
        Split.Fold f2 = folds.get(1);
        Path one = tmp.resolve("eval-model");
        r = eval(one, "deepmend", "--model", "deepmend=" + out.resolve("models/deepmend-cv5-fold2"));
        assertEquals(0, r.code(), r.err());
        Map<String, String> perFold = ks2(out, "deepmend", f2.name()), given = ks2(one, "deepmend", f2.name());
        assertEquals(f2.test().length, perFold.size());
        assertEquals(perFold, given);
        // deterministic: the same training again gives the same KS2
        Path again = tmp.resolve("eval-again");
        r = eval(again, "direct");
        assertEquals(0, r.code(), r.err());
        for (Split.Fold f : folds) assertEquals(ks2(out, "direct", f.name()), ks2(again, "direct", f.name()), f.name());
        // and the models differ from fold to fold
        assertFalse(java.util.Arrays.equals(
                Files.readAllBytes(out.resolve("models/direct-cv5-fold1/model.safetensors")),
                Files.readAllBytes(out.resolve("models/direct-cv5-fold2/model.safetensors"))));
    }

    @Test
    void deepmendWithoutLabelsOrModelIsTheShippedStudent() throws IOException {
        Result r = eval(tmp.resolve("shipped"), "voronoi,deepmend");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using the shipped DeepMEND student models/" + ShippedModel.NAME), r.err());
        assertFalse(Files.exists(tmp.resolve("shipped/models")), "nothing trained");
        String summary = Files.readString(tmp.resolve("shipped/summary.csv"));
        assertTrue(summary.contains("deepmend"), summary);
    }

    @Test
    void aSiteWithoutLabelIsAnErrorUnlessTheTeacherRanOnASubset() throws IOException {
        // the teacher on all but the last site with ground truth: its manifest says so, folds train on their labelled
        // sites
        Path sub = tmp.resolve("teacher-sub");
        int n = ds.tested().length;
        Result r = EvalTestData.run(
                "teacher",
                "--dataset",
                data.toString(),
                "--out",
                sub.toString(),
                "--betas",
                "1,2,3,4",
                "--limit",
                Integer.toString(n - 1),
                "--backend",
                "java",
                "--threads",
                "2");
        assertEquals(0, r.code(), r.err());
        // the same labels without the manifest: the missing site is an error naming it and the file
        Path bare = Files.createDirectories(tmp.resolve("bare"));
        Files.copy(sub.resolve("labels.arrow"), bare.resolve("labels.arrow"));
        Path out = tmp.resolve("eval-bare");
        r = eval(out, "direct,deepmend", "--labels", bare.toString());
        assertEquals(2, r.code(), r.err());
        String last = ds.id(ds.tested()[n - 1]);
        assertTrue(r.err().contains("no teacher label for site " + last + " (sites.csv:"), r.err());
        assertTrue(r.err().contains(bare.resolve("labels.arrow").toString()), r.err());
        assertFalse(Files.exists(out.resolve("models")), "failed before training anything");

        out = tmp.resolve("eval-sub");
        r = eval(out, "deepmend", "--labels", sub.toString(), "--student-val-fraction", "0");
        assertEquals(0, r.code(), r.err());
        List<Split.Fold> folds = Split.CV5.folds(ds, 1);
        int k = 0;
        while (java.util.Arrays.stream(folds.get(k).train()).noneMatch(s -> s == ds.tested()[n - 1])) k++;
        int trainN = folds.get(k).train().length;
        assertTrue(
                r.err()
                        .contains("deepmend cv5-fold" + (k + 1) + ": " + (trainN - 1) + " of " + trainN
                                + " training sites have a teacher label"),
                r.err());
        assertTrue(
                r.err()
                        .contains("deepmend cv5-fold" + (k + 1) + ": train: " + (trainN - 1)
                                + " training sites, 0 validation sites"),
                r.err());
    }
}
