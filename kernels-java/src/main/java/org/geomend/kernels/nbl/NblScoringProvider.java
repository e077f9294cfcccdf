package org.geomend.kernels.nbl;

/**
 * Service-provider interface through which {@link NblBackends} finds NBL scoring backends other than Java
 * ({@code META-INF/services/org.geomend.kernels.nbl.NblScoringProvider}; the CUDA one lives in
 * {@code geomend-bindings}, which {@code kernels-java} cannot depend on).
 */
public interface NblScoringProvider {

    /** The name users pass to {@code --backend}. */
    String name();

    /** Higher wins under {@code --backend auto}. */
    int priority();

    /** Creates the backend, or throws with a one-line reason when it cannot run here. */
    NblScoring create() throws Exception;
}
