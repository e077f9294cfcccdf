package org.geomend.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    private long partials() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.toString().endsWith(AtomicFiles.SUFFIX)).count();
        }
    }

    @Test
    void writeReplacesTheTargetOnlyWhenComplete() throws IOException {
        Path f = tmp.resolve("a.txt");
        AtomicFiles.writeString(f, "old");
        IOException e = assertThrows(
                IOException.class,
                () -> AtomicFiles.write(f, out -> {
                    out.write("half".getBytes(StandardCharsets.UTF_8));
                    throw new IOException("disk full");
                }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(f), "a failed write leaves the old file");
        assertEquals(0, partials(), "and no temporary file");
        AtomicFiles.writeString(f, "new");
        assertEquals("new", Files.readString(f));
        assertEquals(tmp.resolve("a.txt.partial"), AtomicFiles.temporary(f));
    }

    @Test
    void batchPublishesAllOrNone() throws IOException {
        Files.writeString(tmp.resolve("x.csv"), "before");
        try (AtomicFiles.Batch b = new AtomicFiles.Batch(tmp)) {
            b.writeString("x.csv", "one");
            b.writeString("y.csv", "two");
            assertEquals(2, partials());
            // no commit: an exception on the way out
        }
        assertEquals("before", Files.readString(tmp.resolve("x.csv")));
        assertFalse(Files.exists(tmp.resolve("y.csv")));
        assertEquals(0, partials());
        try (AtomicFiles.Batch b = new AtomicFiles.Batch(tmp)) {
            b.writeString("x.csv", "one");
            Files.writeString(b.file("y.csv"), "two");
            b.commit();
            assertThrows(IllegalStateException.class, () -> b.file("z.csv"));
        }
        assertEquals("one", Files.readString(tmp.resolve("x.csv")));
        assertEquals("two", Files.readString(tmp.resolve("y.csv")));
        assertTrue(partials() == 0);
    }
}
