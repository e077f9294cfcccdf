package org.geomend.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * An off-heap buffer of float32, int32 or uint8 elements held in an Arrow {@link ArrowBuf} and viewed
 * as a {@link MemorySegment} (zero-copy). The buffer owns its Arrow memory: close it to give it back
 * to the allocator. Kernels read and write it through {@link #segment()}; the CUDA backend copies it
 * to and from the device through the segment.
 *
 * <p>The segment is bound to a shared {@link Arena} of its own, closed by {@link #close()} before the Arrow memory
 * is released: any use of the buffer or of a segment taken from it after close (from any thread) throws
 * {@link IllegalStateException} instead of touching freed memory. {@link #close()} is idempotent; it throws
 * {@link IllegalStateException} (and frees nothing) while a native call holds the segment.
 */
public final class GridBuffer implements AutoCloseable {

    public enum Type {
        FLOAT32(4),
        INT32(4),
        UINT8(1);
        public final int bytes;

        Type(int bytes) {
            this.bytes = bytes;
        }
    }

    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    public static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    private final ArrowBuf buf;
    private final Arena scope;
    private final MemorySegment segment;
    private final Type type;
    private final long elements;

    private GridBuffer(ArrowBuf buf, Type type, long elements) {
        this.buf = buf;
        this.type = type;
        this.elements = elements;
        this.scope = Arena.ofShared();
        this.segment = Memory.view(buf, elements * type.bytes, scope);
    }

    /** Allocates {@code elements} zeroed elements of {@code type} from {@code allocator}. */
    public static GridBuffer allocate(BufferAllocator allocator, Type type, long elements) {
        if (elements < 0) throw new IllegalArgumentException("negative size");
        ArrowBuf b = allocator.buffer(Math.max(1, elements * type.bytes));
        b.setZero(0, b.capacity());
        return new GridBuffer(b, type, elements);
    }

    public MemorySegment segment() {
        return segment;
    }

    /** The Arrow buffer that owns the memory (Arrow's own checks apply to it after close). */
    public ArrowBuf arrowBuf() {
        return buf;
    }

    /** The raw address, for native code; throws {@link IllegalStateException} after close. */
    public long address() {
        if (!isOpen()) throw new IllegalStateException("GridBuffer is closed");
        return buf.memoryAddress();
    }

    /** Whether the buffer is still open. */
    public boolean isOpen() {
        return scope.scope().isAlive();
    }

    public Type type() {
        return type;
    }

    public long elements() {
        return elements;
    }

    public long byteSize() {
        return elements * type.bytes;
    }

    public float getFloat(long i) {
        return segment.getAtIndex(F32, i);
    }

    public void setFloat(long i, float v) {
        segment.setAtIndex(F32, i, v);
    }

    public int getInt(long i) {
        return segment.getAtIndex(I32, i);
    }

    public void setInt(long i, int v) {
        segment.setAtIndex(I32, i, v);
    }

    public byte getByte(long i) {
        return segment.get(ValueLayout.JAVA_BYTE, i);
    }

    public void setByte(long i, byte v) {
        segment.set(ValueLayout.JAVA_BYTE, i, v);
    }

    public void fill(float v) {
        for (long i = 0; i < elements; i++) setFloat(i, v);
    }

    public void zero() {
        segment.fill((byte) 0);
    }

    /** Copies {@code n} floats starting at {@code from} into a new heap array. */
    public float[] toFloatArray(long from, int n) {
        float[] out = new float[n];
        MemorySegment.copy(segment, F32, from * 4, out, 0, n);
        return out;
    }

    public void copyFrom(float[] src, long at) {
        MemorySegment.copy(src, 0, segment, F32, at * 4, src.length);
    }

    /** Invalidates the segment (every later access throws), then gives the memory back to the allocator. */
    @Override
    public synchronized void close() {
        if (!scope.scope().isAlive()) return;
        scope.close();
        buf.close();
    }
}
