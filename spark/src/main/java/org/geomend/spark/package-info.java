/**
 * geomend on Apache Spark 4.2 (issue 17): {@code geomend spark JOB}, the jobs {@code nbl-build} and {@code nbl-locate}
 * as thin glue (partitioning, IO) around the single-machine classes, which run inside the executors:
 * {@link org.geomend.nbl.MapParts} / {@link org.geomend.nbl.MapBuilder} (one part of the cells per task),
 * {@link org.geomend.nbl.Locator} on an {@link org.geomend.kernels.nbl.NblScoring} backend (one input file per task).
 * <ul>
 * <li>{@link org.geomend.spark.SparkMain}: the command tree, the embedded session, errors through the CLI's one
 * handler ({@link org.geomend.cli.Main#withHandlers}).</li>
 * <li>{@link org.geomend.spark.JobOutput}: an output directory (refused when it exists without {@code --overwrite},
 * {@code _SUCCESS} last), {@link org.geomend.spark.BadRows}: {@code --bad-rows DIR}.</li>
 * <li>{@link org.geomend.spark.NblBuildJob}, {@link org.geomend.spark.NblLocateJob}.</li>
 * </ul>
 */
package org.geomend.spark;
