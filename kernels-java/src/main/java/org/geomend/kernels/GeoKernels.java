package org.geomend.kernels;

/**
 * The one operations interface of geomend's compute: every backend (Java, CUDA) implements all of it
 * and must agree with the float64 references in {@link Reference} within the SPEC's tolerances.
 * Buffers are caller-owned (destination arguments, no allocation in the hot path).
 */
public interface GeoKernels extends AutoCloseable {

    /** Short backend name: {@code java} or {@code cuda}. */
    String name();

    /**
     * Fills {@code dst} with the {@code dst.kk()} nearest sites of every pixel centre of
     * {@code dst.grid()} (ties to the lower index; squared distances compared in float64).
     */
    void nearestSites(SitePositions sites, KnnRaster dst);

    /**
     * Unnormalised Voronoi maps: 1 where the pixel's nearest site is the map's site, else 0.
     */
    void voronoiMaps(KnnRaster knn, MapBatch batch);

    /**
     * Unnormalised closed-form sPDI, P(i|l) of SPEC section 2 with {@code k} neighbours other than i
     * taken from the raster ({@code knn.kk() >= k + 1}), clamped to [0, 1], evaluated in float64 and
     * stored as float32.
     */
    void spdiMaps(SitePositions sites, KnnRaster knn, int k, MapBatch batch);

    /**
     * Zeroes pixels whose mask byte is 0 ({@code mask} is a UINT8 raster on the knn grid, or null),
     * then divides each map by its float64 sum. {@code sums[m]} receives the sum before division;
     * a map whose sum is 0 is left all zero (the caller decides what to do with it).
     */
    void normalize(MapBatch batch, GridSpec raster, GridBuffer mask, double[] sums);

    /** KS2 (SPEC section 3) of two maps of {@code width x height} at element offsets {@code offP}, {@code offQ}. */
    double ks2(GridBuffer p, long offP, GridBuffer q, long offQ, int width, int height);

    /** KS2 of one reference map against {@code count} candidate maps stored one after another. */
    void ks2Batch(GridBuffer ref, long offRef, GridBuffer candidates, int count, int width, int height, double[] out);

    /**
     * The teacher's beta search for one site, in one pass: for every beta {@code t} of {@code sweep}, the sPDI map of
     * {@code sweep.site()} ({@link #spdiMaps} with {@code k} neighbours from {@code knn}) normalised to sum 1, and its
     * KS2 against the normalised reference map of {@code sweep.width() x sweep.height()} float32 at element offset
     * {@code offRef} of {@code ref}. {@code ks2[t]} receives the KS2 (NaN when the map has no mass) and {@code sums[t]}
     * the map's sum before normalisation, as {@link #normalize} reports it. Equal within 1e-5 (KS2) to
     * {@code spdiMaps + normalize + ks2} one beta at a time; the neighbour work is shared by all betas and no map is
     * handed back (draw the chosen beta with {@link #spdiMaps}).
     */
    void spdiBetaSweep(
            SitePositions sites,
            KnnRaster knn,
            int k,
            BetaSweep sweep,
            GridBuffer ref,
            long offRef,
            double[] ks2,
            double[] sums);

    @Override
    void close();
}
