package org.geomend.kernels.nbl;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Picks an {@link NblScoring} backend by name, as {@link org.geomend.kernels.Backends} does for the
 * geolocation kernels: {@code java}, {@code cuda}, or {@code auto} (the highest-priority provider that
 * starts, else Java with a one-line notice on {@code notices}).
 */
public final class NblBackends {

    private NblBackends() {}

    public static List<NblScoringProvider> providers() {
        List<NblScoringProvider> list = new ArrayList<>();
        ServiceLoader.load(NblScoringProvider.class, NblBackends.class.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparingInt(NblScoringProvider::priority).reversed());
        return list;
    }

    /**
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when a backend named explicitly cannot start (one-line message)
     */
    public static NblScoring select(String name, int threads, PrintStream notices) {
        if (name == null || name.equals("auto")) {
            for (NblScoringProvider p : providers()) {
                if (p.name().equals("java")) continue;
                try {
                    return p.create();
                } catch (Throwable t) {
                    if (notices != null)
                        notices.println("geomend: " + p.name() + " backend unavailable (" + oneLine(t) + "); using java");
                }
            }
            return NblScoring.java(threads);
        }
        if (name.equals("java")) return NblScoring.java(threads);
        for (NblScoringProvider p : providers()) {
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
