package org.geomend.kernels.nn;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;
import org.geomend.kernels.Backends;

/**
 * Picks an {@link NnKernels} backend with the rules of {@link Backends#select(Class, String, Supplier, PrintStream)}:
 * {@code --backend java|cuda|cudnn|auto} (auto: CUDA when a device is present, else Java with a one-line notice) and
 * {@code --conv cuda|cudnn}, which chooses who runs the convolutions on the GPU: the hand-written kernels
 * (backend {@code cuda}) or cuDNN 9 (backend {@code cudnn}; every other operation stays on the hand-written kernels).
 */
public final class NnBackends {

    private NnBackends() {}

    public static List<NnKernelsProvider> providers() { return Backends.providers(NnKernelsProvider.class); }

    /**
     * @param backend {@code auto} (or null), {@code java}, {@code cuda} or {@code cudnn}
     * @param java    makes the Java backend (the fallback of {@code auto})
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when a backend named explicitly cannot start (one-line message)
     */
    public static NnKernels select(String backend, Supplier<NnKernels> java, PrintStream notices) {
        if (backend != null && !backend.equals("auto")) return Backends.select(NnKernelsProvider.class, backend, java, notices);
        // auto tries cuda only (cudnn is a comparison to ask for), so at most one notice
        if (providers().stream().noneMatch(p -> p.name().equals("cuda"))) return java.get();
        try {
            return Backends.select(NnKernelsProvider.class, "cuda", java, null);
        } catch (IllegalStateException e) {
            if (notices != null) notices.println("geomend: cuda backend unavailable (" + reason(e) + "); using java");
            return java.get();
        }
    }

    private static String reason(Throwable e) {
        Throwable t = e.getCause() != null ? e.getCause() : e;
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m).trim();
    }

    /**
     * {@link #select(String, Supplier, PrintStream)} with {@code --conv}: {@code conv} null or {@code cuda} changes
     * nothing; {@code cudnn} turns {@code auto} and {@code cuda} into backend {@code cudnn} (explicit: it fails
     * rather than falling back).
     *
     * @throws IllegalArgumentException for an unknown name, or {@code --conv cudnn} with {@code --backend java}
     */
    public static NnKernels select(String backend, String conv, Supplier<NnKernels> java, PrintStream notices) {
        return select(effectiveBackend(backend, conv), java, notices);
    }

    /** The backend name {@link #select(String, String, Supplier, PrintStream)} resolves {@code backend} and {@code conv} to. */
    public static String effectiveBackend(String backend, String conv) {
        if (conv == null || conv.equals("cuda")) return backend;
        if (!conv.equals("cudnn")) throw new IllegalArgumentException("unknown --conv '" + conv + "' (known: cuda, cudnn)");
        if (backend == null || backend.equals("auto") || backend.equals("cuda") || backend.equals("cudnn")) return "cudnn";
        throw new IllegalArgumentException("--conv cudnn needs --backend cuda or auto, not " + backend);
    }
}
