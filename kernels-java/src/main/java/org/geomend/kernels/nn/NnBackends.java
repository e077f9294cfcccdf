package org.geomend.kernels.nn;

import java.io.PrintStream;
import java.util.List;
import org.geomend.kernels.Backends;

/**
 * Picks an {@link NnKernels} backend with the rules of {@link Backends#select(Class, String, int, PrintStream)}:
 * {@code --backend java|cuda|cudnn|auto} (auto: CUDA when a device is present, else Java with a one-line notice;
 * cuDNN is a comparison to ask for, never picked by auto) and {@code --conv cuda|cudnn}, which chooses who runs the
 * convolutions on the GPU: the hand-written kernels (backend {@code cuda}) or cuDNN 9 (backend {@code cudnn}; every
 * other operation stays on the hand-written kernels).
 */
public final class NnBackends {

    private NnBackends() {}

    public static List<NnKernelsProvider> providers() {
        return Backends.providers(NnKernelsProvider.class);
    }

    /**
     * @param backend {@code auto} (or null), {@code java}, {@code cuda} or {@code cudnn}
     * @param threads host threads of the Java backend ({@code <= 0}: one per available processor)
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when a backend named explicitly cannot start (one-line message)
     */
    public static NnKernels select(String backend, int threads, PrintStream notices) {
        return Backends.select(NnKernelsProvider.class, backend, threads, notices);
    }

    /**
     * {@link #select(String, int, PrintStream)} with {@code --conv}: {@code conv} null or {@code cuda} changes
     * nothing; {@code cudnn} turns {@code auto} and {@code cuda} into backend {@code cudnn} (explicit: it fails
     * rather than falling back).
     *
     * @throws IllegalArgumentException for an unknown name, or {@code --conv cudnn} with {@code --backend java}
     */
    public static NnKernels select(String backend, String conv, int threads, PrintStream notices) {
        return select(effectiveBackend(backend, conv), threads, notices);
    }

    /** {@link #open(String, String, int, PrintStream)} without {@code --conv}. */
    public static NnKernels open(String backend, int threads, PrintStream notices) {
        return open(backend, null, threads, notices);
    }

    /**
     * What the command line does: {@link #select(String, String, int, PrintStream)}, except that a GPU backend named
     * explicitly ({@code --backend cuda}, {@code --conv cudnn}) that cannot start falls back to Java with a one-line
     * notice (never a failure for want of a GPU). Library callers that must have the GPU call {@code select}.
     *
     * @throws IllegalArgumentException for an unknown name, or {@code --conv cudnn} with {@code --backend java}
     */
    public static NnKernels open(String backend, String conv, int threads, PrintStream notices) {
        return Backends.orJava(
                () -> select(backend, conv, threads, notices), () -> select("java", threads, null), notices);
    }

    /** The backend name {@link #select(String, String, int, PrintStream)} resolves {@code backend} and {@code conv} to. */
    public static String effectiveBackend(String backend, String conv) {
        if (conv == null || conv.equals("cuda")) return backend;
        if (!conv.equals("cudnn"))
            throw new IllegalArgumentException("unknown --conv '" + conv + "' (known: cuda, cudnn)");
        if (backend == null || backend.equals("auto") || backend.equals("cuda") || backend.equals("cudnn"))
            return "cudnn";
        throw new IllegalArgumentException("--conv cudnn needs --backend cuda or auto, not " + backend);
    }
}
