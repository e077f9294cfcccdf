package org.geomend.kernels.nbl;

/**
 * Batch scoring of NBL records against a coverage map (see {@link NblModel} for the rules). Implementations
 * are thread-safe for concurrent calls on different outputs and must not allocate per record.
 */
public interface NblScoring extends AutoCloseable {

    /** Backend name: {@code java} or {@code cuda}. */
    String name();

    /**
     * Scores records {@code 0 .. batch.numRecords} of {@code batch} into {@code out} (resized by the
     * caller to hold them) with the choices of {@code options}.
     */
    void score(NblMapArrays map, NblBatch batch, NblOptions options, NblResult out);

    /**
     * {@link #score(NblMapArrays, NblBatch, NblOptions, NblResult)} with {@link NblOptions#DEFAULT}.
     *
     * @param useDensity multiply by P(l) (false: the paper's "without location density")
     */
    default void score(NblMapArrays map, NblBatch batch, boolean useDensity, NblResult out) {
        score(map, batch, NblOptions.DEFAULT.withDensity(useDensity), out);
    }

    @Override
    default void close() {}

    /** The Java implementation with this many threads (0: available processors). */
    static NblScoring java(int threads) {
        return new JavaNblScoring(threads);
    }
}
