package org.geomend.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.geomend.geo.Crs;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;

/**
 * Maps as one Arrow IPC file ({@link ArrowMaps#schema}), one row per base station, written to
 * {@code <out>.partial} and renamed to {@code <out>} in {@link #commit()}; {@link #close()} without a
 * commit deletes the partial file.
 *
 * <p>Dense: {@code p} holds the map as given (all maps of one file must have the same pixel count, as
 * the list size is in the schema). Sparse: {@code pixel} + {@code p} hold the {@link SparseSelection}
 * with the sink's drop mass, pixels ascending.
 *
 * <p>Rows are buffered into record batches of at most {@code batchBytes} of map data (default 64 MiB)
 * and {@code batchRows} rows (default 4096) and streamed out, so memory stays bounded whatever the
 * number of maps. Schema metadata is the caller's map verbatim (by convention a {@code geomend} key with
 * a JSON value, see {@link MapSinks#geomendMetadata}); the footer metadata holds
 * {@link ArrowMaps#BATCH_ROWS_KEY}. Not thread-safe beyond {@code write} being synchronized.
 */
public final class ArrowMapSink implements MapSink {

    public static final long DEFAULT_BATCH_BYTES = 64L << 20;
    public static final int DEFAULT_BATCH_ROWS = 4096;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    private final Path out, partial;
    private final byte[] crsName;
    private final boolean sparse;
    private final double dropMass;
    private final Map<String, String> metadata;
    private final long batchBytes;
    private final int batchRows;
    private final BufferAllocator allocator = Memory.child("arrow-map-sink");
    private final Arena views =
            Arena.ofShared(); // scope of the segments viewing the batch's buffers, closed in close()
    private final FileChannel channel;
    private final Set<String> ids = new HashSet<>();
    private final List<Integer> batchRowCounts = new ArrayList<>();
    private final Map<String, String> footer = new LinkedHashMap<>();
    private VectorSchemaRoot root;
    private ArrowFileWriter writer;
    private int listSize = -1, rowsPerBatch, rows;
    private long bytesInBatch;
    private float[] scratch = new float[0];
    private boolean committed, closed;
    /** Deletes the partial file when the JVM is stopped (Ctrl-C, SIGTERM) before commit or close. */
    private final Thread cleanup;

    public ArrowMapSink(Path out, Crs crs, boolean sparse, double dropMass, Map<String, String> metadata)
            throws IOException {
        this(out, crs, sparse, dropMass, metadata, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ROWS);
    }

    public ArrowMapSink(
            Path out,
            Crs crs,
            boolean sparse,
            double dropMass,
            Map<String, String> metadata,
            long batchBytes,
            int batchRows)
            throws IOException {
        if (sparse && !(dropMass >= 0 && dropMass < 1))
            throw new IllegalArgumentException("drop mass must be in [0, 1): " + dropMass);
        if (batchBytes <= 0 || batchRows <= 0) throw new IllegalArgumentException("batch limits must be positive");
        this.out = out;
        this.partial = AtomicFiles.temporary(out);
        this.crsName = Objects.requireNonNull(crs, "crs").name().getBytes(StandardCharsets.UTF_8);
        this.sparse = sparse;
        this.dropMass = dropMass;
        this.metadata = metadata == null ? Map.of() : new LinkedHashMap<>(metadata);
        this.batchBytes = batchBytes;
        this.batchRows = batchRows;
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        this.channel = FileChannel.open(
                partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        Path partialFile = partial;
        this.cleanup = new Thread(
                () -> {
                    try {
                        Files.deleteIfExists(partialFile);
                    } catch (IOException ignored) {
                    }
                },
                "geomend-partial-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            if (sparse) start(0);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The final file name. */
    public Path path() {
        return out;
    }

    private void start(int size) throws IOException {
        listSize = size;
        root = VectorSchemaRoot.create(ArrowMaps.schema(sparse, size, metadata), allocator);
        rowsPerBatch =
                sparse ? batchRows : (int) Math.max(1, Math.min(batchRows, batchBytes / Math.max(4L, 4L * size)));
        if (!sparse) ((FixedSizeListVector) root.getVector("p")).setInitialCapacity(rowsPerBatch);
        root.allocateNew();
        markChildrenValid();
        writer = new ArrowFileWriter(root, null, channel, footer);
        writer.start();
    }

    /** Every list item is non-null: set the children's validity bits over their whole capacity. */
    private void markChildrenValid() {
        for (FieldVector v : root.getFieldVectors())
            for (FieldVector c : v.getChildrenFromFields()) {
                ArrowBuf valid = c.getValidityBuffer();
                valid.setOne(0L, valid.capacity());
            }
    }

    private static void ensureCapacity(BaseFixedWidthVector v, long n) {
        if (n > Integer.MAX_VALUE) throw new IllegalStateException("record batch too large");
        boolean grew = false;
        while (v.getValueCapacity() < n) {
            v.reAlloc();
            grew = true;
        }
        if (grew) v.getValidityBuffer().setOne(0L, v.getValidityBuffer().capacity());
    }

    private MemorySegment data(BaseFixedWidthVector v) {
        ArrowBuf b = v.getDataBuffer();
        return Memory.view(b, views);
    }

    @Override
    public synchronized void write(String id, GridSpec grid, MemorySegment values, long offsetElements)
            throws IOException {
        if (committed || closed)
            throw new IllegalStateException("sink already " + (committed ? "committed" : "closed"));
        long n = grid.pixels();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("map too large: " + n + " pixels");
        if (!ids.add(id)) throw new IllegalArgumentException("map " + id + " written twice");
        if (root == null) start((int) n);
        if (!sparse && n != listSize)
            throw new IllegalArgumentException("dense Arrow output holds maps of one size (" + listSize
                    + " pixels); map " + id + " has " + n + " (use --sparse)");
        int row = rows;
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        ((VarCharVector) root.getVector("id")).setSafe(row, idBytes);
        ((Float8Vector) root.getVector("x0")).setSafe(row, grid.x0());
        ((Float8Vector) root.getVector("y0")).setSafe(row, grid.y0());
        ((Float8Vector) root.getVector("resolution")).setSafe(row, grid.resolution());
        ((IntVector) root.getVector("width")).setSafe(row, grid.width());
        ((IntVector) root.getVector("height")).setSafe(row, grid.height());
        ((VarCharVector) root.getVector("crs")).setSafe(row, crsName);
        long rowBytes;
        if (sparse) {
            if (scratch.length < n) scratch = new float[(int) n];
            MemorySegment.copy(values, F32, offsetElements * 4, scratch, 0, (int) n);
            SparseSelection s;
            try {
                s = SparseSelection.select(scratch, (int) n, dropMass);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("map of '" + id + "': " + e.getMessage(), e);
            }
            ListVector pix = (ListVector) root.getVector("pixel"), p = (ListVector) root.getVector("p");
            int start = pix.startNewValue(row);
            p.startNewValue(row);
            IntVector pc = (IntVector) pix.getDataVector();
            Float4Vector vc = (Float4Vector) p.getDataVector();
            ensureCapacity(pc, (long) start + s.size());
            ensureCapacity(vc, (long) start + s.size());
            MemorySegment.copy(s.pixels(), 0, data(pc), I32, 4L * start, s.size());
            MemorySegment.copy(s.values(), 0, data(vc), F32, 4L * start, s.size());
            pix.endValue(row, s.size());
            p.endValue(row, s.size());
            rowBytes = 8L * s.size();
        } else {
            FixedSizeListVector p = (FixedSizeListVector) root.getVector("p");
            Float4Vector vc = (Float4Vector) p.getDataVector();
            long start = (long) row * listSize;
            ensureCapacity(vc, start + n);
            MemorySegment.copy(values, offsetElements * 4, data(vc), 4 * start, 4 * n);
            p.setNotNull(row);
            rowBytes = 4L * n;
        }
        rows++;
        bytesInBatch += rowBytes + idBytes.length + crsName.length + 48;
        if (rows >= rowsPerBatch || bytesInBatch >= batchBytes) flush();
    }

    private void flush() throws IOException {
        if (rows == 0) return;
        root.setRowCount(rows);
        writer.writeBatch();
        batchRowCounts.add(rows);
        for (FieldVector v : root.getFieldVectors()) v.reset();
        markChildrenValid();
        rows = 0;
        bytesInBatch = 0;
    }

    @Override
    public synchronized void commit() throws IOException {
        if (closed) throw new IllegalStateException("sink closed");
        if (committed) return;
        if (root == null) start(0);
        flush();
        footer.put(
                ArrowMaps.BATCH_ROWS_KEY,
                batchRowCounts.stream().map(String::valueOf).collect(Collectors.joining(",")));
        writer.end();
        channel.force(true);
        channel.close();
        AtomicFiles.publish(partial, out);
        committed = true;
    }

    /** Arrow memory the sink holds now (the buffered batch); bounded by the batch limits plus one row. */
    public long bufferedMemory() {
        return allocator.getAllocatedMemory();
    }

    /** Rows written so far (committed batches and the buffered one). */
    public synchronized long rowsWritten() {
        return batchRowCounts.stream().mapToLong(Integer::longValue).sum() + rows;
    }

    @Override
    public synchronized long bytesWritten() {
        try {
            return channel.isOpen() ? channel.size() : (committed ? Files.size(out) : 0);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            if (writer != null) writer.close();
            if (root != null) root.close();
            views.close();
            allocator.close();
        } finally {
            channel.close();
            if (!committed) Files.deleteIfExists(partial);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
            }
        }
    }
}
