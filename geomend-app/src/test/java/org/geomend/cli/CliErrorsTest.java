package org.geomend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The one error path of {@link Main}: usage errors name the command as typed and point at its own
 * {@code --help}, bad input is one line naming the file (and line) with exit 2, other failures exit 1,
 * for every sub-command and sub-sub-command.
 */
class CliErrorsTest {

    /** Every command below {@code geomend} (sub-commands and their sub-commands), as "nbl build" etc. */
    static List<String> allCommands() {
        List<String> out = new ArrayList<>();
        collect(Main.commandLine(), "", out);
        return out;
    }

    private static void collect(CommandLine cl, String prefix, List<String> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            String name = (prefix + " " + e.getKey()).strip();
            out.add(name);
            collect(e.getValue(), name, out);
        }
    }

    static String[] args(String command, String... more) {
        List<String> a = new ArrayList<>(List.of(command.split(" ")));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void everyCommandsUsageErrorPointsAtItsOwnHelp() {
        List<String> all = allCommands();
        for (String must : List.of(
                "synth",
                "geolocate",
                "nbl",
                "nbl import",
                "nbl build",
                "nbl locate",
                "nbl eval",
                "voronoiboost",
                "voronoiboost train",
                "voronoiboost loco",
                "eval",
                "train",
                "teacher",
                "ks2")) assertTrue(all.contains(must), must + " in " + all);
        for (String c : all) {
            Cli.Result r = Cli.run(args(c, "--no-such-option"));
            assertEquals(2, r.code(), c + ": " + r.err());
            List<String> lines = r.errLines();
            assertTrue(lines.get(0).startsWith("geomend " + c + ": "), c + ": " + r.err());
            assertEquals("Try 'geomend " + c + " --help'.", lines.get(lines.size() - 1), c + ": " + r.err());
            assertEquals("", r.out(), c);
        }
    }

    @Test
    void theIssuesExamples() {
        Cli.Result r = Cli.run("nbl", "build", "--no-such-option");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("geomend nbl build: "), r.err());
        assertTrue(r.err().contains("Try 'geomend nbl build --help'."), r.err());
        r = Cli.run("voronoiboost", "train", "--bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("geomend voronoiboost train: "), r.err());
        assertTrue(r.err().contains("Try 'geomend voronoiboost train --help'."), r.err());
        r = Cli.run("--no-such-option");
        assertEquals(2, r.code());
        assertEquals("Try 'geomend --help'.", r.errLines().get(r.errLines().size() - 1), r.err());
    }

    @Test
    void missingSubCommandIsAUsageError() {
        for (String c : List.of("nbl", "voronoiboost")) {
            Cli.Result r = Cli.run(c);
            assertEquals(2, r.code(), r.err());
            assertEquals(
                    List.of(
                            "geomend " + c + ": " + r.errLines().get(0).substring(("geomend " + c + ": ").length()),
                            "Try 'geomend " + c + " --help'."),
                    r.errLines());
            assertTrue(r.err().contains("missing sub-command"), r.err());
        }
        Cli.Result r = Cli.run();
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("geomend: missing sub-command"), r.err());
    }

    @Test
    void helpAndVersionExit0() {
        Cli.Result r = Cli.run("nbl", "build", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: geomend nbl build "), r.out());
        r = Cli.run("--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("geomend 0.1.0"), r.out());
    }

    /** One line on stderr that starts with the qualified command name, exit 2. */
    static void assertBadInput(Cli.Result r, String command, String... needles) {
        assertEquals(2, r.code(), r.err());
        List<String> ours =
                r.errLines().stream().filter(l -> l.startsWith("geomend ")).toList();
        assertEquals(1, ours.size(), r.err());
        assertTrue(ours.get(0).startsWith("geomend " + command + ": "), r.err());
        for (String n : needles) assertTrue(ours.get(0).contains(n), "'" + n + "' missing in: " + r.err());
    }

    @Test
    void nblBadInputFilesNameFileAndLine(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(
                bad, "record,time,lat,lon,cell,rsrp,rssi,ta\nr1,,45.4,-75.7,A,-80,,\nr2,,45.4,-75.7,A,loud,,\n");
        Cli.Result r = Cli.run(
                "nbl",
                "build",
                "--measurements",
                bad.toString(),
                "--out",
                dir.resolve("m.map").toString());
        assertBadInput(r, "nbl build", bad + ":3: ", "rsrp");
        assertEquals(1, r.errLines().size(), r.err());
        assertFalse(Files.exists(dir.resolve("m.map")));

        Path cells = dir.resolve("cells.csv");
        Files.writeString(cells, "cell,lat,lon\nA,45.4,-75.7\nB,north,-75.7\n");
        Path good = dir.resolve("good.csv");
        Files.writeString(good, "record,time,lat,lon,cell,rsrp,rssi,ta\nr1,,45.4,-75.7,A,-80,,\n");
        assertBadInput(
                Cli.run(
                        "nbl",
                        "build",
                        "--measurements",
                        good.toString(),
                        "--cells",
                        cells.toString(),
                        "--out",
                        dir.resolve("m.map").toString()),
                "nbl build",
                cells + ":3: lat is not a number");

        Path notAMap = dir.resolve("not.map");
        Files.writeString(notAMap, "0123456789abcdef");
        assertBadInput(
                Cli.run(
                        "nbl",
                        "locate",
                        "--map",
                        notAMap.toString(),
                        "--records",
                        good.toString(),
                        "--out",
                        dir.resolve("o.csv").toString(),
                        "--backend",
                        "java"),
                "nbl locate",
                notAMap + ":1: not an NBL map");

        assertBadInput(
                Cli.run(
                        "nbl",
                        "build",
                        "--measurements",
                        dir.resolve("nope.csv").toString(),
                        "--out",
                        dir.resolve("m.map").toString()),
                "nbl build",
                dir.resolve("nope.csv") + ": no such file");
        assertBadInput(
                Cli.run(
                        "nbl",
                        "import",
                        "--from",
                        "walksignal",
                        "--out",
                        dir.resolve("x.csv").toString(),
                        dir.resolve("nowhere").toString()),
                "nbl import",
                dir.resolve("nowhere") + ": no such file or directory");
        assertBadInput(
                Cli.run(
                        "nbl",
                        "eval",
                        "--measurements",
                        good.toString(),
                        "--test-fraction",
                        "1.5",
                        "--out",
                        dir.resolve("ev").toString()),
                "nbl eval",
                "--test-fraction must be in (0, 1)");
    }

    @Test
    void geolocateBadInputFileNamesFileAndLine(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "id,x,y\na,652000,6862000\nb,652500,not-a-number\n");
        Path out = dir.resolve("o.arrow");
        Cli.Result r = Cli.run(
                "geolocate",
                "--sites",
                bad.toString(),
                "--method",
                "voronoi",
                "--backend",
                "java",
                "--out",
                out.toString());
        assertBadInput(r, "geolocate", bad + ":3: ");
        assertEquals(1, r.errLines().size(), r.err());
        assertFalse(Files.exists(out));
        assertBadInput(
                Cli.run(
                        "geolocate",
                        "--sites",
                        bad.toString(),
                        "--method",
                        "voronoi",
                        "--format",
                        "png",
                        "--out",
                        out.toString()),
                "geolocate",
                "--format");
    }

    @Test
    void ks2OnAFileThatIsNoMap(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.npy"), b = dir.resolve("b.npy");
        Files.writeString(a, "not an npy file");
        Files.writeString(b, "not an npy file either");
        assertBadInput(Cli.run("ks2", a.toString(), b.toString()), "ks2", a.toString());
    }

    /** The real {@code main} in its own JVM: exit status 1 for an internal failure, a stack trace with GEOMEND_DEBUG. */
    @Test
    void internalErrorExits1AndDebugPrintsTheTrace(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a directory");
        String out = file.resolve("x").toString();
        Proc plain = main(false, "example-inventory", "--out", out);
        assertEquals(1, plain.code(), plain.err());
        List<String> lines = plain.err()
                .lines()
                .filter(l -> !l.startsWith("WARNING: Using incubator"))
                .toList();
        assertEquals(
                List.of("geomend example-inventory: error: " + file + " (FileAlreadyExistsException)"),
                lines,
                plain.err());
        Proc debug = main(true, "example-inventory", "--out", out);
        assertEquals(1, debug.code(), debug.err());
        assertTrue(debug.err().contains("\tat "), "a stack trace with GEOMEND_DEBUG: " + debug.err());
        Proc usage = main(false, "nbl", "build", "--no-such-option");
        assertEquals(2, usage.code(), usage.err());
        assertTrue(usage.err().contains("Try 'geomend nbl build --help'."), usage.err());
    }

    record Proc(int code, String err) {}

    static Proc main(boolean debug, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc"))
                cmd.add(a);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("GEOMEND_DEBUG");
        if (debug) pb.environment().put("GEOMEND_DEBUG", "1");
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "geomend did not finish");
        return new Proc(p.exitValue(), err);
    }
}
