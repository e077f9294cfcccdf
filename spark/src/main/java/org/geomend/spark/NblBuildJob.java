package org.geomend.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.geomend.cli.NblCommand;
import org.geomend.io.InputException;
import org.geomend.nbl.MapParts;
import org.geomend.nbl.MeasurementCsv;
import org.geomend.nbl.NblMap;
import org.geomend.nbl.Tiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scala.Tuple2;

/**
 * {@code geomend spark nbl-build}: measurement files to a coverage map, the statistics of {@code nbl build}. Stage 1,
 * one task per input file: the rows, read by {@link MeasurementCsv} (CSV or Arrow IPC, as {@code nbl build} reads
 * them), and the records per tile ({@link MapParts.TileCounter}). Stage 2, after a shuffle by cell id into
 * {@code --partitions} parts: {@link MapParts#build} ({@link org.geomend.nbl.MapBuilder}) on every part. The driver
 * merges the parts ({@link MapParts#merge}) and writes {@code OUT/map.nbl} (the file {@code nbl locate} and {@code
 * spark nbl-locate} read) and the map as Parquet tables {@code OUT/cells}, {@code OUT/tiles}, {@code OUT/entries}
 * (the zoom and f_PD in the column metadata of {@code tiles}), then {@code OUT/_SUCCESS}.
 */
@Command(
        name = "nbl-build",
        mixinStandardHelpOptions = true,
        description = "Build an NBL coverage map from GPS-tagged measurements (nbl build's statistics) on Spark.")
final class NblBuildJob implements Callable<Integer> {

    @Mixin
    SparkMain.JobOptions job;

    @Option(
            names = "--measurements",
            required = true,
            arity = "1..*",
            description =
                    "measurement files (long CSV, Arrow IPC or Parquet with the CSV's columns), or directories of them; one task per file")
    List<Path> files;

    @Option(
            names = "--zoom",
            defaultValue = "21",
            description = "slippy-map zoom 16..21 (default ${DEFAULT-VALUE}, as nbl build)")
    int zoom;

    /** The map options of {@code nbl build} ({@code --preset}, {@code --sd-floor}, ...). */
    @picocli.CommandLine.Mixin
    NblCommand.Model model;

    @Option(names = "--cells", description = "CSV cell,lat,lon of cell positions (for the PD term)")
    Path cells;

    @Option(
            names = "--split-size",
            defaultValue = "134217728",
            description =
                    "bytes per task of a large CSV input, split at record boundaries (default ${DEFAULT-VALUE}; 0: one task per file)")
    long splitSize;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    /** One input file's rows (in file order) and tile counts. */
    record Parsed(List<MapParts.PartRow> rows, MapParts.TileCounter tiles, long bad) implements java.io.Serializable {}

    @Override
    public Integer call() throws Exception {
        return SparkMain.job(this::run);
    }

    private Integer run() throws Exception {
        if (zoom < Tiles.MIN_ZOOM || zoom > Tiles.MAX_ZOOM)
            throw new IllegalArgumentException(
                    "--zoom must be " + Tiles.MIN_ZOOM + ".." + Tiles.MAX_ZOOM + ", got " + zoom);
        long t0 = System.nanoTime();
        List<String> inputs = SparkMain.inputFiles(files, "--measurements");
        Map<String, double[]> known = cells == null ? null : NblCommand.readCells(cells);
        String badDir = job.badRowsDir();
        JobOutput output = JobOutput.open(out, job.overwrite, "--out");
        SparkSession s = SparkMain.session(job.master, "nbl-build");
        StageReport report = StageReport.attach(s);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.sparkContext());
        int parts = job.partitions > 0 ? job.partitions : jsc.defaultParallelism();
        Broadcast<Map<String, double[]>> knownB = jsc.broadcast(known);
        List<Splits.Split> splits = Splits.plan(jsc, inputs, splitSize, "record");
        int z = zoom;
        org.geomend.nbl.MapOptions mo = model.map(zoom);
        JavaRDD<Parsed> parsed = jsc.parallelize(splits, splits.size())
                .map(f -> parse(f, z, badDir))
                .persist(StorageLevel.MEMORY_AND_DISK());
        MapParts.TileCounter tiles = parsed.map(Parsed::tiles).reduce(MapParts.TileCounter::merge);
        long bad = parsed.map(Parsed::bad).reduce(Long::sum);
        List<MapParts.Part> built = parsed.flatMapToPair(p ->
                        p.rows().stream().map(r -> new Tuple2<>(r.cell(), r)).iterator())
                .partitionBy(new HashPartitioner(parts))
                .mapPartitions(it -> {
                    List<MapParts.PartRow> rows = new ArrayList<>();
                    it.forEachRemaining(t -> rows.add(t._2));
                    if (rows.isEmpty()) return java.util.Collections.<MapParts.Part>emptyIterator();
                    rows.sort(Comparator.comparingLong(MapParts.PartRow::order));
                    return List.of(MapParts.build(mo, knownB.value(), rows)).iterator();
                })
                .collect();
        parsed.unpersist(false);
        NblMap m = MapParts.merge(zoom, known == null, built, tiles);
        m.write(output.dir().resolve("map.nbl"));
        writeTables(s, m, output.dir());
        output.commit();
        long rows = 0, noPos = 0;
        for (MapParts.Part p : built) {
            rows += p.rows;
            noPos += p.rowsNoPosition;
        }
        report.print(System.err, "spark nbl-build");
        System.err.printf(
                Locale.ROOT,
                "spark nbl-build: %d files (%d tasks), %d rows (%d without position, skipped%s), %d records -> %d cells in %d parts, %d tiles, %d (cell, tile) entries, f_PD %s; %.2f s%n",
                inputs.size(),
                splits.size(),
                rows,
                noPos,
                badDir == null ? "" : "; " + bad + " malformed, in " + badDir,
                m.totalRecords(),
                m.numCells(),
                built.size(),
                m.numTiles(),
                m.numEntries(),
                !m.hasFpd() ? "none (no PD in data)" : "from " + m.fpdSamples() + " PDs",
                (System.nanoTime() - t0) * 1e-9);
        return 0;
    }

    /** Stage 1 of one file (in its executor). Row order key: file number, then line (or Arrow row). */
    static Parsed parse(Splits.Split split, int zoom, String badDir) throws IOException {
        List<MapParts.PartRow> rows = new ArrayList<>();
        MapParts.TileCounter tiles = new MapParts.TileCounter(zoom);
        int fileIndex = split.file();
        try (BadRows bad = BadRows.forPart(badDir, split.index());
                Splits.Opened in = Splits.open(split)) {
            try {
                read(in, bad, tiles, rows, fileIndex);
            } catch (InputException e) {
                throw in.translate(e);
            }
            return new Parsed(rows, tiles, bad == null ? 0 : bad.count);
        }
    }

    private static void read(
            Splits.Opened in, BadRows bad, MapParts.TileCounter tiles, List<MapParts.PartRow> rows, int fileIndex)
            throws IOException {
        {
            ParquetInput.read(in.csv(), (csv, parquet) -> {
                if (bad != null) bad.where = (f, l) -> parquet != null ? parquet.where(f, l) : in.where(f, l);
                return MeasurementCsv.read(
                        csv,
                        r -> {
                            tiles.accept(r);
                            rows.add(MapParts.PartRow.of((long) fileIndex << 40 | in.line(r.line), r));
                        },
                        bad);
            });
        }
    }

    /** The map as Parquet tables (for other tools; geomend reads map.nbl). */
    static void writeTables(SparkSession s, NblMap m, Path dir) {
        Metadata meta = new MetadataBuilder()
                .putLong("zoom", m.zoom())
                .putLong("total_records", m.totalRecords())
                .putBoolean("positions_estimated", m.positionsEstimated())
                .build();
        List<Row> cells = new ArrayList<>(m.numCells());
        for (int c = 0; c < m.numCells(); c++)
            cells.add(RowFactory.create(
                    m.cellId(c),
                    m.cellLat(c),
                    m.cellLon(c),
                    m.centroidLat(c),
                    m.centroidLon(c),
                    m.rangeM(c),
                    m.cellSamples(c)));
        s.createDataFrame(cells, new StructType(new StructField[] {
                    new StructField("cell", DataTypes.StringType, false, meta),
                    field("lat", DataTypes.DoubleType),
                    field("lon", DataTypes.DoubleType),
                    field("centroid_lat", DataTypes.DoubleType),
                    field("centroid_lon", DataTypes.DoubleType),
                    field("range_m", DataTypes.DoubleType),
                    field("samples", DataTypes.LongType)
                }))
                .coalesce(1)
                .write()
                .parquet(dir.resolve("cells").toString());
        List<Row> tiles = new ArrayList<>(m.numTiles());
        for (int t = 0; t < m.numTiles(); t++)
            tiles.add(RowFactory.create(Tiles.keyX(m.tileKey(t)), Tiles.keyY(m.tileKey(t)), m.tileCount(t)));
        MetadataBuilder tmeta = new MetadataBuilder().withMetadata(meta);
        if (m.hasFpd()) {
            float[] f = m.fpd();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            tmeta.putDoubleArray("fpd_density", d)
                    .putDouble("fpd_min", m.fpdMin())
                    .putDouble("fpd_bin", m.fpdBin())
                    .putDouble("fpd_floor", m.fpdFloor())
                    .putLong("fpd_samples", m.fpdSamples());
        }
        s.createDataFrame(tiles, new StructType(new StructField[] {
                    new StructField("x", DataTypes.IntegerType, false, tmeta.build()),
                    field("y", DataTypes.IntegerType),
                    field("records", DataTypes.LongType)
                }))
                .coalesce(1)
                .write()
                .parquet(dir.resolve("tiles").toString());
        List<Row> ent = new ArrayList<>(m.numEntries());
        for (int c = 0; c < m.numCells(); c++)
            for (int e = m.cellStart(c); e < m.cellStart(c + 1); e++) {
                long k = m.tileKey(m.entTile(e));
                ent.add(RowFactory.create(
                        m.cellId(c),
                        Tiles.keyX(k),
                        Tiles.keyY(k),
                        m.entNR(e),
                        m.entMuR(e),
                        m.entSdR(e),
                        m.entNQ(e),
                        m.entMuQ(e),
                        m.entSdQ(e)));
            }
        s.createDataFrame(ent, new StructType(new StructField[] {
                    new StructField("cell", DataTypes.StringType, false, meta),
                    field("x", DataTypes.IntegerType),
                    field("y", DataTypes.IntegerType),
                    field("n_rsrp", DataTypes.IntegerType),
                    field("mu_rsrp", DataTypes.FloatType),
                    field("sd_rsrp", DataTypes.FloatType),
                    field("n_rssi", DataTypes.IntegerType),
                    field("mu_rssi", DataTypes.FloatType),
                    field("sd_rssi", DataTypes.FloatType)
                }))
                .write()
                .parquet(dir.resolve("entries").toString());
    }

    private static StructField field(String name, org.apache.spark.sql.types.DataType t) {
        return new StructField(name, t, false, Metadata.empty());
    }
}
