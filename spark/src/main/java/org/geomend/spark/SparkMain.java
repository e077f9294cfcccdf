package org.geomend.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.geomend.cli.Main;
import org.geomend.io.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code geomend spark JOB [--master URL] ARGS}: a geomend job on Apache Spark. Embedded (the {@code ./geomend spark}
 * launcher: local mode, {@code local[*]} unless {@code --master}), or the shaded job jar under {@code spark-submit}
 * (the master is then spark-submit's). Errors and exit codes are the CLI's ({@link Main#withHandlers}): a malformed
 * row in an executor stops the job with the row's one-line message (file and line) and exit code 2.
 */
@Command(
        name = "geomend spark",
        mixinStandardHelpOptions = true,
        description = "geomend jobs on Apache Spark 4.2 (embedded local mode by default, or under spark-submit).",
        subcommands = {GeolocateJob.class, TrafficJob.class, NblBuildJob.class, NblLocateJob.class})
public final class SparkMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing job (geolocate, traffic, nbl-build, nbl-locate)");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a job and returns its exit code (tests call this; nothing calls System.exit). */
    public static int execute(String... args) {
        return Main.withHandlers(new CommandLine(new SparkMain())).execute(args);
    }

    /** Options every job has. */
    static final class JobOptions {
        @Option(
                names = "--master",
                description = "Spark master URL (default: spark-submit's, else local[*]), e.g. local[2]")
        String master;

        @Option(names = "--overwrite", description = "replace the output directory when it exists")
        boolean overwrite;

        @Option(
                names = "--bad-rows",
                paramLabel = "DIR",
                description = "write malformed rows to DIR (file,line,reason,row) and count them instead of stopping")
        Path badRows;

        @Option(names = "--partitions", defaultValue = "0", description = "shuffle partitions (0: Spark's default)")
        int partitions;

        @Option(names = "--backend", defaultValue = "auto", description = "auto|java|cuda, in every executor")
        String backend;

        String badRowsDir() throws IOException {
            if (badRows == null) return null;
            if (Files.exists(badRows))
                throw new IllegalArgumentException("--bad-rows " + badRows + " exists (it must be a new directory)");
            return badRows.toAbsolutePath().toString();
        }
    }

    /**
     * The session: {@code master} when given, else spark-submit's, else {@code local[*]}; embedded runs get a quiet log
     * (warnings only) and no UI.
     */
    static SparkSession session(String master, String job) {
        boolean submitted = System.getProperty("spark.master") != null;
        if (!submitted && System.getProperty("log4j2.configurationFile") == null)
            System.setProperty("log4j2.configurationFile", "org/geomend/spark/log4j2.properties");
        SparkSession.Builder b = SparkSession.builder().appName("geomend " + job);
        if (master != null) b.master(master);
        else if (!submitted) b.master("local[*]");
        if (!submitted) b.config("spark.ui.enabled", "false");
        b.config("spark.ui.showConsoleProgress", "false");
        // one _SUCCESS, the job's own (JobOutput.commit), not one per Parquet table
        b.config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
        SparkSession s = b.getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    /** The input files of {@code paths}: a directory stands for its files (not those starting with '_' or '.'), sorted. */
    static List<String> inputFiles(List<Path> paths, String option) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith("_")
                                    && !f.getFileName().toString().startsWith("."))
                            .sorted()
                            .forEach(f -> out.add(f.toAbsolutePath().toString()));
                }
            } else if (Files.isRegularFile(p)) out.add(p.toAbsolutePath().toString());
            else throw new InputException(p, 0, "no such file (" + option + ")");
        }
        if (out.isEmpty()) throw new IllegalArgumentException(option + ": no input files in " + paths);
        return out;
    }

    /**
     * Runs {@code body}; a failure that holds geomend's bad-input exception (a Spark job aborted by a malformed row in
     * an executor) becomes that exception's one line with exit code 2: the exception itself when it is in the cause
     * chain, else (Spark passes the executor's failure on as text) the line of the failure's message that names it.
     */
    static <T> T job(Callable<T> body) throws Exception {
        try {
            return body.call();
        } catch (InputException | IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof InputException ie) throw ie;
                String m = t.getMessage();
                int at = m == null ? -1 : m.indexOf(BAD_INPUT);
                if (at >= 0)
                    throw new IllegalArgumentException(
                            m.substring(at + BAD_INPUT.length())
                                    .lines()
                                    .findFirst()
                                    .orElse("")
                                    .strip(),
                            e);
            }
            throw e;
        }
    }

    private static final String BAD_INPUT = InputException.class.getName() + ": ";

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
