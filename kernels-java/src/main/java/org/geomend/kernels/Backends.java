package org.geomend.kernels;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.geomend.kernels.java.JavaKernels;

/**
 * Picks a {@link GeoKernels} backend by name: {@code java}, {@code cuda}, or {@code auto} (the highest
 * priority backend that starts, falling back to Java with a one-line notice on {@code notices}).
 */
public final class Backends {

    private Backends() {}

    public static List<GeoKernelsProvider> providers() { return providers(GeoKernelsProvider.class); }

    /**
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when a backend named explicitly cannot start
     */
    public static GeoKernels select(String name, int threads, PrintStream notices) {
        return select(GeoKernelsProvider.class, name, () -> new JavaKernels(threads), notices);
    }

    /** The providers of {@code type} on the class path, highest priority first. */
    public static <P extends BackendProvider<?>> List<P> providers(Class<P> type) {
        List<P> list = new ArrayList<>();
        ServiceLoader.load(type, type.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparingInt((P p) -> p.priority()).reversed());
        return list;
    }

    /**
     * The backend named {@code name} among the providers of {@code type}: {@code java} is {@code java};
     * {@code auto} (or null) is the highest-priority provider other than Java that starts, else Java
     * with a one-line notice per provider that did not start on {@code notices} (may be null).
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when a backend named explicitly cannot start
     */
    public static <T, P extends BackendProvider<T>> T select(Class<P> type, String name, Supplier<T> java,
                                                             PrintStream notices) {
        if (name == null || name.equals("auto")) {
            for (P p : providers(type)) {
                if (p.name().equals("java")) continue;
                try {
                    return p.create();
                } catch (Throwable t) {
                    if (notices != null)
                        notices.println("geomend: " + p.name() + " backend unavailable (" + oneLine(t) + "); using java");
                }
            }
            return java.get();
        }
        if (name.equals("java")) return java.get();
        for (P p : providers(type)) {
            if (p.name().equals(name)) {
                try {
                    return p.create();
                } catch (Throwable t) {
                    throw new IllegalStateException(name + " backend unavailable: " + oneLine(t), t);
                }
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "' (known: auto, java"
                + providers(type).stream().map(p -> ", " + p.name()).reduce("", String::concat) + ")");
    }

    /**
     * {@code selected.get()}, or, when a backend named explicitly cannot start ({@link IllegalStateException} from
     * {@link #select}), {@code java.get()} after the same one-line notice {@code auto} prints: what the command line
     * does, where a missing GPU is never a failure. Library callers that must have the GPU call {@link #select}.
     */
    public static <T> T orJava(Supplier<T> selected, Supplier<T> java, PrintStream notices) {
        try {
            return selected.get();
        } catch (IllegalStateException e) {
            if (notices != null)
                notices.println("geomend: " + oneLine(e).replaceFirst(" backend unavailable: (.*)$", " backend unavailable ($1)") + "; using java");
            return java.get();
        }
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m);
    }
}
