package org.geomend.geo;

/**
 * A projected CRS in metres: {@code epsg} is its EPSG code (e.g. 2154) or 0 when it is only a
 * proj string; {@code proj4} is its proj definition (always set); {@code name} is what is written to
 * outputs' {@code crs} field ("EPSG:2154", or the proj string).
 */
public record Crs(int epsg, String proj4, String name) {}
