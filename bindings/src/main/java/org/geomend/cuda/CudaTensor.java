package org.geomend.cuda;

import java.util.Arrays;
import org.geomend.kernels.nn.Tensor;

/**
 * A float32 tensor in device memory, owned by one {@link CudaNnKernels}; {@link #close()} frees it (the owner frees
 * what is still open when it closes itself). Not thread-safe on its own: the owner serialises device work.
 */
final class CudaTensor implements Tensor {

    private final CudaNnKernels owner;
    private final int[] shape;
    private final long elements;
    final DevicePtr ptr;
    private boolean closed;

    CudaTensor(CudaNnKernels owner, int[] shape, long elements, DevicePtr ptr) {
        this.owner = owner;
        this.shape = shape.clone();
        this.elements = elements;
        this.ptr = ptr;
    }

    CudaNnKernels owner() {
        return owner;
    }

    boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
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

    @Override
    public void close() {
        owner.free(this);
    }

    @Override
    public String toString() {
        return "cuda tensor " + Arrays.toString(shape);
    }
}
