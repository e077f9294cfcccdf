package org.geomend.eval;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.geomend.cli.Main;
import org.geomend.geo.Projections;
import org.geomend.io.ArrowMapSink;
import org.geomend.io.MapSinks;
import org.geomend.synth.SynthGenerator;
import org.geomend.synth.SynthParams;

/** A tiny synthetic dataset (two small cities, 40 x 40 windows) written once per JVM, and a CLI runner (shared by the eval and student tests). */
public final class EvalTestData {

    public static final int WINDOW = 40;

    private EvalTestData() {}

    private static Path cached;

    /** Two cities, every urbanisation class present; generated with {@code geomend synth}'s generator. */
    public static synchronized Path dataset() throws IOException {
        if (cached != null) return cached;
        Path dir = java.nio.file.Files.createTempDirectory("geomend-eval-test");
        SynthParams p = SynthParams.small()
                .withWindow(WINDOW)
                .withCities(List.of(
                        new SynthParams.CitySpec("north", 350_000, 6_350_000, 1_000, 2_500, 5_000),
                        new SynthParams.CitySpec("south", 500_000, 6_350_000, 800, 2_000, 4_500)));
        SynthGenerator g = new SynthGenerator(p, 3, 2, null);
        g.run(
                g.layout(),
                dir,
                (d, crs) -> new ArrowMapSink(
                        d.resolve("maps.arrow"),
                        Projections.parse(crs),
                        true,
                        0.0,
                        MapSinks.geomendMetadata("synthetic-ground-truth", Map.of())),
                null);
        cached = dir;
        return dir;
    }

    public record Result(int code, String err) {}

    /** Runs {@code geomend ARGS} in-process, capturing stderr. */
    public static Result run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setErr(ps);
            code = Main.execute(args);
        } finally {
            System.setErr(old);
        }
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }
}
