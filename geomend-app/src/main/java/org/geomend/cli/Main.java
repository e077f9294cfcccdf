package org.geomend.cli;

import java.io.PrintWriter;
import org.geomend.io.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code geomend}: the entry point. */
@Command(name = "geomend", mixinStandardHelpOptions = true, version = "geomend 0.1.0",
        description = "Where the users of a mobile network are: metadata geolocation of base stations (DeepMEND) "
                + "and network-based localization of measurement records (NBL).",
        subcommands = {GeolocateCommand.class, Ks2Command.class, ExampleInventoryCommand.class, NblCommand.class,
                EvalCommand.class, TeacherCommand.class, TrainCommand.class, VoronoiBoostCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { throw new CommandLine.ParameterException(spec.commandLine(), "missing sub-command"); }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (for tests: nothing calls System.exit). */
    public static int execute(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    /** Ground-truth maps of {@code geomend synth}: {@code DIR/maps.arrow}, sparse with nothing dropped (lossless). */
    static org.geomend.io.MapSink synthSink(java.nio.file.Path dir, String crsName) throws java.io.IOException {
        return new org.geomend.io.ArrowMapSink(dir.resolve("maps.arrow"), org.geomend.geo.Projections.parse(crsName), true, 0.0,
                org.geomend.io.MapSinks.geomendMetadata("synthetic-ground-truth", java.util.Map.of()));
    }

    /**
     * {@code geomend synth --sites FILE [--crs CRS]}: any inventory format {@code geolocate} reads (SPEC section 5),
     * with the CRS its positions end up in (lat/lon: projected to {@code crs}, default an equal-area CRS centred
     * on the sites), which the maps and {@code manifest.json} then carry.
     */
    static org.geomend.io.Inventory synthSites(java.nio.file.Path file, String crs) {
        try {
            return org.geomend.io.InventoryReader.read(file, org.geomend.io.InventoryOptions.defaults().withCrs(crs)
                    .withReport(System.err));
        } catch (InputException e) {
            throw new SynthCommand.BadInput(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new SynthCommand.BadInput("--crs: " + e.getMessage());
        }
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("synth", new CommandLine(new SynthCommand(Main::synthSink, Main::synthSites)));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            Throwable t = ex;
            if (t instanceof java.io.UncheckedIOException u) t = u.getCause();
            if (t instanceof InputException || t instanceof org.geomend.io.MapFormatException || t instanceof IllegalArgumentException || t instanceof java.nio.file.NoSuchFileException) {
                String msg = t instanceof java.nio.file.NoSuchFileException n ? n.getFile() + ": no such file" : t.getMessage();
                err.println("geomend " + cmd.getCommandName() + ": " + msg);
                return 2;
            }
            err.println("geomend " + cmd.getCommandName() + ": error: " + (t.getMessage() == null ? t.toString() : t.getMessage()));
            if (org.geomend.kernels.Setting.DEBUG.isOn()) t.printStackTrace(err);
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("geomend " + ex.getCommandLine().getCommandName() + ": " + ex.getMessage());
            err.println("Try 'geomend " + (ex.getCommandLine().getParent() == null ? "" : ex.getCommandLine().getCommandName() + " ") + "--help'.");
            return 2;
        });
        return cl;
    }
}
