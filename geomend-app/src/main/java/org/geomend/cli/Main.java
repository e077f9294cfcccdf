package org.geomend.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.geomend.io.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code geomend}: the entry point, and the one place where errors become exit codes (for every sub-command
 * and sub-sub-command): 0 ok; 2 for bad usage (the error, then {@code Try 'geomend CMD --help'.}) and for bad
 * input ({@link InputException}, {@link IllegalArgumentException} from option checks, a missing file), one
 * line; 1 for any other failure, one line (with {@code GEOMEND_DEBUG} set, the stack trace follows). Every
 * line starts with the command's qualified name, e.g. {@code geomend nbl build: }.
 */
@Command(
        name = "geomend",
        mixinStandardHelpOptions = true,
        version = "geomend 0.1.0",
        description = "Where the users of a mobile network are: metadata geolocation of base stations (DeepMEND) "
                + "and network-based localization of measurement records (NBL).",
        subcommands = {
            GeolocateCommand.class,
            Ks2Command.class,
            ExampleInventoryCommand.class,
            NblCommand.class,
            EvalCommand.class,
            TeacherCommand.class,
            TrainCommand.class,
            VoronoiBoostCommand.class,
            CommandLine.HelpCommand.class,
            SynthCommand.class,
            PlanEdgeCommand.class,
            TrafficCommand.class,
            PopulationCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing sub-command");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (for tests: nothing calls System.exit). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** Ground-truth maps of {@code geomend synth}: {@code DIR/maps.arrow}, sparse with nothing dropped (lossless). */
    static org.geomend.io.MapSink synthSink(java.nio.file.Path dir, String crsName) throws java.io.IOException {
        return new org.geomend.io.ArrowMapSink(
                dir.resolve("maps.arrow"),
                org.geomend.geo.Projections.parse(crsName),
                true,
                0.0,
                org.geomend.io.MapSinks.geomendMetadata("synthetic-ground-truth", java.util.Map.of()));
    }

    /**
     * {@code geomend synth --sites FILE [--crs CRS]}: any inventory format {@code geolocate} reads (SPEC section 5),
     * with the CRS its positions end up in (lat/lon: projected to {@code crs}, default an equal-area CRS centred
     * on the sites), which the maps and {@code manifest.json} then carry.
     */
    static org.geomend.io.Inventory synthSites(java.nio.file.Path file, String crs) {
        try {
            return org.geomend.io.InventoryReader.read(
                    file,
                    org.geomend.io.InventoryOptions.defaults().withCrs(crs).withReport(System.err));
        } catch (IllegalArgumentException e) { // the CRS: rows are InputExceptions
            throw new IllegalArgumentException("--crs: " + e.getMessage(), e);
        }
    }

    /** The whole command tree with the exit-code handlers (tests run this, as users do). */
    static CommandLine commandLine() {
        return withHandlers(new CommandLine(new Main()));
    }

    /**
     * {@code cl} with this class's exit-code handlers (the same messages and codes as every geomend command): for
     * command trees outside this module, e.g. {@code geomend spark} (module geomend-spark).
     */
    public static CommandLine withHandlers(CommandLine cl) {
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> handle(ex, cmd));
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName();
            PrintWriter err = cmd.getErr();
            err.println(name + ": " + ex.getMessage());
            err.println("Try '" + name + " --help'.");
            err.flush();
            return 2;
        });
        return cl;
    }

    /** Exit code of a failed command, after its one-line report on {@code cmd}'s error stream. */
    static int handle(Throwable ex, CommandLine cmd) {
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        Throwable t = ex;
        if (t instanceof UncheckedIOException u && u.getCause() != null) t = u.getCause();
        int code;
        if (t instanceof NoSuchFileException n) {
            err.println(name + ": " + n.getFile() + ": no such file");
            code = 2;
        } else if (t instanceof InputException || t instanceof IllegalArgumentException) {
            err.println(name + ": " + firstLine(t));
            code = 2;
        } else {
            err.println(name + ": error: " + firstLine(t));
            code = 1;
        }
        if (org.geomend.kernels.Setting.DEBUG.isOn()) t.printStackTrace(err);
        err.flush();
        return code;
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) return t.toString();
        m = m.lines().findFirst().orElse(m);
        // e.g. FileAlreadyExistsException: its message is the file alone
        if (t instanceof java.nio.file.FileSystemException f && f.getReason() == null)
            m += " (" + t.getClass().getSimpleName() + ")";
        return m;
    }
}
