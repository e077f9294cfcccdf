package org.geomend.kernels;

/**
 * What every backend provider has (service-provider interfaces {@link GeoKernelsProvider} and
 * {@link org.geomend.kernels.nbl.NblScoringProvider} extend it): the {@code --backend} name, a
 * priority for {@code auto}, and a factory that throws with a one-line reason when it cannot run here.
 *
 * @param <T> the backend type
 */
public interface BackendProvider<T> {

    /** The name users pass to {@code --backend}. */
    String name();

    /** Higher wins under {@code --backend auto}. */
    int priority();

    /**
     * Creates the backend, or throws with a one-line reason when it cannot run here (no driver, no
     * device, missing library).
     */
    T create() throws Exception;
}
