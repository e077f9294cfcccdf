package org.geomend.kernels;

/**
 * Service-provider interface through which {@link Backends} finds backends
 * ({@code META-INF/services/org.geomend.kernels.GeoKernelsProvider}).
 */
public interface GeoKernelsProvider {

    /** The name users pass to {@code --backend}. */
    String name();

    /** Higher wins under {@code --backend auto}. */
    int priority();

    /**
     * Creates the backend, or throws with a one-line reason when it cannot run here (no driver, no
     * device, missing library).
     */
    GeoKernels create() throws Exception;
}
