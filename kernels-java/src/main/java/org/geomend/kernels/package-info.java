/**
 * The kernel API of geomend: grid geometry ({@link org.geomend.kernels.GridSpec}), projected site
 * positions ({@link org.geomend.kernels.SitePositions}), Arrow-backed off-heap buffers viewed as
 * {@code MemorySegment}s ({@link org.geomend.kernels.GridBuffer}), the one operations interface every
 * backend implements ({@link org.geomend.kernels.GeoKernels}) and the provider lookup that picks a
 * backend ({@link org.geomend.kernels.Backends}).
 *
 * <p>Backends live elsewhere: the pure-Java one in {@code org.geomend.kernels.java}, the CUDA one in
 * the {@code bindings} module, found through {@link java.util.ServiceLoader}.
 */
package org.geomend.kernels;
