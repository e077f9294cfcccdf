package org.geomend.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.geomend.kernels.GridSpec;

/**
 * Where finished geolocation maps go, one at a time, in any order. {@code values} holds
 * {@code grid.height() * grid.width()} float32 values, row-major from the south-west pixel, normalised to
 * sum 1. Implementations write to temporary names and make the output visible only in {@link #commit()};
 * {@link #close()} without a commit leaves nothing that looks complete.
 */
public interface MapSink extends AutoCloseable {

    void write(String id, GridSpec grid, MemorySegment values, long offsetElements) throws IOException;

    /** Heap-array convenience for {@link #write(String, GridSpec, MemorySegment, long)}. */
    default void write(String id, GridSpec grid, float[] values) throws IOException {
        write(id, grid, MemorySegment.ofArray(values), 0);
    }

    /**
     * True when a finished map of {@code id} is already in the output (only sinks opened with
     * {@code resume} say so; the caller may then skip that base station). False by default.
     */
    default boolean exists(String id) {
        return false;
    }

    /** Finishes the output: after this returns the output is complete and under its final name. */
    void commit() throws IOException;

    /** Bytes written so far (for reports). */
    long bytesWritten();

    @Override
    void close() throws IOException;

    /** Receives maps as {@link #write(String, GridSpec, MemorySegment, long)} does. */
    @FunctionalInterface
    interface Receiver {
        void write(String id, GridSpec grid, MemorySegment values, long offsetElements) throws IOException;
    }

    /** A sink that hands every map to {@code receiver} and writes no file (commit and close do nothing, 0 bytes). */
    static MapSink of(Receiver receiver) {
        return new MapSink() {
            @Override
            public void write(String id, GridSpec grid, MemorySegment values, long offsetElements) throws IOException {
                receiver.write(id, grid, values, offsetElements);
            }

            @Override
            public void commit() {}

            @Override
            public long bytesWritten() {
                return 0;
            }

            @Override
            public void close() {}
        };
    }
}
