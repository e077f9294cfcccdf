package org.geomend.kernels.nbl;

/** Registers {@link JavaNblScoring} as backend {@code java} (priority 0: what {@code auto} falls back to). */
public final class JavaNblScoringProvider implements NblScoringProvider {

    @Override
    public String name() {
        return "java";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public NblScoring create() {
        return create(0);
    }

    @Override
    public NblScoring create(int threads) {
        return new JavaNblScoring(threads);
    }
}
