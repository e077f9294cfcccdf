package org.geomend.geolocate;

import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;

/**
 * What a {@link MapDrawer} draws at once: {@code size()} sites (indices into the inventory's positions), each on
 * its SPEC window; map m goes to {@code maps()} (FLOAT32) at element offset {@link #offset(int) m * mapPixels()},
 * row-major from the south-west pixel.
 *
 * <p>Region mask (null when none): for a drawer that {@link MapDrawer#sharesRaster() shares a raster},
 * {@link #rasterMask()} is the UINT8 mask on {@link #raster()}; otherwise {@link #mask(int)} is map m's UINT8 mask
 * on its own window (offset 0).
 */
public record DrawBatch(
        int[] sites,
        GridSpec[] windows,
        GridBuffer maps,
        GridSpec raster,
        GridBuffer rasterMask,
        GridBuffer[] windowMasks) {

    public int size() {
        return sites.length;
    }

    public int site(int m) {
        return sites[m];
    }

    public GridSpec window(int m) {
        return windows[m];
    }

    /** Pixels of one window (all windows of a batch have the same size). */
    public long mapPixels() {
        return windows[0].pixels();
    }

    public long offset(int m) {
        return m * mapPixels();
    }

    /** Whether there is a region mask. */
    public boolean masked() {
        return rasterMask != null || windowMasks != null;
    }

    /** Map m's mask on its window, or null (drawers that do not share a raster). */
    public GridBuffer mask(int m) {
        return windowMasks == null ? null : windowMasks[m];
    }
}
