package org.geomend.spark;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.geomend.io.Json;
import org.geomend.traffic.Kpi;
import org.geomend.traffic.Spread;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scala.Tuple2;

/**
 * {@code geomend spark traffic}: a KPI table ({@code id,time,value}, read on the driver by {@link Kpi}, as {@code
 * traffic} reads it) joined with the sparse maps of {@code spark geolocate} into per-pixel demand per time step,
 * {@code demand(l, t) = sum_i value_i(t) P(l|i) / mass_i} through {@link Spread} (the one implementation). Each map is
 * cut into the lattice blocks of {@code --block} x {@code --block} pixels it touches (the shuffle), and one task per
 * block adds its pieces into a float64 accumulator. {@code OUT/traffic}: one row per block with traffic, a raster
 * tile: {@code col0}, {@code row0} (lattice indices of its south-west pixel, row up = north), {@code width}, {@code
 * height} and {@code traffic}, float32 little-endian {@code [time][row][col]}, row 0 south (float32 as {@code
 * traffic}'s rasters; times in the order of the {@code times} metadata; one value per pixel and step as binary,
 * because Parquet's per-element array writer was the bottleneck: 3.2 G values on France); {@code OUT/totals.json}: the
 * totals {@code traffic} reports, the raster total summed in float64 by the block tasks (a Spark accumulator: a retried task would count
 * twice; local mode does not retry).
 */
@Command(
        name = "traffic",
        mixinStandardHelpOptions = true,
        description = "Spread per-site KPI values over the sparse maps of spark geolocate (per-pixel demand, Parquet).")
final class TrafficJob implements Callable<Integer> {

    @Mixin
    SparkMain.JobOptions job;

    @Option(names = "--maps", required = true, description = "the output directory of spark geolocate (or its maps/)")
    Path maps;

    @Option(
            names = "--kpi",
            required = true,
            description =
                    "KPI CSV (id,value or id,time,value), or Parquet with those columns (a .parquet file or a directory of them)")
    Path kpi;

    @Option(names = "--skip-unknown", description = "count and report KPI rows of ids without a map instead of failing")
    boolean skipUnknown;

    @Option(
            names = "--block",
            defaultValue = "256",
            description = "block side in pixels: one task per block (default ${DEFAULT-VALUE})")
    int block;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Override
    public Integer call() throws Exception {
        return SparkMain.job(this::run);
    }

    /**
     * A map's part inside one block: the bounding box of its non-zero pixels there (block coordinates, {@code width x
     * height}), those pixels (row-major indices in the box) and values, and the map's weights.
     */
    record Piece(int col0, int row0, int width, int height, int[] pixels, float[] values, double[] weights)
            implements java.io.Serializable {}

    private Integer run() throws Exception {
        long t0 = System.nanoTime();
        if (block < 16) throw new IllegalArgumentException("--block must be >= 16: " + block);
        if (job.badRows != null)
            throw new IllegalArgumentException(
                    "--bad-rows: the KPI table is read on the driver; bad rows stop the job");
        Path dir = Files.isDirectory(maps.resolve("maps")) ? maps.resolve("maps") : maps;
        JobOutput output = JobOutput.open(out, job.overwrite, "--out");
        SparkSession s = SparkMain.session(job.master, "traffic");
        StageReport report = StageReport.attach(s);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.sparkContext());
        Dataset<Row> df = s.read().parquet(dir.toString());
        double res = df.first().getDouble(3);
        List<String> ids =
                df.select("id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        Map<String, Integer> index = new HashMap<>(2 * ids.size());
        for (int i = 0; i < ids.size(); i++)
            if (index.putIfAbsent(ids.get(i), i) != null)
                throw new org.geomend.io.InputException(dir, 0, "two maps of site '" + ids.get(i) + "'");
        Kpi k = ParquetInput.read(kpi, (csv, parquet) -> Kpi.read(csv, ids.size(), index::get, skipUnknown));
        Map<String, double[]> values = new HashMap<>();
        double mapped = 0;
        for (int i : k.sites()) {
            values.put(ids.get(i), k.values()[i]);
            mapped += k.siteTotal(i);
        }
        Broadcast<Map<String, double[]>> vb = jsc.broadcast(values);
        int b = block, nt = k.times().length;
        org.apache.spark.util.DoubleAccumulator raster = jsc.sc().doubleAccumulator("raster_total");
        JavaRDD<Row> rows = df.javaRDD()
                .flatMapToPair(r -> pieces(r, vb.value(), b).iterator())
                .partitionBy(new HashPartitioner(
                        Math.max(1, job.partitions > 0 ? job.partitions : jsc.defaultParallelism())))
                .groupByKey()
                .flatMap(g -> accumulate(g._1, g._2, b, nt, raster).iterator());
        MetadataBuilder mb = new MetadataBuilder()
                .putStringArray("times", k.times())
                .putDouble("resolution", res)
                .putString("crs", df.first().getString(6))
                .putString(
                        "lattice",
                        "pixel (col, row) covers [col r, (col + 1) r) x [row r, (row + 1) r) in the CRS, r = resolution");
        StructType schema = new StructType(new StructField[] {
            new StructField("col0", DataTypes.LongType, false, mb.build()),
            new StructField("row0", DataTypes.LongType, false, Metadata.empty()),
            new StructField("width", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("height", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("traffic", DataTypes.BinaryType, false, Metadata.empty())
        });
        s.createDataFrame(rows, schema)
                .write()
                .parquet(output.dir().resolve("traffic").toString());
        double rasterTotal = raster.value();
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("input_total", k.inputTotal());
        totals.put("mapped_total", mapped);
        totals.put("unmapped_total", k.inputTotal() - mapped);
        totals.put("raster_total", rasterTotal);
        if (k.unknownRows() > 0) {
            totals.put("unknown_kpi_rows", k.unknownRows());
            totals.put("unknown_kpi_total", k.unknownTotal());
        }
        Files.writeString(output.dir().resolve("totals.json"), Json.pretty(totals) + "\n", StandardCharsets.UTF_8);
        output.commit();
        report.print(System.err, "spark traffic");
        System.err.printf(
                Locale.ROOT,
                "spark traffic: %d maps, %d sites with KPI values, %d time steps; input %s, mapped %s, raster %s; %.1f s%n",
                ids.size(),
                values.size(),
                nt,
                k.inputTotal(),
                mapped,
                rasterTotal,
                (System.nanoTime() - t0) * 1e-9);
        return 0;
    }

    /** Stage 1, per map: its mass (of the whole map), weights, and its pieces by block (key: block row, block col). */
    static List<Tuple2<Long, Piece>> pieces(Row r, Map<String, double[]> values, int block) {
        double[] v = values.get(r.getString(0));
        if (v == null) return List.of();
        double res = r.getDouble(3);
        int w = r.getInt(4), h = r.getInt(5);
        long c0 = Math.round(r.getDouble(1) / res), r0 = Math.round(r.getDouble(2) / res);
        List<Integer> px = r.getList(7);
        List<Float> p = r.getList(8);
        float[] dense = new float[w * h];
        for (int i = 0; i < px.size(); i++) dense[px.get(i)] = p.get(i);
        double mass = Spread.mass(MemorySegment.ofArray(dense), 0, dense.length);
        if (!Spread.spreadable(mass)) return List.of();
        double[] wt = Spread.weights(v, mass);
        List<Tuple2<Long, Piece>> out = new ArrayList<>();
        for (long by = Math.floorDiv(r0, block); by * block < r0 + h; by++)
            for (long bx = Math.floorDiv(c0, block); bx * block < c0 + w; bx++) {
                int pc0 = (int) (Math.max(c0, bx * block) - c0), pc1 = (int) (Math.min(c0 + w, (bx + 1) * block) - c0);
                int pr0 = (int) (Math.max(r0, by * block) - r0), pr1 = (int) (Math.min(r0 + h, (by + 1) * block) - r0);
                int lo = Integer.MAX_VALUE, hi = -1, left = Integer.MAX_VALUE, right = -1, n = 0;
                for (int rr = pr0; rr < pr1; rr++)
                    for (int cc = pc0; cc < pc1; cc++)
                        if (dense[rr * w + cc] != 0) {
                            lo = Math.min(lo, rr);
                            hi = Math.max(hi, rr);
                            left = Math.min(left, cc);
                            right = Math.max(right, cc);
                            n++;
                        }
                if (n == 0) continue;
                int bw = right - left + 1;
                int[] pix = new int[n];
                float[] val = new float[n];
                n = 0;
                for (int rr = lo; rr <= hi; rr++)
                    for (int cc = left; cc <= right; cc++) {
                        float x = dense[rr * w + cc];
                        if (x == 0) continue;
                        pix[n] = (rr - lo) * bw + cc - left;
                        val[n++] = x;
                    }
                out.add(new Tuple2<>(
                        by << 32 | (bx & 0xFFFFFFFFL),
                        new Piece(
                                (int) (c0 + left - bx * block),
                                (int) (r0 + lo - by * block),
                                bw,
                                hi - lo + 1,
                                pix,
                                val,
                                wt)));
            }
        return out;
    }

    /** Stage 2, per block: every piece added by {@link Spread#add} into a float64 accumulator, the block out. */
    static List<Row> accumulate(
            long key, Iterable<Piece> pieces, int block, int nt, org.apache.spark.util.DoubleAccumulator raster) {
        double[][] acc = new double[nt][block * block];
        float[] scratch = new float[block];
        float[] dense = new float[block * block];
        for (Piece p : pieces) {
            java.util.Arrays.fill(dense, 0, p.width() * p.height(), 0f);
            for (int i = 0; i < p.pixels().length; i++) dense[p.pixels()[i]] = p.values()[i];
            Spread.add(
                    MemorySegment.ofArray(dense),
                    0,
                    p.width(),
                    p.height(),
                    0,
                    p.width(),
                    p.weights(),
                    acc,
                    block,
                    p.row0(),
                    1,
                    p.col0(),
                    scratch);
        }
        long by = key >> 32, bx = (int) key;
        java.nio.ByteBuffer bytes =
                java.nio.ByteBuffer.allocate(4 * nt * block * block).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        double sum = 0;
        for (int t = 0; t < nt; t++)
            for (int i = 0; i < block * block; i++) {
                bytes.putFloat((float) acc[t][i]);
                sum += acc[t][i];
            }
        List<Row> out = List.of(RowFactory.create(bx * block, by * block, block, block, bytes.array()));
        raster.add(sum);
        return out;
    }
}
