package org.geomend.cli;

import java.io.PrintWriter;
import org.geomend.io.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code geomend}: the entry point. */
@Command(name = "geomend", mixinStandardHelpOptions = true, version = "geomend 0.1.0",
        description = "Where the users of a mobile network are: metadata geolocation of base stations (DeepMEND) "
                + "and network-based localization of measurement records (NBL).",
        subcommands = {GeolocateCommand.class, Ks2Command.class, ExampleInventoryCommand.class,
                NotYetCommands.Synth.class, NotYetCommands.Eval.class, NotYetCommands.Teacher.class,
                NotYetCommands.Train.class, NotYetCommands.Nbl.class, CommandLine.HelpCommand.class})
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

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            Throwable t = ex;
            if (t instanceof java.io.UncheckedIOException u) t = u.getCause();
            if (t instanceof InputException || t instanceof IllegalArgumentException || t instanceof java.nio.file.NoSuchFileException) {
                String msg = t instanceof java.nio.file.NoSuchFileException n ? n.getFile() + ": no such file" : t.getMessage();
                err.println("geomend " + cmd.getCommandName() + ": " + msg);
                return 2;
            }
            err.println("geomend " + cmd.getCommandName() + ": error: " + (t.getMessage() == null ? t.toString() : t.getMessage()));
            if (System.getenv("GEOMEND_DEBUG") != null) t.printStackTrace(err);
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
