package org.geomend.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.geomend.io.Site;
import org.geomend.synth.Calibration;
import org.geomend.synth.SynthGenerator;
import org.geomend.synth.SynthParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code geomend synth --preset small|paper [--sites FILE] --seed N --out DIR}: a synthetic operator with
 * ground truth. Exit 0 on success, 2 on bad input (one line naming the file and line), 1 on other failures.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Generate a synthetic operator: site layout, sector parameters and ground-truth P(l|i) maps.")
public final class SynthCommand implements Callable<Integer> {

    /** Reads a --sites file into sites (id, projected x/y, optional env); throws {@link BadInput} for bad rows. */
    @FunctionalInterface
    public interface SiteLoader {
        List<Site> load(Path file) throws IOException;
    }

    /** Bad input: the message is the one-line reason (file and line). */
    public static final class BadInput extends RuntimeException {
        public BadInput(String msg) { super(msg); }
    }

    @Option(names = "--preset", defaultValue = "small", description = "small | paper (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--profile", defaultValue = "calibrated", description = "calibrated | literature: the association softness calibrated against DeepMEND's KS2 medians, or every parameter at its literature value (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--sites", description = "use these site positions (CSV with id,x,y[,env]) instead of generated cities")
    Path sites;

    @Option(names = "--crs", defaultValue = "EPSG:2154", description = "CRS name of --sites coordinates (default: ${DEFAULT-VALUE})")
    String crs;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Option(names = "--window", description = "window side in pixels (default 600)")
    Integer window;

    @Option(names = "--threads", defaultValue = "0", description = "worker threads (0 = all cores)")
    int threads;

    @Option(names = "--calibrate", description = "also compute median KS2 of Voronoi and legacy sPDI vs the ground truth per class (calibration.txt)")
    boolean calibrate;

    private final SynthGenerator.SinkFactory sinkFactory;
    private final SiteLoader siteLoader;

    /** For the top-level command: maps go through {@code sinkFactory}; {@code --sites} is read by {@code siteLoader} (null: the built-in id,x,y CSV reader). */
    public SynthCommand(SynthGenerator.SinkFactory sinkFactory, SiteLoader siteLoader) {
        this.sinkFactory = sinkFactory;
        this.siteLoader = siteLoader == null ? SynthCommand::readXyCsv : siteLoader;
    }

    public SynthCommand(SynthGenerator.SinkFactory sinkFactory) { this(sinkFactory, null); }

    @Override
    public Integer call() {
        PrintStream err = System.err;
        try {
            SynthParams p;
            try {
                p = SynthParams.preset(preset).withProfile(profile);
            } catch (IllegalArgumentException e) {
                err.println("geomend synth: " + e.getMessage());
                return 2;
            }
            if (window != null) {
                if (window < 8 || window > 4096) {
                    err.println("geomend synth: --window must be in [8, 4096]: " + window);
                    return 2;
                }
                p = p.withWindow(window);
            }
            if (sinkFactory == null) {
                err.println("geomend synth: no map writer configured");
                return 1;
            }
            SynthGenerator gen;
            SynthGenerator.Layout layout;
            if (sites != null) {
                List<Site> given;
                try {
                    given = siteLoader.load(sites);
                } catch (BadInput e) {
                    err.println("geomend synth: " + e.getMessage());
                    return 2;
                } catch (java.nio.file.NoSuchFileException e) {
                    err.println("geomend synth: " + sites + ": no such file");
                    return 2;
                }
                if (given.isEmpty()) {
                    err.println("geomend synth: " + sites + ": no sites");
                    return 2;
                }
                p = p.withCities(List.of());
                gen = new SynthGenerator(p, seed, threads, err);
                layout = gen.layout(given, crs);
            } else {
                gen = new SynthGenerator(p, seed, threads, err);
                layout = gen.layout();
            }
            err.printf(Locale.ROOT, "synth: %d sites, %d maps, %d regions%n", layout.sites().size(), layout.targets(),
                    layout.regions().size());
            SynthGenerator.Stats st;
            if (calibrate) {
                try (Calibration cal = new Calibration(layout.sites(), threads)) {
                    st = gen.run(layout, out, sinkFactory, cal);
                    String rep = cal.report().toString();
                    Files.writeString(out.resolve("calibration.txt"), rep);
                    err.print(rep);
                }
            } else {
                st = gen.run(layout, out, sinkFactory, null);
            }
            err.printf(Locale.ROOT, "synth: wrote %d maps in %.1f s to %s%n", st.maps(), st.seconds(), out);
            return 0;
        } catch (Exception e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            err.println("geomend synth: " + m);
            return 1;
        }
    }

    /** Minimal CSV reader: header with {@code id}, {@code x}, {@code y} and optional {@code env}; comma or semicolon. */
    public static List<Site> readXyCsv(Path file) throws IOException {
        List<Site> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String head = r.readLine();
            if (head == null) throw new BadInput(file + ":1: empty file");
            String sep = head.contains(";") && !head.contains(",") ? ";" : ",";
            List<String> h = Arrays.stream(head.split(sep, -1)).map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
            int ci = h.indexOf("id"), cx = h.indexOf("x"), cy = h.indexOf("y"), ce = h.indexOf("env");
            if (cx < 0 || cy < 0) throw new BadInput(file + ":1: header needs x and y columns");
            String line;
            long no = 1;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) continue;
                String[] f = line.split(sep, -1);
                try {
                    double x = Double.parseDouble(f[cx].trim()), y = Double.parseDouble(f[cy].trim());
                    if (!Double.isFinite(x) || !Double.isFinite(y)) throw new NumberFormatException();
                    String id = ci >= 0 ? f[ci].trim() : String.valueOf(no - 1);
                    String env = ce >= 0 && ce < f.length ? f[ce].trim() : null;
                    out.add(new Site(id, x, y, env == null || env.isEmpty() ? null : env, null, no));
                } catch (RuntimeException e) {
                    throw new BadInput(file + ":" + no + ": bad row");
                }
            }
        }
        return out;
    }
}
