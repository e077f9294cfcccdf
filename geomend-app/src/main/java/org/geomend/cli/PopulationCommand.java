package org.geomend.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.geomend.traffic.Population;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code geomend population}: DeepMEND eq. 9, the dynamic population from a traffic raster and lambda(t). */
@Command(
        name = "population",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Dynamic population, DeepMEND eq. 9: p_l(t) = exp(k1 lambda(t) + k2) * d_l(t)^(k3 lambda(t) + k4), "
                    + "one float32 band per time step, from a traffic GeoTIFF written by geomend traffic (bands described by their times).",
            "d_l is the traffic per km^2 (the raster value divided by the pixel area in km^2) and p_l comes out per km^2: "
                    + "the model of Khodabandelou et al. (IEEE TMC 2018) relates densities per unit area, so the constants do not "
                    + "depend on the raster's resolution. Pixels with d_l = 0 give 0.",
            "k1..k4 are required: we found no published values of the constants (DeepMEND takes them from that paper, "
                    + "which we could not read); fit them to your own ground truth."
        })
final class PopulationCommand implements Callable<Integer> {

    @Option(names = "--traffic", required = true, description = "Traffic GeoTIFF (geomend traffic --format geotiff).")
    Path traffic;

    @Option(
            names = "--lambda",
            required = true,
            description =
                    "CSV time,lambda: mean network events per subscriber per time step; the times must be the raster's bands.")
    Path lambda;

    @Option(
            names = "--k1",
            required = true,
            description = "Constant k1 of eq. 9 (multiplies lambda in the exponent of e).")
    double k1;

    @Option(names = "--k2", required = true, description = "Constant k2 of eq. 9.")
    double k2;

    @Option(
            names = "--k3",
            required = true,
            description = "Constant k3 of eq. 9 (multiplies lambda in the exponent of d).")
    double k3;

    @Option(names = "--k4", required = true, description = "Constant k4 of eq. 9.")
    double k4;

    @Option(names = "--deflate", description = "DEFLATE-compress the output strips.")
    boolean deflate;

    @Option(names = "--out", required = true, description = "Output GeoTIFF.")
    Path out;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        Population.Result r;
        try (ProgressBar bar = new ProgressBar("population")) {
            r = Population.run(
                    traffic, lambda, new Population.Constants(k1, k2, k3, k4), out, deflate, Map.of(), bar::update);
        }
        System.err.printf(
                Locale.ROOT,
                "geomend population: %d time steps, raster %d x %d of %.0f m, mean population %.6g per time step, "
                        + "%s written to %s in %.1f s%n",
                r.times().length,
                r.grid().width(),
                r.grid().height(),
                r.grid().resolution(),
                r.total() / r.times().length,
                GeolocateCommand.human(r.bytes()),
                out,
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
