package org.geomend.io;

/**
 * One base-station site of an inventory: its id, projected position (metres, in the inventory's CRS),
 * urbanisation class ({@code urban|suburban|rural}, or null when the file has none), operator code
 * (or null), and the 1-based line of the file it came from (the first line when positions were merged).
 */
public record Site(String id, double x, double y, String env, String operator, long line) {}
