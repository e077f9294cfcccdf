/**
 * Edge-site planning (DeepMEND section VI, eq. 4-8; {@code geomend plan-edge}): a balanced, contiguous k-way
 * partition of the radio units of a demand raster by METIS 5 ({@link org.geomend.edge.Metis}, FFM downcalls into
 * Debian's {@code libmetis5}), edge sites at the parts' demand barycentres and Jain's fairness index of their loads
 * ({@link org.geomend.edge.EdgePlanner}).
 */
package org.geomend.edge;
