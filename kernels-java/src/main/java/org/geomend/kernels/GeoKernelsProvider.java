package org.geomend.kernels;

/**
 * Service-provider interface through which {@link Backends} finds backends
 * ({@code META-INF/services/org.geomend.kernels.GeoKernelsProvider}).
 */
public interface GeoKernelsProvider extends BackendProvider<GeoKernels> {}
