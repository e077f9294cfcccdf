package org.geomend.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.geomend.io.InputException;
import org.geomend.io.Inventory;
import org.geomend.synth.Calibration;
import org.geomend.synth.SynthGenerator;
import org.geomend.synth.SynthParams;
import org.geomend.synth.SynthTraffic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code geomend synth --preset small|paper [--sites FILE] --seed N [--no-traffic] --out DIR}: a synthetic operator
 * with ground truth (maps, and by default per-BS traffic with its ground-truth demand and population, {@link SynthTraffic}). Errors go to {@link Main}'s handler: exit 2 on bad input (one line naming the file and line),
 * 1 on other failures.
 */
@Command(
        name = "synth",
        mixinStandardHelpOptions = true,
        description = "Generate a synthetic operator: site layout, sector parameters and ground-truth P(l|i) maps.")
public final class SynthCommand implements Callable<Integer> {

    @Option(names = "--preset", defaultValue = "small", description = "small | paper (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(
            names = "--profile",
            defaultValue = "calibrated",
            description =
                    "calibrated | literature: the association softness calibrated against DeepMEND's KS2 medians, or every parameter at its literature value (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(
            names = "--sites",
            description =
                    "use these site positions instead of generated cities (any inventory geolocate reads: id,x,y or id,lat,lon [,env], ARCEP, OpenCelliD)")
    Path sites;

    @Option(
            names = "--crs",
            description =
                    "CRS of x,y --sites / projection for lat,lon --sites (EPSG code or proj string; default: EPSG:2154 for x,y, equal-area centred on the sites for lat,lon)")
    String crs;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Option(names = "--window", description = "window side in pixels (default 600)")
    Integer window;

    @Option(names = "--threads", defaultValue = "0", description = "worker threads (0 = all cores)")
    int threads;

    @Option(
            names = "--calibrate",
            description =
                    "also compute median KS2 of Voronoi and legacy sPDI vs the ground truth per class (calibration.txt)")
    boolean calibrate;

    @Option(
            names = "--traffic",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "also write per-BS traffic and its ground truth: traffic.csv, lambda.csv, traffic.json, demand/<region>.tif, population/<region>.tif (default: on; --no-traffic skips it and leaves the outputs as they were before traffic existed)")
    boolean traffic;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        SynthParams p = SynthParams.preset(preset).withProfile(profile);
        if (window != null) {
            if (window < 8 || window > 4096)
                throw new IllegalArgumentException("--window must be in [8, 4096]: " + window);
            p = p.withWindow(window);
        }
        SynthGenerator gen;
        SynthGenerator.Layout layout;
        if (sites != null) {
            Inventory given = Main.synthSites(sites, crs);
            if (given.sites().isEmpty()) throw new InputException(sites, 0, "no sites");
            p = p.withCities(List.of());
            gen = new SynthGenerator(p, seed, threads, err);
            layout = gen.layout(given.sites(), given.crs().name());
        } else {
            gen = new SynthGenerator(p, seed, threads, err);
            layout = gen.layout();
        }
        err.printf(
                Locale.ROOT,
                "synth: %d sites, %d maps, %d regions%n",
                layout.sites().size(),
                layout.targets(),
                layout.regions().size());
        SynthGenerator.Stats st;
        SynthTraffic tr = traffic ? new SynthTraffic(p, SynthParams.Traffic.defaults(), seed, layout, out, err) : null;
        if (calibrate) {
            try (Calibration cal = new Calibration(layout.sites(), threads)) {
                st = gen.run(layout, out, Main::synthSink, cal, tr);
                String rep = cal.report().toString();
                Files.writeString(out.resolve("calibration.txt"), rep);
                err.print(rep);
            }
        } else {
            st = gen.run(layout, out, Main::synthSink, null, tr);
        }
        err.printf(Locale.ROOT, "synth: wrote %d maps in %.1f s to %s%n", st.maps(), st.seconds(), out);
        return 0;
    }
}
