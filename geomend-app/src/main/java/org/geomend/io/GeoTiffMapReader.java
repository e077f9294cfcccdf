package org.geomend.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a single-band GeoTIFF back as a map, row 0 = south, through {@link GeoTiffRaster} (classic or BigTIFF,
 * either byte order, strips or tiles, uncompressed or DEFLATE, north-up, georeferenced by pixel scale + tiepoint or
 * a non-rotating {@code ModelTransformationTag}; PixelIsPoint rasters are shifted half a pixel). The CRS name is
 * {@code EPSG:<code>} of {@code ProjectedCSTypeGeoKey} when it is an EPSG code, else the {@code GTCitationGeoKey},
 * else null. The id is the file stem.
 */
public final class GeoTiffMapReader {

    private GeoTiffMapReader() {}

    public static MapData read(Path file) throws IOException {
        try (GeoTiffRaster.Reader r = GeoTiffRaster.open(file)) {
            if (r.bands() != 1) throw new InputException(file, 0, "more than one band");
            if (r.sampleType() != GeoTiffRaster.SampleType.FLOAT32)
                throw new InputException(file, 0, "not float32 samples");
            int w = r.grid().width(), h = r.grid().height();
            float[] north = new float[Math.toIntExact(r.grid().pixels())];
            r.readRows(0, 0, h, north, 0);
            float[] v = new float[north.length];
            for (int k = 0; k < h; k++) System.arraycopy(north, k * w, v, (h - 1 - k) * w, w);
            String stem = file.getFileName().toString().replaceFirst("\\.tiff?$", "");
            return new MapData(stem, r.grid(), r.crs(), v);
        }
    }
}
