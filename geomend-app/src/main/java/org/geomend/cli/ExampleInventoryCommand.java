package org.geomend.cli;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.geomend.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a synthetic lat/lon site inventory (generic CSV: {@code id,lat,lon,env}) for examples and
 * smoke tests: a few towns, each a dense urban core (sites 300-600 m apart), a suburban ring (1-2 km)
 * and rural surroundings (4-8 km), all deterministic for a seed. It has no ground truth: the
 * synthetic operator ({@code geomend synth}) is the one for evaluation.
 */
@Command(
        name = "example-inventory",
        mixinStandardHelpOptions = true,
        description = "Write a synthetic site inventory (id,lat,lon,env) for examples.")
final class ExampleInventoryCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "CSV file to write.")
    Path out;

    @Option(names = "--towns", defaultValue = "3", description = "Number of towns (default ${DEFAULT-VALUE}).")
    int towns;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lat", defaultValue = "45.76", description = "Latitude of the area's centre.")
    double lat0;

    @Option(names = "--lon", defaultValue = "4.84", description = "Longitude of the area's centre.")
    double lon0;

    @Override
    public Integer call() throws Exception {
        if (towns < 1 || towns > 50) throw new IllegalArgumentException("--towns must be in [1, 50]");
        SplittableRandom r = new SplittableRandom(seed);
        if (out.toAbsolutePath().getParent() != null)
            Files.createDirectories(out.toAbsolutePath().getParent());
        int[] n = {0};
        AtomicFiles.write(out, os -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
            w.write("id,lat,lon,env\n");
            for (int t = 0; t < towns; t++) {
                double ang = 2 * Math.PI * t / towns, dist = towns == 1 ? 0 : 25_000;
                double cx = dist * Math.cos(ang), cy = dist * Math.sin(ang);
                double scale = 0.6 + 0.8 * r.nextDouble();
                n[0] = ring(w, r, n[0], t, cx, cy, 0, 2_500 * scale, 450, "urban");
                n[0] = ring(w, r, n[0], t, cx, cy, 2_500 * scale, 7_000 * scale, 1_500, "suburban");
                n[0] = ring(w, r, n[0], t, cx, cy, 7_000 * scale, 15_000 * scale, 5_000, "rural");
            }
            w.flush();
        });
        System.err.println("geomend example-inventory: wrote " + n[0] + " sites to " + out);
        return 0;
    }

    /** Scatters sites over an annulus at about {@code spacing} metres apart. */
    private int ring(
            BufferedWriter w,
            SplittableRandom r,
            int n,
            int town,
            double cx,
            double cy,
            double rin,
            double rout,
            double spacing,
            String env)
            throws java.io.IOException {
        double area = Math.PI * (rout * rout - rin * rin);
        int count = Math.max(1, (int) Math.round(area / (spacing * spacing)));
        for (int i = 0; i < count; i++) {
            double rad = Math.sqrt(rin * rin + r.nextDouble() * (rout * rout - rin * rin)),
                    a = 2 * Math.PI * r.nextDouble();
            double x = cx + rad * Math.cos(a), y = cy + rad * Math.sin(a);
            double lat = lat0 + y / 111_320.0, lon = lon0 + x / (111_320.0 * Math.cos(Math.toRadians(lat0)));
            w.write(String.format(Locale.ROOT, "T%d-%04d,%.6f,%.6f,%s%n", town, n, lat, lon, env));
            n++;
        }
        return n;
    }
}
