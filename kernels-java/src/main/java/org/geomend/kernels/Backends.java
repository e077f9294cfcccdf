package org.geomend.kernels;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * Picks a backend by name among the registered providers ({@link BackendProvider}, Java one of them):
 * {@code java}, {@code cuda}, ..., or {@code auto} (the highest-priority backend that starts, falling back to Java
 * with a one-line notice on {@code notices}).
 */
public final class Backends {

    private Backends() {}

    public static List<GeoKernelsProvider> providers() {
        return providers(GeoKernelsProvider.class);
    }

    /**
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when a backend named explicitly cannot start
     */
    public static GeoKernels select(String name, int threads, PrintStream notices) {
        return select(GeoKernelsProvider.class, name, threads, notices);
    }

    /** The providers of {@code type} on the class path (Java among them), highest priority first. */
    public static <P extends BackendProvider<?>> List<P> providers(Class<P> type) {
        List<P> list = new ArrayList<>();
        ServiceLoader.load(type, type.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparingInt((P p) -> p.priority()).reversed());
        return list;
    }

    /**
     * The backend named {@code name} among the providers of {@code type}, on {@code threads} host threads;
     * {@code auto} (or null) is the highest-priority provider that may be picked automatically and starts (Java, at
     * priority 0, always does), with a one-line notice on {@code notices} (may be null) for each one that did not.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when a backend named explicitly cannot start
     */
    public static <T, P extends BackendProvider<T>> T select(
            Class<P> type, String name, int threads, PrintStream notices) {
        List<P> all = providers(type);
        if (name == null || name.equals("auto")) {
            List<String> failed = new ArrayList<>();
            for (P p : all) {
                if (!p.inAuto()) continue;
                try {
                    T t = p.create(threads);
                    if (notices != null)
                        for (String f : failed) notices.println("geomend: " + f + "; using " + p.name());
                    return t;
                } catch (Throwable t) {
                    failed.add(p.name() + " backend unavailable (" + oneLine(t) + ")");
                }
            }
            throw new IllegalStateException("no " + type.getSimpleName() + " starts: " + String.join("; ", failed));
        }
        for (P p : all) {
            if (p.name().equals(name)) {
                try {
                    return p.create(threads);
                } catch (Throwable t) {
                    throw new IllegalStateException(name + " backend unavailable: " + oneLine(t), t);
                }
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "' (known: " + names(type) + ")");
    }

    /** {@code auto} and the provider names of {@code type}, comma-separated, Java last (for messages and help). */
    public static String names(Class<? extends BackendProvider<?>> type) {
        StringBuilder b = new StringBuilder("auto");
        List<? extends BackendProvider<?>> ps = providers(type);
        for (BackendProvider<?> p : ps)
            if (!p.name().equals("java")) b.append(", ").append(p.name());
        if (ps.stream().anyMatch(p -> p.name().equals("java"))) b.append(", java");
        return b.toString();
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
                notices.println("geomend: "
                        + oneLine(e).replaceFirst(" backend unavailable: (.*)$", " backend unavailable ($1)")
                        + "; using java");
            return java.get();
        }
    }

    /** The first line of {@code t}'s message, trimmed (its class name when it has none), for one-line errors. */
    public static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m).trim();
    }
}
