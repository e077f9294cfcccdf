/**
 * The use cases of DeepMEND section VI (Fig. 10) measured inside {@code geomend eval --use-cases}: on every
 * left-out city of {@code loo-city}, each method's demand raster (per-BS traffic spread over its maps, {@link
 * org.geomend.traffic.DemandRaster}) against the ground truth's: edge-site planning judged by Jain's fairness of the
 * actual loads ({@link org.geomend.edge.EdgePlanner}), and the hourly error of the eq. 9 population ({@link
 * org.geomend.traffic.Population}). {@link org.geomend.usecases.UseCases} listens to the maps of {@link
 * org.geomend.eval.Evaluator}; it holds one city at a time.
 */
package org.geomend.usecases;
