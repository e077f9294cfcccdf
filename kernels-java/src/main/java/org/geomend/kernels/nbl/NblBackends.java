package org.geomend.kernels.nbl;

import java.io.PrintStream;
import java.util.List;
import org.geomend.kernels.Backends;

/**
 * Picks an {@link NblScoring} backend by name with the rules of {@link Backends#select(Class, String, int,
 * PrintStream)}: {@code java}, {@code cuda}, or {@code auto}.
 */
public final class NblBackends {

    private NblBackends() {}

    public static List<NblScoringProvider> providers() {
        return Backends.providers(NblScoringProvider.class);
    }

    /**
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when a backend named explicitly cannot start (one-line message)
     */
    public static NblScoring select(String name, int threads, PrintStream notices) {
        return Backends.select(NblScoringProvider.class, name, threads, notices);
    }
}
