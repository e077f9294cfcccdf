package org.geomend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.geomend.eval.EvalTestData;
import org.geomend.eval.EvalTestData.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geomend eval}'s report names the command line as given (picocli's parse result, shell-quoted), and the
 * training options it shares with {@code geomend train} are spelled {@code --student-NAME} there, checked the same.
 */
class EvalCommandLineTest {

    @TempDir
    Path tmp;

    @Test
    void reportGivesTheCommandLineAsTyped() throws IOException {
        Path data = EvalTestData.dataset(), out = tmp.resolve("eval out");
        Result r = EvalTestData.run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                "voronoi",
                "--split=cv5",
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--threads",
                "2",
                "--map-samples",
                "0",
                "--student-keep",
                "last",
                "--student-epochs",
                "3",
                "--conv",
                "cudnn");
        assertEquals(0, r.code(), r.err());
        String md = Files.readString(out.resolve("summary.md"));
        String expected = "- command: `geomend eval --dataset " + data + " --methods voronoi --split=cv5 --out '" + out
                + "' --backend java --threads 2 --map-samples 0 --student-keep last --student-epochs 3 --conv cudnn`";
        assertTrue(md.contains(expected), expected + "\nnot in\n" + md);
    }

    @Test
    void shellQuoting() {
        assertEquals("a/b.c=d,e:f", EvalCommand.shellQuote("a/b.c=d,e:f"));
        assertEquals("''", EvalCommand.shellQuote(""));
        assertEquals("'a b'", EvalCommand.shellQuote("a b"));
        assertEquals("'it'\\''s'", EvalCommand.shellQuote("it's"));
        assertEquals("'$HOME'", EvalCommand.shellQuote("$HOME"));
    }

    @Test
    void trainingOptionsAreCheckedUnderTheirOwnNames() throws IOException {
        Path data = EvalTestData.dataset();
        Result r = EvalTestData.run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                "direct",
                "--out",
                tmp.resolve("e").toString(),
                "--backend",
                "java",
                "--student-keep",
                "first");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--student-keep must be best or last: 'first'"), r.err());
        r = EvalTestData.run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                "direct",
                "--out",
                tmp.resolve("e").toString(),
                "--backend",
                "java",
                "--student-epochs",
                "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--student-epochs must be >= 1: 0"), r.err());
        r = EvalTestData.run(
                "eval",
                "--dataset",
                data.toString(),
                "--methods",
                "voronoi",
                "--out",
                tmp.resolve("e").toString(),
                "--epochs",
                "3");
        assertEquals(2, r.code(), r.err()); // train's spelling is not eval's
        r = EvalTestData.run(
                "train", "--dataset", data.toString(), "--out", tmp.resolve("m").toString(), "--epochs", "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--epochs must be >= 1: 0"), r.err());
        r = EvalTestData.run(
                "train", "--dataset", data.toString(), "--out", tmp.resolve("m").toString(), "--student-epochs", "3");
        assertEquals(2, r.code(), r.err());
    }
}
