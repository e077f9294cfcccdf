package org.geomend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code geomend synth} through {@link Main}, as users run it: given sites, profiles, and its errors. */
class SynthCommandLineTest {

    static Path sites(Path dir, int n, int perRow, int dx, int dy) throws IOException {
        Path csv = dir.resolve("in.csv");
        StringBuilder sb = new StringBuilder("id,x,y\n");
        for (int k = 0; k < n; k++)
            sb.append("s")
                    .append(k)
                    .append(',')
                    .append(600_000 + (k % perRow) * dx)
                    .append(',')
                    .append(6_800_000 + (k / perRow) * dy)
                    .append('\n');
        Files.writeString(csv, sb);
        return csv;
    }

    @Test
    void givenSitesAndCommandLine(@TempDir Path dir) throws IOException {
        Path csv = sites(dir, 30, 6, 400, 500);
        Path out = dir.resolve("out");
        Cli.Result r = Cli.run(
                "synth",
                "--sites",
                csv.toString(),
                "--window",
                "40",
                "--seed",
                "3",
                "--out",
                out.toString(),
                "--calibrate",
                "--threads",
                "2");
        assertEquals(0, r.code(), r.err());
        try (ArrowMapReader in = ArrowMapReader.open(out.resolve("maps.arrow"))) {
            assertEquals(30, in.rowCount());
            assertTrue(in.sparse());
            MapData m = in.read("s0");
            assertEquals(40, m.grid().width());
            double s = 0;
            for (float v : m.values()) s += v;
            assertEquals(1.0, s, 1e-5, "nothing dropped: the ground truth is lossless");
        }
        assertFalse(Files.exists(out.resolve("maps.arrow.partial")), "the sink was committed and closed");
        List<String> lines = Files.readAllLines(out.resolve("sites.csv"));
        assertEquals("id,x,y,env,city,operator,map", lines.get(0));
        assertEquals(31, lines.size());
        assertTrue(lines.get(1).startsWith("s0,600000.0,6800000.0,urban,"), lines.get(1));
        String manifest = Files.readString(out.resolve("manifest.json"));
        assertTrue(
                manifest.contains("\"seed\": 3")
                        && manifest.contains("\"window\": 40")
                        && manifest.contains("\"hysteresisDb\": 3"),
                manifest);
        assertTrue(Files.readString(out.resolve("calibration.txt")).contains("urban"));
        assertTrue(Files.exists(out.resolve("sectors.csv")));
    }

    @Test
    void literatureProfileOnTheCommandLine(@TempDir Path dir) throws IOException {
        Path csv = sites(dir, 12, 4, 700, 800);
        Path out = dir.resolve("out");
        Cli.Result r = Cli.run(
                "synth",
                "--sites",
                csv.toString(),
                "--window",
                "40",
                "--profile",
                "literature",
                "--out",
                out.toString(),
                "--calibrate",
                "--threads",
                "1");
        assertEquals(0, r.code(), r.err());
        String manifest = Files.readString(out.resolve("manifest.json"));
        assertTrue(
                manifest.contains("\"profile\": \"literature\"") && manifest.contains("\"locationSigmaDb\": 6"),
                manifest);
        String cal = Files.readString(out.resolve("calibration.txt"));
        assertTrue(cal.contains("published VoronoiBoost") && cal.contains("tau 0.95"), cal);
    }

    /** One line on stderr, starting with the command's name, exit 2. */
    static void assertBadInput(Cli.Result r, String... needles) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("geomend synth: "), r.err());
        for (String n : needles) assertTrue(r.err().contains(n), "'" + n + "' missing in: " + r.err());
    }

    @Test
    void badInputExits2WithOneLineNamingFileAndLine(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("bad.csv"), out = dir.resolve("out");
        Files.writeString(csv, "id,x,y\na,1,2\nb,zz,3\n");
        assertBadInput(Cli.run("synth", "--sites", csv.toString(), "--out", out.toString()), csv + ":3: ");
        assertBadInput(
                Cli.run("synth", "--sites", dir.resolve("none.csv").toString(), "--out", out.toString()),
                dir.resolve("none.csv") + ": no such file");
        assertBadInput(Cli.run("synth", "--preset", "huge", "--out", out.toString()), "huge");
        assertBadInput(
                Cli.run(
                        "synth",
                        "--sites",
                        sites(dir, 4, 2, 700, 800).toString(),
                        "--profile",
                        "best",
                        "--out",
                        out.toString()),
                "best");
        assertBadInput(Cli.run("synth", "--window", "4", "--out", out.toString()), "--window must be in [8, 4096]: 4");
        assertFalse(Files.exists(out.resolve("maps.arrow")));
    }

    @Test
    void usageErrorPointsAtSynthHelp(@TempDir Path dir) {
        Cli.Result r = Cli.run("synth", "--bogus", "--out", dir.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(List.of("geomend synth: Unknown option: '--bogus'", "Try 'geomend synth --help'."), r.errLines());
    }

    /** A failure that is not the input's fault (here: the output directory cannot be made) exits 1 with one line. */
    @Test
    void internalErrorExits1(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a directory");
        Cli.Result r = Cli.run(
                "synth",
                "--sites",
                sites(dir, 4, 2, 700, 800).toString(),
                "--window",
                "16",
                "--out",
                file.resolve("out").toString());
        assertEquals(1, r.code(), r.err());
        List<String> errors = r.errLines().stream()
                .filter(l -> l.startsWith("geomend synth: "))
                .toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).startsWith("geomend synth: error: "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without GEOMEND_DEBUG: " + r.err());
    }
}
