package org.geomend.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.geomend.kernels.GridSpec;

/**
 * The shared part of the per-base-station sinks: a directory of {@code <stem><ext>} files (stem from
 * {@link FileNames#stem}), each written as {@code <file>.partial} and renamed when whole, a journal
 * {@code index.csv.partial} appended (and flushed) after each rename, and {@code index.csv} written from
 * it at commit (tmp + rename). Without a commit there is no {@code index.csv}: the journal stays so that
 * a run opened with {@code resume} knows which maps are finished.
 */
final class MapDirectory implements AutoCloseable {

    static final String JOURNAL = MapIndex.FILE + ".partial";

    private final Path dir;
    private final String ext;
    private final LinkedHashMap<String, MapIndex.Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> stems = new HashMap<>();
    private BufferedWriter journal;
    private long bytes;
    private boolean committed, closed;

    MapDirectory(Path dir, String ext, boolean resume) throws IOException {
        this.dir = dir;
        this.ext = ext;
        Files.createDirectories(dir);
        Path index = dir.resolve(MapIndex.FILE), jpath = dir.resolve(JOURNAL);
        if (resume) {
            for (Path p : new Path[] {index, jpath})
                if (Files.exists(p))
                    for (MapIndex.Entry e : MapIndex.read(p).values())
                        if (Files.isRegularFile(file(e.id()))) {
                            entries.put(e.id(), e);
                            stems.put(FileNames.stem(e.id()), e.id());
                        }
        }
        Files.deleteIfExists(index); // it would no longer describe the directory
        StringBuilder sb = new StringBuilder(MapIndex.HEADER).append('\n');
        for (MapIndex.Entry e : entries.values()) sb.append(e.csvLine()).append('\n');
        writeAtomically(jpath, sb.toString().getBytes(StandardCharsets.UTF_8), false);
        journal = Files.newBufferedWriter(jpath, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    Path dir() {
        return dir;
    }

    Path file(String id) {
        return dir.resolve(FileNames.stem(id) + ext);
    }

    boolean exists(String id) {
        return entries.containsKey(id) && Files.isRegularFile(file(id));
    }

    long bytesWritten() {
        return bytes;
    }

    int size() {
        return entries.size();
    }

    /** Writes {@code parts} as the file of {@code id} (tmp + rename), then records it in the journal. */
    synchronized void publish(String id, GridSpec grid, String crs, ByteBuffer... parts) throws IOException {
        if (committed || closed)
            throw new IllegalStateException("sink already " + (committed ? "committed" : "closed"));
        String stem = FileNames.stem(id);
        String other = stems.putIfAbsent(stem, id);
        if (other != null && !other.equals(id))
            throw new IOException("ids '" + other + "' and '" + id + "' map to the same file name " + stem + ext);
        Path target = file(id), tmp = AtomicFiles.temporary(target);
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (ByteBuffer b : parts) while (b.hasRemaining()) bytes += ch.write(b);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        AtomicFiles.publish(tmp, target);
        MapIndex.Entry e = MapIndex.Entry.of(id, grid, crs);
        entries.put(id, e);
        journal.write(e.csvLine());
        journal.write('\n');
        journal.flush();
    }

    /** Writes {@code index.csv} (and {@code extra} files, name to content) atomically and drops the journal. */
    synchronized void commit(Map<String, byte[]> extra) throws IOException {
        if (closed) throw new IllegalStateException("sink closed");
        if (committed) return;
        journal.close();
        for (Map.Entry<String, byte[]> x : extra.entrySet())
            writeAtomically(dir.resolve(x.getKey()), x.getValue(), true);
        StringBuilder sb = new StringBuilder(MapIndex.HEADER).append('\n');
        for (MapIndex.Entry e : entries.values()) sb.append(e.csvLine()).append('\n');
        writeAtomically(dir.resolve(MapIndex.FILE), sb.toString().getBytes(StandardCharsets.UTF_8), true);
        Files.deleteIfExists(dir.resolve(JOURNAL));
        committed = true;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        if (!committed) journal.close();
    }

    /** Like {@link AtomicFiles#write(Path, byte[])}, optionally forced to disk; under {@code .tmp}, since the index's
     * {@code .partial} name is the journal's. */
    static void writeAtomically(Path target, byte[] content, boolean force) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) ch.write(b);
            if (force) ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        AtomicFiles.publish(tmp, target);
    }
}
