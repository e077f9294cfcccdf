package org.geomend.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one way geomend makes a file appear complete or not at all: it is written under its temporary name
 * ({@link #temporary}: the target plus {@value #SUFFIX}, in the same directory) and renamed over the target
 * (atomically, replacing an older one) only once the last byte is written. A failure while writing removes the
 * temporary file and leaves the target as it was. {@link Batch} does the same for a set of files that must appear
 * together (a report: all of its files, or none of the new ones).
 */
public final class AtomicFiles {
    /** The suffix of a file being written. */
    public static final String SUFFIX = ".partial";

    private AtomicFiles() {}

    /** Writes the content of one file to a stream; the stream is closed by the caller. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** The temporary name of {@code target}: {@code <target>.partial} beside it. */
    public static Path temporary(Path target) {
        return target.resolveSibling(target.getFileName() + SUFFIX);
    }

    /** Renames the finished {@code tmp} over {@code target} in one step (replacing an existing target). */
    public static void publish(Path tmp, Path target) throws IOException {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes {@code target} through {@code body} into its temporary name, then publishes it. */
    public static void write(Path target, Body body) throws IOException {
        Path tmp = temporary(target);
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                body.write(out);
            }
            publish(tmp, target);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Writes {@code bytes} as {@code target}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Writes {@code text} (UTF-8) as {@code target}. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Files of one directory that appear together: each is written to its temporary name ({@link #file} names it,
     * {@link #write} / {@link #writeString} fill it), {@link #commit} renames them all in the order they were first
     * named, and {@link #close} without a commit removes every temporary file.
     */
    public static final class Batch implements AutoCloseable {
        private final Path dir;
        private final Map<String, Path> pending = new LinkedHashMap<>();
        private boolean committed;

        public Batch(Path dir) {
            this.dir = dir;
        }

        /** The temporary path to write {@code name} to (the same path when named again). */
        public Path file(String name) {
            if (committed) throw new IllegalStateException("batch in " + dir + " already committed");
            return pending.computeIfAbsent(name, n -> temporary(dir.resolve(n)));
        }

        /** Writes {@code name} through {@code body}. */
        public void write(String name, Body body) throws IOException {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file(name)), 1 << 16)) {
                body.write(out);
            }
        }

        /** Writes {@code text} (UTF-8) as {@code name}. */
        public void writeString(String name, String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            write(name, out -> out.write(bytes));
        }

        /** Publishes every file named so far. */
        public void commit() throws IOException {
            if (committed) throw new IllegalStateException("batch in " + dir + " already committed");
            for (Map.Entry<String, Path> e : pending.entrySet()) publish(e.getValue(), dir.resolve(e.getKey()));
            committed = true;
        }

        /** Without a commit: removes the temporary files (the targets stay as they were). */
        @Override
        public void close() throws IOException {
            if (committed) return;
            committed = true;
            IOException first = null;
            for (Path p : pending.values()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    if (first == null) first = e;
                }
            }
            if (first != null) throw first;
        }
    }
}
