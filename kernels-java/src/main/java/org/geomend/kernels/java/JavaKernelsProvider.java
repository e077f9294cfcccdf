package org.geomend.kernels.java;

import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GeoKernelsProvider;

/** Registers {@link JavaKernels} as backend {@code java} (priority 0: what {@code auto} falls back to; always starts). */
public final class JavaKernelsProvider implements GeoKernelsProvider {

    @Override
    public String name() {
        return "java";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public GeoKernels create() {
        return create(0);
    }

    @Override
    public GeoKernels create(int threads) {
        return new JavaKernels(threads);
    }
}
