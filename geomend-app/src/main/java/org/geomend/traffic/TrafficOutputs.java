package org.geomend.traffic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.geomend.io.AtomicFiles;
import org.geomend.io.GeoTiffRaster;
import org.geomend.io.Json;
import org.geomend.io.NpyMapSink;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;

/**
 * The outputs of {@code geomend traffic}, each written block by block as {@link TrafficSweep} finishes them, under a
 * temporary name, renamed at {@link Out#commit}; closed without a commit, nothing is left.
 *
 * <ul>
 *   <li>{@code geotiff}: one float32 band per time step (described by its time), tiled with the sweep's blocks as
 *       tiles, BigTIFF when it may pass 4 GiB, optional DEFLATE; GDAL_METADATA holds {@code geomend} (method and
 *       parameters as JSON) and the totals (written at commit).</li>
 *   <li>{@code npy}: a C-order float32 array of shape (T, H, W), row 0 = north (as an image), written in place by
 *       offset; the sidecar {@code OUT.json} holds the grid (x0, y0 = south-west corner, resolution, width, height),
 *       the CRS, the times, the metadata and the totals.</li>
 *   <li>{@code arrow}: an Arrow IPC file with one row per pixel that has traffic at some time step: {@code row}
 *       (int32, 0 = north), {@code col} (int32, 0 = west), then one float32 column per time step named by the time;
 *       one record batch per block. The schema metadata holds {@code grid} (JSON, as the NPY sidecar), {@code crs},
 *       {@code times} (JSON list) and {@code geomend}; the footer metadata holds the totals (known at the end).</li>
 * </ul>
 */
public final class TrafficOutputs {

    private TrafficOutputs() {}

    /** A traffic output being written. */
    public interface Out extends TrafficSweep.RasterOut, AutoCloseable {
        /** Adds the totals to the metadata and makes the output complete under its final name. */
        void commit(Map<String, String> totals) throws IOException;

        long bytesWritten();

        @Override
        void close() throws IOException;
    }

    /** The grid as the NPY sidecar and Arrow metadata give it. */
    static Map<String, Object> gridJson(GridSpec g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("x0", g.x0());
        m.put("y0", g.y0());
        m.put("resolution", g.resolution());
        m.put("width", g.width());
        m.put("height", g.height());
        m.put("rows", "row 0 = north edge (y0 + height * resolution)");
        return m;
    }

    public static Out open(
            String format,
            Path out,
            GridSpec grid,
            String crs,
            String[] times,
            Map<String, String> metadata,
            int blockRows,
            int blockCols,
            boolean deflate)
            throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        return switch (format) {
            case "geotiff" -> new Tiff(out, grid, crs, times, metadata, blockRows, blockCols, deflate);
            case "npy" -> new Npy(out, grid, crs, times, metadata);
            case "arrow" -> new Arrow(out, grid, crs, times, metadata);
            default -> throw new IllegalArgumentException("--format must be geotiff, npy or arrow: '" + format + "'");
        };
    }

    private static final class Tiff implements Out {
        private final GeoTiffRaster.Writer w;
        private final float[] tile;
        private final int tw, th;

        Tiff(
                Path out,
                GridSpec grid,
                String crs,
                String[] times,
                Map<String, String> metadata,
                int blockRows,
                int blockCols,
                boolean deflate)
                throws IOException {
            w = GeoTiffRaster.writer(
                    out,
                    grid,
                    crs,
                    times,
                    times.length,
                    GeoTiffRaster.SampleType.FLOAT32,
                    null,
                    metadata,
                    GeoTiffRaster.Options.tiled(deflate, blockCols, blockRows),
                    true);
            tw = blockCols;
            th = blockRows;
            tile = new float[tw * th];
        }

        @Override
        public void block(int row0, int col0, int rows, int cols, float[][] v) throws IOException {
            for (int t = 0; t < v.length; t++) {
                if (rows < th || cols < tw) java.util.Arrays.fill(tile, 0);
                for (int r = 0; r < rows; r++) System.arraycopy(v[t], r * cols, tile, r * tw, cols);
                w.writeTile(t, col0 / tw, row0 / th, tile, 0);
            }
        }

        @Override
        public void commit(Map<String, String> totals) throws IOException {
            totals.forEach(w::putMetadata);
            w.commit();
        }

        @Override
        public long bytesWritten() {
            return w.bytesWritten();
        }

        @Override
        public void close() throws IOException {
            w.close();
        }
    }

    private static final class Npy implements Out {
        private final Path out, tmp, json, jsonTmp;
        private final FileChannel ch;
        private final long header;
        private final GridSpec grid;
        private final Map<String, Object> side = new LinkedHashMap<>();
        private ByteBuffer buf = ByteBuffer.allocate(0);
        private boolean done;

        Npy(Path out, GridSpec grid, String crs, String[] times, Map<String, String> metadata) throws IOException {
            this.out = out;
            this.grid = grid;
            this.tmp = AtomicFiles.temporary(out);
            this.json = out.resolveSibling(out.getFileName() + ".json");
            this.jsonTmp = AtomicFiles.temporary(json);
            byte[] h = NpyMapSink.header(new long[] {times.length, grid.height(), grid.width()});
            this.header = h.length;
            ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            ch.write(ByteBuffer.wrap(h), 0);
            side.put("shape", List.of(times.length, grid.height(), grid.width()));
            side.put("grid", gridJson(grid));
            side.put("crs", crs);
            side.put("times", List.of(times));
            side.put("metadata", metadata);
        }

        @Override
        public void block(int row0, int col0, int rows, int cols, float[][] v) throws IOException {
            long W = grid.width(), H = grid.height();
            if (buf.capacity() < 4 * cols) buf = ByteBuffer.allocate(4 * cols).order(ByteOrder.LITTLE_ENDIAN);
            for (int t = 0; t < v.length; t++)
                for (int r = 0; r < rows; r++) {
                    buf.clear().limit(4 * cols);
                    buf.asFloatBuffer().put(v[t], r * cols, cols);
                    long at = header + 4 * ((t * H + row0 + r) * W + col0);
                    while (buf.hasRemaining()) at += ch.write(buf, at);
                }
        }

        @Override
        public void commit(Map<String, String> totals) throws IOException {
            side.put("totals", totals);
            ch.force(true);
            ch.close();
            AtomicFiles.writeString(json, Json.pretty(side) + "\n");
            AtomicFiles.publish(tmp, out); // the array last: complete
            done = true;
        }

        @Override
        public long bytesWritten() {
            try {
                return done ? Files.size(out) + Files.size(json) : ch.size();
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public void close() throws IOException {
            if (done) return;
            done = true;
            ch.close();
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(jsonTmp);
        }
    }

    private static final class Arrow implements Out {
        private static final ArrowType F32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
        private static final ArrowType I32 = new ArrowType.Int(32, true);
        private final Path out, tmp;
        private final BufferAllocator alloc = Memory.child("traffic-arrow");
        private final FileChannel ch;
        private final VectorSchemaRoot root;
        private final ArrowFileWriter writer;
        private final Map<String, String> footer = new LinkedHashMap<>();
        private final int T;
        private boolean done;

        Arrow(Path out, GridSpec grid, String crs, String[] times, Map<String, String> metadata) throws IOException {
            this.out = out;
            this.tmp = AtomicFiles.temporary(out);
            this.T = times.length;
            List<Field> fields = new ArrayList<>();
            fields.add(new Field("row", FieldType.notNullable(I32), null));
            fields.add(new Field("col", FieldType.notNullable(I32), null));
            for (String t : times) {
                if (t.equals("row") || t.equals("col"))
                    throw new IllegalArgumentException("a time step may not be called '" + t + "' in Arrow output");
                fields.add(new Field(t, FieldType.notNullable(F32), null));
            }
            Map<String, String> meta = new LinkedHashMap<>(metadata);
            meta.put("grid", Json.inline(gridJson(grid)));
            meta.put("crs", crs);
            meta.put("times", Json.inline(List.of(times)));
            ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            VectorSchemaRoot r = null;
            ArrowFileWriter wr = null;
            try {
                r = VectorSchemaRoot.create(new Schema(fields, meta), alloc);
                wr = new ArrowFileWriter(r, null, ch, footer);
                wr.start();
            } catch (IOException | RuntimeException e) {
                if (r != null) r.close();
                ch.close();
                Files.deleteIfExists(tmp);
                alloc.close();
                throw e;
            }
            root = r;
            writer = wr;
        }

        @Override
        public void block(int row0, int col0, int rows, int cols, float[][] v) throws IOException {
            int n = 0;
            for (int i = 0; i < rows * cols; i++)
                for (int t = 0; t < T; t++)
                    if (v[t][i] != 0) {
                        n++;
                        break;
                    }
            if (n == 0) return;
            root.clear();
            IntVector rv = (IntVector) root.getVector(0), cv = (IntVector) root.getVector(1);
            rv.allocateNew(n);
            cv.allocateNew(n);
            Float4Vector[] fv = new Float4Vector[T];
            for (int t = 0; t < T; t++) {
                fv[t] = (Float4Vector) root.getVector(2 + t);
                fv[t].allocateNew(n);
            }
            int k = 0;
            for (int i = 0; i < rows * cols; i++) {
                boolean any = false;
                for (int t = 0; t < T && !any; t++) any = v[t][i] != 0;
                if (!any) continue;
                rv.set(k, row0 + i / cols);
                cv.set(k, col0 + i % cols);
                for (int t = 0; t < T; t++) fv[t].set(k, v[t][i]);
                k++;
            }
            root.setRowCount(n);
            writer.writeBatch();
        }

        @Override
        public void commit(Map<String, String> totals) throws IOException {
            footer.putAll(totals);
            writer.end();
            writer.close();
            root.close();
            ch.close();
            alloc.close();
            AtomicFiles.publish(tmp, out);
            done = true;
        }

        @Override
        public long bytesWritten() {
            try {
                return done ? Files.size(out) : ch.size();
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public void close() throws IOException {
            if (done) return;
            done = true;
            try {
                writer.close();
            } catch (RuntimeException ignored) {
            }
            root.close();
            ch.close();
            alloc.close();
            Files.deleteIfExists(tmp);
        }
    }

    /** A total as text (shortest round-trip form). */
    static String num(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
