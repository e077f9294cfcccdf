package org.geomend.eval;

import java.io.IOException;
import org.geomend.dataset.Dataset;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;

/**
 * A geolocation method under evaluation. The harness calls {@link #fit(Dataset, FitContext)} once per fold with that
 * fold's training sites (trained methods only: VoronoiBoost, Direct, DeepMEND), then {@link #draw} for chunks of
 * the fold's test sites. Methods that are not {@link #trained()} are drawn once per tested site and their KS2
 * reused for every split and fold (their map does not depend on the fold).
 *
 * <p>A method draws each map on the site's SPEC window ({@link Chunk#window(int)}); the harness checks that the
 * grid it reports equals the ground-truth map's grid and fails otherwise.
 */
public interface EvalMethod extends AutoCloseable {

    /** Receives the drawn maps of a chunk, in any order, each normalised to sum 1. */
    @FunctionalInterface
    interface MapOut {
        /**
         * @param m      index of the site in the chunk ({@code chunk.site(m)} is the dataset index)
         * @param grid   the grid the map was drawn on
         * @param maps   buffer holding the map (float32, row-major from the south-west pixel)
         * @param offset element offset of the map in {@code maps}
         * @param param  the method's per-site parameter worth reporting (the oracle's beta*), NaN when none
         */
        void accept(int m, GridSpec grid, GridBuffer maps, long offset, double param) throws IOException;
    }

    /** The name used in reports and on the command line. */
    String name();

    /** True when the method learns from the training sites; false for closed-form methods and oracles. */
    default boolean trained() {
        return false;
    }

    /**
     * Where a fit happens: the split, the fold's position in it (0-based) and the fold itself, and the harness's
     * kernels (for methods that compute on them while fitting).
     */
    record FitContext(Split split, int index, Split.Fold fold, GeoKernels kernels) {
        /** {@code SPLIT-foldK} (K from 1): names what is written for this fold, e.g. {@code cv5-fold3}. */
        public String tag() {
            return split.cliName + "-fold" + (index + 1);
        }
    }

    /** Learns from {@code train} (dataset site indices with ground truth, read through {@code data.openMaps()}). */
    default void fit(Dataset data, int[] train) throws IOException {}

    /** What the harness calls: by default {@link #fit(Dataset, int[])} with the fold's training sites. */
    default void fit(Dataset data, FitContext fold) throws IOException {
        fit(data, fold.fold().train());
    }

    /** Draws the map of every site of {@code chunk}, handing each to {@code out}. */
    void draw(Chunk chunk, MapOut out) throws IOException;

    @Override
    default void close() {}
}
