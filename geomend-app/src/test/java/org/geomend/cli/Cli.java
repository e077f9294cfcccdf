package org.geomend.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Runs {@code geomend ARGS} as users do (the command tree and exit-code handlers of {@link Main#commandLine()}),
 * capturing stdout and stderr: picocli's writers and {@code System.out}/{@code System.err}, which commands
 * print their progress to, go to the same buffers.
 */
public final class Cli {

    private Cli() {}

    /** Exit code and captured output of one run. */
    public record Result(int code, String out, String err) {
        /** The stderr lines, without blank ones. */
        public java.util.List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /** {@code geomend nbl ARGS}. */
    public static Result nbl(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "nbl";
        System.arraycopy(args, 0, all, 1, args.length);
        return run(all);
    }

    public static synchronized Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            var cl = Main.commandLine();
            cl.setOut(new PrintWriter(o, true));
            cl.setErr(new PrintWriter(e, true));
            code = cl.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
