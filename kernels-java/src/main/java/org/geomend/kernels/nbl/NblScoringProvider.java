package org.geomend.kernels.nbl;

import org.geomend.kernels.BackendProvider;

/**
 * Service-provider interface through which {@link NblBackends} finds NBL scoring backends other than Java
 * ({@code META-INF/services/org.geomend.kernels.nbl.NblScoringProvider}; the CUDA one lives in
 * {@code geomend-bindings}, which {@code kernels-java} cannot depend on).
 */
public interface NblScoringProvider extends BackendProvider<NblScoring> {}
