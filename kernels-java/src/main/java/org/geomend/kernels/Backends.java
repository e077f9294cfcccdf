package org.geomend.kernels;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import org.geomend.kernels.java.JavaKernels;

/**
 * Picks a {@link GeoKernels} backend by name: {@code java}, {@code cuda}, or {@code auto} (the highest
 * priority backend that starts, falling back to Java with a one-line notice on {@code notices}).
 */
public final class Backends {

    private Backends() {}

    public static List<GeoKernelsProvider> providers() {
        List<GeoKernelsProvider> list = new ArrayList<>();
        ServiceLoader.load(GeoKernelsProvider.class, Backends.class.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparingInt(GeoKernelsProvider::priority).reversed());
        return list;
    }

    /**
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when a backend named explicitly cannot start
     */
    public static GeoKernels select(String name, int threads, PrintStream notices) {
        if (name == null || name.equals("auto")) {
            for (GeoKernelsProvider p : providers()) {
                if (p.name().equals("java")) continue;
                try {
                    return p.create();
                } catch (Throwable t) {
                    if (notices != null)
                        notices.println("geomend: " + p.name() + " backend unavailable (" + oneLine(t) + "); using java");
                }
            }
            return new JavaKernels(threads);
        }
        if (name.equals("java")) return new JavaKernels(threads);
        for (GeoKernelsProvider p : providers()) {
            if (p.name().equals(name)) {
                try {
                    return p.create();
                } catch (Throwable t) {
                    throw new IllegalStateException(name + " backend unavailable: " + oneLine(t), t);
                }
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "' (known: auto, java"
                + providers().stream().map(p -> ", " + p.name()).reduce("", String::concat) + ")");
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m);
    }
}
