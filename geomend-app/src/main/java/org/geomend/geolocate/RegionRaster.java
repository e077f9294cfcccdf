package org.geomend.geolocate;

import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;

/** Something that can paint a region onto a raster: 1 inside, 0 outside (UINT8, row 0 south). */
@FunctionalInterface
public interface RegionRaster {
    void rasterize(GridSpec grid, GridBuffer dstUint8);
}
