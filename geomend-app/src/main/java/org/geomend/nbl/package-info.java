/**
 * Network-Based Localization (NBL, "Can you find me now?"; SPEC section 6, issues 6 and 16).
 * <ul>
 * <li>{@link org.geomend.nbl.MeasurementCsv}: the long measurement format
 * {@code record,time,lat,lon,cell,rsrp,rssi,ta}; {@link org.geomend.nbl.Adapters}: the walksignal, Cork and
 * UAV sets turned into it, bad rows counted and reported.</li>
 * <li>{@link org.geomend.nbl.Tiles}: slippy-map tiles (zoom 16-21) and Web Mercator.</li>
 * <li>{@link org.geomend.nbl.MapBuilder} (offline): streaming, multi-threaded, mergeable (Welford/Chan,
 * {@link org.geomend.nbl.Moments}) per-(cell, tile) RSRP/RSSI statistics with a sigma floor, P(l) and
 * f_PD, stored as an {@link org.geomend.nbl.NblMap}; its choices (sigma prior, deviation floor, zoom,
 * multi-resolution back-off) are {@link org.geomend.nbl.MapOptions}.</li>
 * <li>{@link org.geomend.nbl.Locator} (online): batches of records scored by an
 * {@link org.geomend.kernels.nbl.NblScoring} backend (rules in {@link org.geomend.kernels.nbl.NblModel}).</li>
 * <li>{@link org.geomend.nbl.Evaluation}: block split or grouped folds of whole sessions, summary.csv
 * (with the uncertainty radius's calibration) and CDF plots ({@link org.geomend.report.Plots}) with the
 * cell-ID baseline; {@link org.geomend.nbl.Ablation}: every modelling choice on unseen sessions, per
 * set (issue 16).</li>
 * </ul>
 */
package org.geomend.nbl;
