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
import org.geomend.kernels.GridSpec;
import org.geomend.traffic.Kpi;
import org.geomend.traffic.Spread;
import org.geomend.traffic.TrafficOutputs;
import org.geomend.traffic.TrafficSweep;
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

    @Option(
            names = "--geotiff",
            description =
                    "also write OUT/traffic.tif: traffic's GeoTIFF (one float32 band per time step) of the raster traffic draws (the union of the maps with KPI values), or of --geotiff-window; assembled on the driver")
    boolean geotiff;

    @Option(
            names = "--geotiff-window",
            split = ",",
            paramLabel = "x0,y0,x1,y1",
            description = "the GeoTIFF's area in the maps' CRS (implies --geotiff; cut to the lattice and the raster)")
    double[] geotiffWindow;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Override
    public Integer call() throws Exception {
        return SparkMain.job(this::run);
    }

    /**
     * The GeoTIFF's grid: traffic's raster (the union of the windows of the maps with KPI values, {@link
     * TrafficSweep#union}), cut to {@code --geotiff-window} (widened to whole pixels); refused when its float32 bands
     * would take more than a quarter of the driver's heap.
     */
    GridSpec tiffGrid(Dataset<Row> df, Map<String, double[]> values, double res, int times) {
        List<Row> w =
                df.select("id", "x0", "y0", "resolution", "width", "height").collectAsList();
        List<GridSpec> kept = new ArrayList<>();
        for (Row r : w)
            if (values.containsKey(r.getString(0)))
                kept.add(new GridSpec(r.getDouble(1), r.getDouble(2), r.getDouble(3), r.getInt(4), r.getInt(5)));
        if (kept.isEmpty()) throw new IllegalArgumentException("--geotiff: no map has KPI values");
        GridSpec g = TrafficSweep.union(
                kept.toArray(GridSpec[]::new),
                java.util.stream.IntStream.range(0, kept.size()).toArray());
        if (geotiffWindow != null) {
            if (geotiffWindow.length != 4
                    || !(geotiffWindow[0] < geotiffWindow[2])
                    || !(geotiffWindow[1] < geotiffWindow[3]))
                throw new IllegalArgumentException("--geotiff-window must be x0,y0,x1,y1 with x0 < x1 and y0 < y1");
            long c0 = Math.max(g.latticeCol(), (long) Math.floor(geotiffWindow[0] / res)),
                    r0 = Math.max(g.latticeRow(), (long) Math.floor(geotiffWindow[1] / res)),
                    c1 = Math.min(g.latticeCol() + g.width(), (long) Math.ceil(geotiffWindow[2] / res)),
                    r1 = Math.min(g.latticeRow() + g.height(), (long) Math.ceil(geotiffWindow[3] / res));
            if (c0 >= c1 || r0 >= r1)
                throw new IllegalArgumentException("--geotiff-window " + java.util.Arrays.toString(geotiffWindow)
                        + " does not meet the raster " + g);
            g = new GridSpec(c0 * res, r0 * res, res, Math.toIntExact(c1 - c0), Math.toIntExact(r1 - r0));
        }
        long bytes = 4L * g.pixels() * times, max = Runtime.getRuntime().maxMemory();
        if (bytes > max / 4)
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "--geotiff: %d x %d pixels x %d time steps is %s of float32, more than a quarter of the driver's memory (%s): give a smaller --geotiff-window or a larger driver heap (-Xmx, spark.driver.memory)",
                    g.width(),
                    g.height(),
                    times,
                    SparkMain.mib(bytes),
                    SparkMain.mib(max)));
        return g;
    }

    /** The blocks of {@code traffic} inside {@code g}, assembled on the driver and written by traffic's GeoTIFF writer. */
    static void writeGeoTiff(
            Dataset<Row> blocks,
            GridSpec g,
            String crs,
            String[] times,
            Map<String, String> meta,
            Map<String, String> totals,
            Path file)
            throws java.io.IOException {
        int w = g.width(), h = g.height(), nt = times.length;
        long c0 = g.latticeCol(), r0 = g.latticeRow();
        float[][] v = new float[nt][w * h];
        java.util.Iterator<Row> it = blocks.filter(org.apache.spark.sql.functions.expr(String.format(
                        Locale.ROOT,
                        "col0 + width > %d AND col0 < %d AND row0 + height > %d AND row0 < %d",
                        c0,
                        c0 + w,
                        r0,
                        r0 + h)))
                .toLocalIterator();
        while (it.hasNext()) {
            Row r = it.next();
            long bc = r.getLong(0), br = r.getLong(1);
            int bw = r.getInt(2), bh = r.getInt(3);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap((byte[]) r.get(4)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < bw * bh; i++) {
                long col = bc + i % bw - c0, row = br + i / bw - r0; // row from the south
                if (col < 0 || col >= w || row < 0 || row >= h) continue;
                int at = (int) ((h - 1 - row) * w + col); // GeoTIFF: row 0 north
                for (int t = 0; t < nt; t++) v[t][at] = b.getFloat(4 * (t * bw * bh + i));
            }
        }
        int th = Math.min(256, (h + 15) / 16 * 16), tw = Math.min(2048, (w + 15) / 16 * 16);
        try (TrafficOutputs.Out o = TrafficOutputs.open("geotiff", file, g, crs, times, meta, th, tw, false)) {
            for (int row0 = 0; row0 < h; row0 += th)
                for (int col0 = 0; col0 < w; col0 += tw) {
                    int rows = Math.min(th, h - row0), cols = Math.min(tw, w - col0);
                    float[][] tile = new float[nt][rows * cols];
                    for (int t = 0; t < nt; t++)
                        for (int rr = 0; rr < rows; rr++)
                            System.arraycopy(v[t], (row0 + rr) * w + col0, tile[t], rr * cols, cols);
                    o.block(row0, col0, rows, cols, tile);
                }
            o.commit(totals);
        }
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
        GridSpec tiff = geotiff || geotiffWindow != null ? tiffGrid(df, values, res, k.times().length) : null;
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
        if (tiff != null) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("maps", maps.toString());
            params.put("kpi", kpi.toString());
            if (geotiffWindow != null) params.put("geotiff_window", java.util.Arrays.toString(geotiffWindow));
            Map<String, String> t = new LinkedHashMap<>();
            totals.forEach((key, v) -> t.put(key, String.valueOf(v)));
            writeGeoTiff(
                    s.read().parquet(output.dir().resolve("traffic").toString()),
                    tiff,
                    df.first().getString(6),
                    k.times(),
                    org.geomend.io.MapSinks.geomendMetadata("spark traffic", params),
                    t,
                    output.dir().resolve("traffic.tif"));
        }
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
