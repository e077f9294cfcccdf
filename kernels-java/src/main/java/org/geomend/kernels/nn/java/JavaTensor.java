package org.geomend.kernels.nn.java;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.geomend.kernels.nn.Tensor;

/**
 * A float32 tensor in off-heap memory of its own shared {@link Arena} (zeroed at allocation); closing it frees
 * the memory, and any later use throws {@link IllegalStateException}. Belongs to the {@link JavaNnKernels} that
 * allocated it, which tracks it while it is open and frees it when the backend closes first.
 */
public final class JavaTensor implements Tensor {

    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    final JavaNnKernels owner;
    private final int[] shape;
    private final long elements;
    private final Arena arena;
    final MemorySegment seg;

    JavaTensor(JavaNnKernels owner, int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException("bad tensor shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        this.owner = owner;
        this.shape = shape.clone();
        this.elements = n;
        this.arena = Arena.ofShared();
        this.seg = arena.allocate(n * 4, 64);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int dim(int i) {
        return shape[i];
    }

    @Override
    public long elements() {
        return elements;
    }

    /** The tensor's memory (float32, native order), for the Java backend's callers that want zero-copy access. */
    public MemorySegment segment() {
        return seg;
    }

    float get(long i) {
        return seg.getAtIndex(F, i);
    }

    void set(long i, float v) {
        seg.setAtIndex(F, i, v);
    }

    /** Whether the memory is still there (neither this tensor nor its backend closed). */
    boolean isOpen() {
        return arena.scope().isAlive();
    }

    long byteSize() {
        return seg.byteSize();
    }

    /** Frees the memory; whether this call did (false when it was freed already). */
    synchronized boolean free() {
        if (!arena.scope().isAlive()) return false;
        arena.close();
        return true;
    }

    @Override
    public void close() {
        if (free()) owner.released(this);
    }

    @Override
    public String toString() {
        return "JavaTensor" + Arrays.toString(shape);
    }
}
