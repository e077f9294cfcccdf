package org.geomend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad usage and bad input: exit code 2, one line naming the file, and no output files (complete or partial). */
class EvalBadInputTest {

    @TempDir
    Path tmp;

    EvalTestData.Result eval(Path dataset, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "eval",
                "--dataset",
                dataset.toString(),
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--threads",
                "1"));
        a.addAll(List.of(extra));
        if (!a.contains("--methods")) a.addAll(List.of("--methods", "voronoi"));
        return EvalTestData.run(a.toArray(String[]::new));
    }

    /**
     * Exit 2; the reason is one stderr line (the last, besides picocli's usage hint) containing every {@code needle};
     * before it at most the run's opening line, and no stack trace.
     */
    static void assertBadInput(EvalTestData.Result r, String... needles) {
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.err()
                .lines()
                .filter(l -> !l.isBlank() && !l.startsWith("Try 'geomend"))
                .filter(l -> !l.matches(
                        ".*: \\d+/\\d+ \\(\\d+%\\), .* elapsed, eta .*")) // progress lines (stderr not a terminal)
                .toList();
        assertTrue(
                lines.size() == 1 || lines.size() == 2 && lines.get(0).contains(" with ground truth; methods "),
                r.err());
        String last = lines.getLast();
        assertTrue(last.startsWith("geomend eval: "), last);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
        for (String n : needles) assertTrue(last.contains(n), "'" + n + "' not in: " + last);
    }

    static void assertNoOutput(Path out) throws IOException {
        if (!Files.exists(out)) return;
        try (Stream<Path> s = Files.list(out)) {
            List<Path> files = s.toList();
            assertTrue(files.isEmpty(), "output left behind: " + files);
        }
    }

    Path copyDataset(String... skip) throws IOException {
        Path src = EvalTestData.dataset(), dst = tmp.resolve("ds");
        Files.createDirectories(dst);
        try (Stream<Path> s = Files.list(src)) {
            for (Path p : s.toList())
                if (!List.of(skip).contains(p.getFileName().toString())) Files.copy(p, dst.resolve(p.getFileName()));
        }
        return dst;
    }

    @Test
    void missingMapsFile() throws IOException {
        Path ds = copyDataset("maps.arrow"), out = tmp.resolve("out");
        assertBadInput(eval(ds, out), ds.resolve("maps.arrow").toString(), "no such file");
        assertNoOutput(out);
    }

    @Test
    void missingSitesFile() throws IOException {
        Path ds = copyDataset("sites.csv"), out = tmp.resolve("out");
        assertBadInput(eval(ds, out), ds.resolve("sites.csv").toString(), "no such file");
        assertNoOutput(out);
    }

    @Test
    void missingDatasetDirectory() throws IOException {
        Path out = tmp.resolve("out");
        assertBadInput(eval(tmp.resolve("nowhere"), out), "nowhere", "no such dataset directory");
        assertNoOutput(out);
    }

    @Test
    void unknownMethodAndSplit() throws IOException {
        Path ds = EvalTestData.dataset(), out = tmp.resolve("out");
        assertBadInput(eval(ds, out, "--methods", "voronoi,kriging"), "unknown method 'kriging'");
        assertBadInput(eval(ds, out, "--split", "loo-moon"), "unknown split 'loo-moon'");
        assertBadInput(eval(ds, out, "--oracle-betas", "6:0.1:0.05"), "--oracle-betas");
        assertNoOutput(out);
    }

    @Test
    void badRowNamesFileAndLine() throws IOException {
        Path ds = copyDataset(), out = tmp.resolve("out");
        List<String> lines = new ArrayList<>(Files.readAllLines(ds.resolve("sites.csv")));
        String[] f = lines.get(2).split(",", -1);
        f[1] = "abc";
        lines.set(2, String.join(",", f));
        Files.write(ds.resolve("sites.csv"), lines);
        assertBadInput(eval(ds, out), ds.resolve("sites.csv") + ":3:", "x is not a number");
        assertNoOutput(out);
    }

    @Test
    void siteWithMapFlagButNoMap() throws IOException {
        Path ds = copyDataset(), out = tmp.resolve("out");
        List<String> lines = new ArrayList<>(Files.readAllLines(ds.resolve("sites.csv")));
        int at = -1;
        for (int i = 1; i < lines.size(); i++)
            if (lines.get(i).endsWith(",0")) {
                at = i;
                break;
            }
        assertTrue(at > 0, "the dataset has context sites without a map");
        lines.set(at, lines.get(at).substring(0, lines.get(at).length() - 1) + "1");
        Files.write(ds.resolve("sites.csv"), lines);
        assertBadInput(eval(ds, out), ds.resolve("sites.csv") + ":" + (at + 1) + ":", "holds no map");
        assertNoOutput(out);
    }

    /** A site moved by 1 km in sites.csv: its SPEC window no longer matches its ground truth's grid. */
    @Test
    void gridMismatchFailsClearlyAndLeavesNothing() throws IOException {
        Path ds = copyDataset(), out = tmp.resolve("out");
        List<String> lines = new ArrayList<>(Files.readAllLines(ds.resolve("sites.csv")));
        int at = -1;
        for (int i = 1; i < lines.size(); i++) if (lines.get(i).endsWith(",1")) at = i; // the last site with a map
        String[] f = lines.get(at).split(",", -1);
        f[1] = String.valueOf(Double.parseDouble(f[1]) + 1000);
        lines.set(at, String.join(",", f));
        Files.write(ds.resolve("sites.csv"), lines);
        assertBadInput(
                eval(ds, out),
                ds.resolve("maps.arrow").toString(),
                "site " + f[0],
                "sites.csv:" + (at + 1),
                "drew it on");
        assertNoOutput(out);
        assertFalse(Files.exists(out.resolve("summary.csv")));
    }
}
