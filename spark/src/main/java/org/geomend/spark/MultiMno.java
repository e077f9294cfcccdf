package org.geomend.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Eurostat MultiMNO's cell footprint data object from geomend maps on the INSPIRE 100 m grid (EPSG:3035; the geomend
 * lattice then is that grid): one row per (cell, grid tile) with mass, {@code cell_id} (string: the site id),
 * {@code grid_id} (long: MultiMNO's internal id of a 100 m tile, northing x 10^7 + easting of its south-west corner in
 * metres), {@code signal_dominance} (float: the map's
 * probability P(l|i)), and the partition columns {@code year} (short), {@code month}, {@code day} (byte), written
 * partitioned by year/month/day as MultiMNO does. Schema as read in the eurostat/multimno repository (README:
 * which version, and what is unverified).
 */
final class MultiMno {
    static final long GRID_ID_SCALE = 10_000_000L;

    private MultiMno() {}

    /** Reads OUT/maps, writes OUT/cell_footprint; returns the rows written. */
    static long writeFootprint(SparkSession s, Path dir, LocalDate date) {
        Dataset<Row> maps = s.read().parquet(dir.resolve("maps").toString());
        Dataset<Row> fp = maps.select(
                        col("id"), col("x0"), col("y0"), col("width"), expr("explode(arrays_zip(pixel, p)) as px"))
                .select(
                        col("id").as("cell_id"),
                        expr("(cast(round(y0 / 100) as bigint) + cast(px.pixel div width as bigint)) * 100 * "
                                        + GRID_ID_SCALE
                                        + " + (cast(round(x0 / 100) as bigint) + cast(px.pixel % width as bigint)) * 100")
                                .as("grid_id"),
                        col("px.p").cast(DataTypes.FloatType).as("signal_dominance"),
                        lit(date.getYear()).cast(DataTypes.ShortType).as("year"),
                        lit(date.getMonthValue()).cast(DataTypes.ByteType).as("month"),
                        lit(date.getDayOfMonth()).cast(DataTypes.ByteType).as("day"));
        fp.write()
                .partitionBy("year", "month", "day")
                .parquet(dir.resolve("cell_footprint").toString());
        return s.read().parquet(dir.resolve("cell_footprint").toString()).count();
    }
}
