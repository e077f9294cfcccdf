package org.geomend.kernels.nn;

import org.geomend.kernels.BackendProvider;

/**
 * Service-provider interface through which {@link NnBackends} finds neural-network backends other than Java
 * ({@code META-INF/services/org.geomend.kernels.nn.NnKernelsProvider}; the CUDA and cuDNN ones live in
 * {@code geomend-bindings}, which {@code kernels-java} cannot depend on).
 */
public interface NnKernelsProvider extends BackendProvider<NnKernels> {}
