/**
 * VoronoiBoost (SECON 2022), the DeepMEND paper's calibrated-Voronoi baseline: per-site features on the Voronoi graph
 * ({@link org.geomend.voronoiboost.Tessellation}, {@link org.geomend.voronoiboost.CellFeatures}), a gradient-boosted
 * regressor from {@code [tau] + features} to the cell scale s_tau ({@link org.geomend.voronoiboost.VoronoiBoostModel},
 * LightGBM), the training targets on ground truth ({@link org.geomend.voronoiboost.ScaleTarget},
 * {@link org.geomend.voronoiboost.GroundTruthTargets}) or on the published model's scales
 * ({@link org.geomend.voronoiboost.PublishedScales}, {@link org.geomend.voronoiboost.PublishedReproduction}), and the
 * map drawing over the nested scaled cells ({@link org.geomend.voronoiboost.ScaledCell},
 * {@link org.geomend.voronoiboost.NestedCellMap}, {@link org.geomend.voronoiboost.VoronoiBoostMaps}).
 */
package org.geomend.voronoiboost;
