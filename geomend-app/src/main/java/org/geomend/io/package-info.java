/**
 * Inputs and outputs of geomend: site inventories and geolocation maps.
 *
 * <p>Maps leave the program through a {@link org.geomend.io.MapSink}, opened with
 * {@link org.geomend.io.MapSinks#open}: an Arrow IPC file ({@link org.geomend.io.ArrowMapSink}, dense or
 * sparse), one GeoTIFF per base station ({@link org.geomend.io.GeoTiffMapSink}) or one NPY array per base
 * station ({@link org.geomend.io.NpyMapSink}). Every sink writes under temporary names and makes its
 * output complete only in {@code commit()}. The matching readers ({@link org.geomend.io.ArrowMapReader},
 * {@link org.geomend.io.GeoTiffMapReader}, {@link org.geomend.io.NpyMapReader}, and
 * {@link org.geomend.io.MapFiles} which detects the format) give back a {@link org.geomend.io.MapData}.
 *
 * <p>Every GeoTIFF is written and read by {@link org.geomend.io.GeoTiffRaster} (one encoder, one decoder): single
 * maps, and multi-band float32/int32 rasters (traffic, population, edge-site assignments), streamed when large.
 */
package org.geomend.io;
