package org.geomend.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;

/**
 * Reads an Arrow map file ({@link ArrowMaps#schema}, dense or sparse) back into {@link MapData}, one
 * record batch in memory at a time. Rows are found by index (through the footer's batch row counts when
 * present, else by loading batches in turn) or by id (a scan). Sparse rows come back dense, 0 off the
 * stored pixels.
 */
public final class ArrowMapReader implements AutoCloseable {

    /** Receives maps from {@link #forEach}. */
    @FunctionalInterface
    public interface Visitor {
        void accept(MapData map) throws IOException;
    }

    private final Path file;
    private final BufferAllocator allocator = Memory.child("arrow-map-reader");
    private final Arena views =
            Arena.ofShared(); // scope of the segments viewing the batch's buffers, closed in close()
    private final ArrowFileReader reader;
    private final List<ArrowBlock> blocks;
    private final boolean sparse;
    private final Map<String, String> metadata;
    private int[] batchRows; // null until known
    private int loaded = -1;

    private ArrowMapReader(Path file) throws IOException {
        this.file = file;
        ArrowFileReader r = null;
        try {
            r = new ArrowFileReader(FileChannel.open(file, StandardOpenOption.READ), allocator);
            Schema schema = r.getVectorSchemaRoot().getSchema();
            this.sparse = checkSchema(file, schema);
            this.metadata = schema.getCustomMetadata() == null ? Map.of() : Map.copyOf(schema.getCustomMetadata());
            this.blocks = r.getRecordBlocks();
            this.batchRows = footerRows(r.getMetaData(), blocks.size());
            this.reader = r;
        } catch (IOException | RuntimeException e) {
            if (r != null) r.close();
            views.close();
            allocator.close();
            if (e instanceof InputException m) throw m;
            throw new InputException(file, 0, "not a readable Arrow map file (" + e.getMessage() + ")");
        }
    }

    public static ArrowMapReader open(Path file) throws IOException {
        return new ArrowMapReader(file);
    }

    public Path path() {
        return file;
    }

    /** True for a {@code pixel} + {@code p} (list) file, false for a dense one. */
    public boolean sparse() {
        return sparse;
    }

    /** The schema's custom metadata (e.g. {@code geomend}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    private static boolean checkSchema(Path file, Schema s) {
        String[][] want = {
            {"id", "Utf8"},
            {"x0", "FloatingPoint"},
            {"y0", "FloatingPoint"},
            {"resolution", "FloatingPoint"},
            {"width", "Int"},
            {"height", "Int"},
            {"crs", "Utf8"}
        };
        for (String[] w : want) {
            Field f = find(s, w[0]);
            if (f == null || !f.getType().getTypeID().name().equals(w[1]))
                throw new InputException(file, 0, "Arrow map file needs a " + w[1] + " column '" + w[0] + "'");
        }
        Field p = find(s, "p");
        if (p == null) throw new InputException(file, 0, "Arrow map file has no column 'p'");
        if (p.getType() instanceof ArrowType.FixedSizeList && isF32(p)) return false;
        Field pixel = find(s, "pixel");
        if (p.getType() instanceof ArrowType.List
                && isF32(p)
                && pixel != null
                && pixel.getType() instanceof ArrowType.List
                && pixel.getChildren().getFirst().getType().equals(ArrowMaps.I32)) return true;
        throw new InputException(
                file, 0, "column 'p' must be fixed_size_list<float32>, or list<float32> with 'pixel' list<int32>");
    }

    private static boolean isF32(Field list) {
        return list.getChildren().size() == 1
                && list.getChildren().getFirst().getType().equals(ArrowMaps.F32);
    }

    private static Field find(Schema s, String name) {
        for (Field f : s.getFields()) if (f.getName().equals(name)) return f;
        return null;
    }

    private static int[] footerRows(Map<String, String> footer, int nBlocks) {
        String v = footer == null ? null : footer.get(ArrowMaps.BATCH_ROWS_KEY);
        if (v == null) return null;
        if (v.isEmpty()) return nBlocks == 0 ? new int[0] : null;
        String[] parts = v.split(",");
        if (parts.length != nBlocks) return null;
        int[] out = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) out[i] = Integer.parseInt(parts[i]);
        } catch (NumberFormatException e) {
            return null;
        }
        return out;
    }

    private VectorSchemaRoot load(int block) throws IOException {
        if (loaded != block) {
            reader.loadRecordBatch(blocks.get(block));
            loaded = block;
        }
        return reader.getVectorSchemaRoot();
    }

    private int[] batchRows() throws IOException {
        if (batchRows == null) {
            int[] r = new int[blocks.size()];
            for (int b = 0; b < r.length; b++) r[b] = load(b).getRowCount();
            batchRows = r;
        }
        return batchRows;
    }

    /** Number of maps in the file. */
    public int rowCount() throws IOException {
        int n = 0;
        for (int r : batchRows()) n += r;
        return n;
    }

    /** The map in row {@code row} (0-based, file order). */
    public MapData read(int row) throws IOException {
        if (row < 0) throw new IndexOutOfBoundsException("row " + row);
        int[] counts = batchRows();
        int r = row;
        for (int b = 0; b < counts.length; b++) {
            if (r < counts[b]) {
                VectorSchemaRoot root = load(b);
                if (root.getRowCount() != counts[b])
                    throw new InputException(file, 0, "batch " + b + " row count differs from the footer");
                return extract(root, r);
            }
            r -= counts[b];
        }
        throw new IndexOutOfBoundsException("row " + row + " of " + rowCount() + " in " + file);
    }

    /** The map of {@code id}; a {@link InputException} when the file has none. */
    public MapData read(String id) throws IOException {
        byte[] want = id.getBytes(StandardCharsets.UTF_8);
        for (int b = 0; b < blocks.size(); b++) {
            VectorSchemaRoot root = load(b);
            VarCharVector ids = (VarCharVector) root.getVector("id");
            for (int i = 0; i < root.getRowCount(); i++)
                if (java.util.Arrays.equals(ids.get(i), want)) return extract(root, i);
        }
        throw new InputException(file, 0, "no map with id '" + id + "'");
    }

    /** All ids in file order (loads every batch). */
    public List<String> ids() throws IOException {
        List<String> out = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) {
            VectorSchemaRoot root = load(b);
            VarCharVector ids = (VarCharVector) root.getVector("id");
            for (int i = 0; i < root.getRowCount(); i++) out.add(new String(ids.get(i), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Receives the id, grid and CRS of each row from {@link #forEachGrid}. */
    @FunctionalInterface
    public interface GridVisitor {
        void accept(int row, String id, GridSpec grid, String crs) throws IOException;
    }

    /** The id, grid and CRS of every row in file order, without decoding the maps. */
    public void forEachGrid(GridVisitor visitor) throws IOException {
        int row = 0;
        for (int b = 0; b < blocks.size(); b++) {
            VectorSchemaRoot root = load(b);
            for (int i = 0; i < root.getRowCount(); i++) {
                String id = new String(((VarCharVector) root.getVector("id")).get(i), StandardCharsets.UTF_8);
                GridSpec grid;
                try {
                    grid = new GridSpec(
                            ((Float8Vector) root.getVector("x0")).get(i),
                            ((Float8Vector) root.getVector("y0")).get(i),
                            ((Float8Vector) root.getVector("resolution")).get(i),
                            ((IntVector) root.getVector("width")).get(i),
                            ((IntVector) root.getVector("height")).get(i));
                } catch (IllegalArgumentException e) {
                    throw new InputException(file, 0, "map " + id + ": " + e.getMessage());
                }
                visitor.accept(
                        row++,
                        id,
                        grid,
                        new String(((VarCharVector) root.getVector("crs")).get(i), StandardCharsets.UTF_8));
            }
        }
    }

    /** Every map in file order, streamed. */
    public void forEach(Visitor visitor) throws IOException {
        for (int b = 0; b < blocks.size(); b++) {
            VectorSchemaRoot root = load(b);
            for (int i = 0; i < root.getRowCount(); i++) visitor.accept(extract(root, i));
        }
    }

    private MemorySegment seg(ArrowBuf b) {
        return Memory.view(b, views);
    }

    private MapData extract(VectorSchemaRoot root, int i) {
        String id = new String(((VarCharVector) root.getVector("id")).get(i), StandardCharsets.UTF_8);
        int w = ((IntVector) root.getVector("width")).get(i), h = ((IntVector) root.getVector("height")).get(i);
        GridSpec grid;
        try {
            grid = new GridSpec(
                    ((Float8Vector) root.getVector("x0")).get(i),
                    ((Float8Vector) root.getVector("y0")).get(i),
                    ((Float8Vector) root.getVector("resolution")).get(i),
                    w,
                    h);
        } catch (IllegalArgumentException e) {
            throw new InputException(file, 0, "map " + id + ": " + e.getMessage());
        }
        String crs = new String(((VarCharVector) root.getVector("crs")).get(i), StandardCharsets.UTF_8);
        long n = grid.pixels();
        if (n > Integer.MAX_VALUE) throw new InputException(file, 0, "map " + id + " too large");
        float[] v = new float[(int) n];
        if (sparse) {
            ListVector pix = (ListVector) root.getVector("pixel"), p = (ListVector) root.getVector("p");
            int s = pix.getElementStartIndex(i), e = pix.getElementEndIndex(i);
            if (p.getElementStartIndex(i) != s || p.getElementEndIndex(i) != e)
                throw new InputException(file, 0, "map " + id + ": 'pixel' and 'p' lists differ in length");
            MemorySegment ps = seg(((IntVector) pix.getDataVector()).getDataBuffer());
            MemorySegment vs = seg(((Float4Vector) p.getDataVector()).getDataBuffer());
            for (int k = s; k < e; k++) {
                int at = ps.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, k);
                if (at < 0 || at >= n)
                    throw new InputException(file, 0, "map " + id + ": pixel " + at + " outside the window");
                v[at] = vs.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, k);
            }
        } else {
            FixedSizeListVector p = (FixedSizeListVector) root.getVector("p");
            if (p.getListSize() != n)
                throw new InputException(
                        file, 0, "map " + id + ": list size " + p.getListSize() + " is not " + w + "x" + h);
            MemorySegment.copy(
                    seg(((Float4Vector) p.getDataVector()).getDataBuffer()),
                    ValueLayout.JAVA_FLOAT_UNALIGNED,
                    4L * i * n,
                    v,
                    0,
                    (int) n);
        }
        return new MapData(id, grid, crs, v);
    }

    @Override
    public void close() throws IOException {
        try {
            reader.close();
        } finally {
            if (views.scope().isAlive()) views.close();
            allocator.close();
        }
    }
}
