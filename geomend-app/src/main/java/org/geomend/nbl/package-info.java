/**
 * Network-Based Localization (NBL, "Can you find me now?"; SPEC section 6, issue 6).
 * <ul>
 * <li>{@link org.geomend.nbl.MeasurementCsv}: the long measurement format
 * {@code record,time,lat,lon,cell,rsrp,rssi,ta}; {@link org.geomend.nbl.Adapters}: the walksignal, Cork and
 * UAV sets turned into it, bad rows counted and reported.</li>
 * <li>{@link org.geomend.nbl.Tiles}: slippy-map tiles (zoom 16-21) and Web Mercator.</li>
 * <li>{@link org.geomend.nbl.MapBuilder} (offline): streaming, multi-threaded, mergeable (Welford/Chan,
 * {@link org.geomend.nbl.Moments}) per-(cell, tile) RSRP/RSSI statistics with a sigma floor, P(l) and
 * f_PD, stored as an {@link org.geomend.nbl.NblMap}.</li>
 * <li>{@link org.geomend.nbl.Locator} (online): batches of records scored by an
 * {@link org.geomend.kernels.nbl.NblScoring} backend (rules in {@link org.geomend.kernels.nbl.NblModel}).</li>
 * <li>{@link org.geomend.nbl.Evaluation}: train/test split, summary.csv and CDF plots
 * ({@link org.geomend.report.Plots}) with the cell-ID baseline.</li>
 * </ul>
 */
package org.geomend.nbl;
