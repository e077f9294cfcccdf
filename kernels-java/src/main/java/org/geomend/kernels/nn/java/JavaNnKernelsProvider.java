package org.geomend.kernels.nn.java;

import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.NnKernelsProvider;

/**
 * Registers {@link JavaNnKernels} as backend {@code java} (priority 0: what {@code auto} falls back to), convolving
 * as {@link org.geomend.kernels.Setting#NN_CONV} says.
 */
public final class JavaNnKernelsProvider implements NnKernelsProvider {

    @Override
    public String name() {
        return "java";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public NnKernels create() {
        return create(0);
    }

    @Override
    public NnKernels create(int threads) {
        return new JavaNnKernels(threads);
    }
}
