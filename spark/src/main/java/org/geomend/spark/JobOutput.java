package org.geomend.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An output directory of a job: refused when it exists unless {@code overwrite} (then deleted first), created empty;
 * {@link #commit} writes the {@code _SUCCESS} marker after everything else, so a failed job leaves none. Part files
 * are written by the tasks under {@code _temporary/} and renamed into place ({@link #publish}).
 */
public final class JobOutput {
    public static final String SUCCESS = "_SUCCESS", TEMPORARY = "_temporary";
    private final Path dir;

    private JobOutput(Path dir) {
        this.dir = dir;
    }

    /** Opens {@code dir} for a job: an existing path is refused (one line naming it) unless {@code overwrite}. */
    public static JobOutput open(Path dir, boolean overwrite, String option) throws IOException {
        if (Files.exists(dir)) {
            if (!overwrite)
                throw new IllegalArgumentException(option + " " + dir + " exists (pass --overwrite to replace it)");
            deleteTree(dir);
        }
        Files.createDirectories(dir.resolve(TEMPORARY));
        return new JobOutput(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Where a task writes a part before {@link #publish}. */
    public static Path temporary(Path dir, String name) {
        return dir.resolve(TEMPORARY).resolve(name);
    }

    /** Moves a task's finished part from {@code _temporary/} to the directory (called by the task once its part is complete). */
    public static void publish(Path dir, String name) throws IOException {
        Files.move(temporary(dir, name), dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes {@code _temporary/} and writes {@code _SUCCESS}: the job is complete. */
    public void commit() throws IOException {
        deleteTree(dir.resolve(TEMPORARY));
        Path marker = dir.resolve(SUCCESS);
        if (Files.exists(marker)) throw new FileAlreadyExistsException(marker.toString());
        Files.createFile(marker);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.delete(q);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
