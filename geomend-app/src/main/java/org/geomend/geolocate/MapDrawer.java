package org.geomend.geolocate;

import java.io.IOException;
import org.geomend.kernels.GridSpec;

/**
 * A geolocation method as {@link Geolocator} draws it: given a batch of sites and their SPEC windows, fill the
 * batch's map buffer, each map normalised to sum 1 (within the region mask when there is one). Every method
 * implements it: the closed-form ones ({@link ClosedFormDrawer}), VoronoiBoost and the U-Net students; the loop
 * around it (tiling, batching, the writer thread, region masks, the fallbacks, resume) is {@link Geolocator}'s.
 */
public interface MapDrawer extends AutoCloseable {

    /**
     * True when the maps of neighbouring sites share work on one raster (the closed-form methods' nearest-site
     * raster): {@link Geolocator} then groups the targets by tile, hands each tile's raster (the union of its
     * windows) to {@link #tile}, gives the region mask on that raster and writes the maps tile by tile. False: the
     * maps are drawn and written in target order, one {@link #tile(GridSpec) tile(null)} for the whole run, the
     * region mask given per window.
     */
    default boolean sharesRaster() {
        return false;
    }

    /** The state of one tile (or of the whole run when {@link #sharesRaster()} is false). */
    Tile tile(GridSpec raster) throws IOException;

    /** Draws batches; closed when its tile is done. */
    interface Tile extends AutoCloseable {
        /**
         * Draws every map of {@code b} into {@code b.maps()} and sets {@code sums[m]} to map m's mass before
         * normalisation (0 or NaN: nothing to draw, e.g. no pixel inside the mask; the map's content is then ignored).
         */
        void draw(DrawBatch b, double[] sums) throws IOException;

        @Override
        default void close() {}
    }

    @Override
    default void close() {}
}
