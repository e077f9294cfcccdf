/**
 * Batch geolocation of an inventory: the methods ({@link org.geomend.geolocate.Method}), the
 * urbanisation classes used by legacy sPDI ({@link org.geomend.geolocate.Urbanisation}), the one interface
 * every method draws through ({@link org.geomend.geolocate.MapDrawer}: closed form, VoronoiBoost, the U-Nets),
 * the one loop around it ({@link org.geomend.geolocate.Geolocator}: tiling for drawers that share a nearest-site
 * raster, batching, the writer thread, region masks, the fallbacks, resume) and a whole map-writing run
 * ({@link org.geomend.geolocate.Geolocation}: output checks, metadata, sink), used by {@code geolocate} and
 * {@code eval}.
 */
package org.geomend.geolocate;
