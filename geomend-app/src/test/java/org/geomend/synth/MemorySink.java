package org.geomend.synth;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import org.geomend.io.MapSink;
import org.geomend.kernels.GridSpec;

/** An in-memory {@link MapSink} for tests. */
final class MemorySink implements MapSink {
    record Entry(GridSpec grid, float[] values) {}

    final Map<String, Entry> maps = new LinkedHashMap<>();
    boolean committed, closed;

    @Override
    public void write(String id, GridSpec grid, MemorySegment values, long off) {
        float[] v = new float[Math.toIntExact(grid.pixels())];
        MemorySegment.copy(values, ValueLayout.JAVA_FLOAT, off * 4, v, 0, v.length);
        if (maps.put(id, new Entry(grid, v)) != null) throw new IllegalStateException("duplicate " + id);
    }

    @Override
    public void commit() {
        committed = true;
    }

    @Override
    public long bytesWritten() {
        return maps.size() * 4L;
    }

    @Override
    public void close() {
        closed = true;
    }
}
