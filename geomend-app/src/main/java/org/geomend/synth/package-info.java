/**
 * A synthetic mobile operator with ground-truth metadata geolocation, built the way DeepMEND section III-A
 * describes Orange's: a propagation model gives every sector's received power at every pixel, a priority
 * table turns the powers of the sectors covering a pixel into association probabilities P(i|l), and
 * Bayes with a uniform prior gives P(l|i) over each BS window.
 *
 * <ul>
 *   <li>{@link org.geomend.synth.Layouts}: generated cities (urban core, suburban ring, rural ring, context
 *       ring; clustered sequential inhibition at the classes' ISDs) or given positions (env classified from
 *       local density);</li>
 *   <li>{@link org.geomend.synth.Antenna}: 3GPP TR 38.901 Table 7.3-1 sector pattern;</li>
 *   <li>{@link org.geomend.synth.PathLossModel}: 38.901 UMa, UMi street canyon, RMa (LOS/NLOS, LOS
 *       probability, shadowing sigma and decorrelation distance);</li>
 *   <li>{@link org.geomend.synth.ShadowField}: Gudmundson-correlated shadowing rasters (separable AR(1));</li>
 *   <li>{@link org.geomend.synth.Association}: N strongest sectors, layer priorities, Rayleigh fast fading,
 *       handover hysteresis, aggregated to sites, once per region raster;</li>
 *   <li>{@link org.geomend.synth.SynthGenerator}: orchestration and output files;</li>
 *   <li>{@link org.geomend.synth.PopulationField} and {@link org.geomend.synth.SynthTraffic}: resident density by
 *       ring and distance to the centre, diurnal activity per env, per-BS traffic from the association and its
 *       ground truth (demand and population rasters, lambda(t));</li>
 *   <li>{@link org.geomend.synth.Calibration}: median KS2 of Voronoi and legacy sPDI against the ground
 *       truth per class, to compare with the paper.</li>
 * </ul>
 * All parameters and their literature sources are in {@link org.geomend.synth.SynthParams}.
 */
package org.geomend.synth;
