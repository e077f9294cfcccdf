/**
 * A dataset with ground truth as {@code geomend synth} writes it ({@link org.geomend.dataset.Dataset}:
 * {@code sites.csv}, {@code maps.arrow}, {@code manifest.json}), read by the evaluation harness, the teacher,
 * VoronoiBoost training and the student's training.
 */
package org.geomend.dataset;
