package org.geomend.kernels;

/**
 * What every backend provider has (service-provider interfaces {@link GeoKernelsProvider},
 * {@link org.geomend.kernels.nbl.NblScoringProvider} and {@link org.geomend.kernels.nn.NnKernelsProvider} extend it):
 * the {@code --backend} name, a priority for {@code auto}, and a factory that throws with a one-line reason when it
 * cannot run here. Java registers itself like any other backend (name {@code java}, priority 0, always starts);
 * the CUDA ones live in {@code geomend-bindings}.
 *
 * @param <T> the backend type
 */
public interface BackendProvider<T> {

    /** The name users pass to {@code --backend}. */
    String name();

    /** Higher wins under {@code --backend auto}. */
    int priority();

    /** Whether {@code --backend auto} may pick it (false: only when named, e.g. a comparison backend). */
    default boolean inAuto() {
        return true;
    }

    /**
     * Creates the backend with its default host threads, or throws with a one-line reason when it cannot run here
     * (no driver, no device, missing library).
     */
    T create() throws Exception;

    /**
     * Creates the backend on {@code threads} host threads ({@code <= 0}: one per available processor); backends
     * whose work runs on a device ignore it.
     */
    default T create(int threads) throws Exception {
        return create();
    }
}
