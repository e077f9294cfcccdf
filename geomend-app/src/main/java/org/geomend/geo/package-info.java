/**
 * Coordinate reference systems and projections: the {@link org.geomend.geo.Crs} record every projected
 * position carries, {@link org.geomend.geo.Projections} (parse {@code --crs}, the default equal-area
 * projection centred on an inventory, WGS84 lon/lat transforms) and {@link org.geomend.geo.CrsTransform}
 * (one proj4j transform; not thread-safe, one per thread). All geometry in geomend is done in a
 * projected CRS in metres (SPEC section 1).
 */
package org.geomend.geo;
