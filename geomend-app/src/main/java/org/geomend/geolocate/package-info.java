/**
 * Batch geolocation of an inventory: the methods ({@link org.geomend.geolocate.Method}), the
 * urbanisation classes used by legacy sPDI ({@link org.geomend.geolocate.Urbanisation}), and the tiled
 * driver ({@link org.geomend.geolocate.Geolocator}) that shares one nearest-site raster among all the
 * maps whose windows fall in a tile and streams finished maps to a {@link org.geomend.io.MapSink}.
 */
package org.geomend.geolocate;
