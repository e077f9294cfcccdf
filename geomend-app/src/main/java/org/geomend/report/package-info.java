/**
 * What the reports share: the one place that draws figures ({@link org.geomend.report.Plots}: CDFs, line charts,
 * box plots, maps side by side, headless AWT PNG) and the one set of summary statistics and quantiles
 * ({@link org.geomend.report.Stats}), used by {@code eval}, {@code nbl eval}, {@code train} and the VoronoiBoost
 * and synth reports.
 */
package org.geomend.report;
