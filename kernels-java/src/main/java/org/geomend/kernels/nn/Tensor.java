package org.geomend.kernels.nn;

/**
 * A dense float32 tensor owned by one {@link NnKernels} backend (host memory for Java, device memory for CUDA),
 * row-major with the last dimension fastest; images are NCHW. Close it to free its memory.
 */
public interface Tensor extends AutoCloseable {

    /** The shape, outermost first (a copy). */
    int[] shape();

    /** Product of the shape. */
    long elements();

    /** Dimension {@code i} of the shape. */
    default int dim(int i) {
        return shape()[i];
    }

    @Override
    void close();
}
