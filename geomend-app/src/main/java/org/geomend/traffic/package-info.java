/**
 * What the maps are for (DeepMEND section VI): per-base-station KPI values spread onto one raster ({@link
 * org.geomend.traffic.TrafficSweep}, {@code geomend traffic}: pixel = sum_i value_i(t) P(l|i), streamed in blocks),
 * and the dynamic population of eq. 9 from such a raster ({@link org.geomend.traffic.Population}, {@code geomend
 * population}). The spreading itself is {@link org.geomend.traffic.Spread}, the one implementation behind both the
 * streamed sweep and the in-memory {@link org.geomend.traffic.DemandRaster} of {@code geomend eval --use-cases}. KPI tables are read by {@link org.geomend.traffic.Kpi}; the rasters are written by {@link
 * org.geomend.traffic.TrafficOutputs} (GeoTIFF through {@link org.geomend.io.GeoTiffRaster}, NPY, Arrow IPC).
 */
package org.geomend.traffic;
