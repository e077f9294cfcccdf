package org.geomend.spark;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
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
import org.geomend.geo.Crs;
import org.geomend.geo.Projections;
import org.geomend.geolocate.Geolocation;
import org.geomend.geolocate.Geolocator;
import org.geomend.geolocate.MapDrawer;
import org.geomend.geolocate.Method;
import org.geomend.geolocate.RegionRaster;
import org.geomend.geolocate.Urbanisation;
import org.geomend.io.Inventory;
import org.geomend.io.InventoryOptions;
import org.geomend.io.InventoryReader;
import org.geomend.io.MapSink;
import org.geomend.io.RegionMask;
import org.geomend.io.SparseSelection;
import org.geomend.kernels.Backends;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.nn.NnBackends;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.student.Features;
import org.geomend.student.ModelFiles;
import org.geomend.student.ShippedModel;
import org.geomend.student.StudentDrawer;
import org.geomend.student.StudentModel;
import org.geomend.student.UNetConfig;
import org.geomend.voronoiboost.InventoryCells;
import org.geomend.voronoiboost.VoronoiBoostMaps;
import org.geomend.voronoiboost.VoronoiBoostModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code geomend spark geolocate}: an inventory to sparse maps in Parquet, {@code geolocate --sparse}'s maps bit for
 * bit. The driver reads the inventory ({@link InventoryReader}, any format {@code geolocate} reads), groups the
 * targets by lattice tile and gives every tile its halo ({@link Halo}); one task per tile runs {@link Geolocator} with
 * the {@link org.geomend.geolocate.ClosedFormDrawer} on the halo's sites, in the executor's {@link GeoKernels} backend,
 * and keeps each map's {@link SparseSelection} (the rule of the sparse Arrow output). {@code OUT/maps}: one row per
 * site, the columns of the sparse Arrow file ({@code id, x0, y0, resolution, width, height, crs, pixel, p}; pixels
 * row-major from the window's south-west pixel); the lattice, the CRS and the method's parameters in the column
 * metadata of {@code id}. With {@code --footprint-date}, also {@code OUT/cell_footprint}: the MultiMNO cell footprint
 * (README). Every method of {@code geolocate}; the halo of each tile follows the method (README, the halo rule).
 */
@Command(
        name = "geolocate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Draw the geolocation map of every site of an inventory on Spark (sparse maps in Parquet).")
final class GeolocateJob implements Callable<Integer> {

    @Mixin
    SparkMain.JobOptions job;

    @Option(
            names = "--sites",
            required = true,
            description =
                    "site inventory (any format geolocate reads, or Parquet with the same columns: a .parquet file or a directory of them)")
    Path sites;

    @Option(names = "--operator", description = "keep only this operator's sites")
    String operator;

    @Option(names = "--crs", description = "CRS of x,y inputs / projection for lat,lon inputs")
    String crs;

    @Option(names = "--skip-bad-rows", description = "count and report bad inventory rows instead of failing")
    boolean skipBadRows;

    @Option(names = "--region", description = "GeoJSON outline: pixels outside get no mass")
    Path region;

    @Option(names = "--method", required = true, description = "voronoi|spdi|spdi-legacy|voronoiboost|deepmend|direct")
    String method;

    @Option(
            names = "--model",
            description =
                    "trained model, as geolocate's --model (voronoiboost, deepmend, direct; deepmend without it: the shipped student); a path every executor sees")
    Path model;

    @Option(names = "--beta", defaultValue = "2", description = "sPDI attenuation (default ${DEFAULT-VALUE})")
    double beta;

    @Option(
            names = "--k",
            defaultValue = "5",
            description = "sPDI neighbours other than the BS (default ${DEFAULT-VALUE})")
    int k;

    @Option(
            names = "--window",
            description = "window side in pixels (default 600; deepmend/direct: the model's, as geolocate)")
    Integer window;

    @Option(
            names = "--resolution",
            description = "pixel side in metres (default 100; deepmend/direct: the model's, as geolocate)")
    Double resolution;

    @Option(names = "--batch", defaultValue = "16", description = "maps per kernel launch (default ${DEFAULT-VALUE})")
    int batch;

    @Option(
            names = "--tile",
            defaultValue = "1000",
            description = "tile side in pixels: one task per tile (default ${DEFAULT-VALUE})")
    int tile;

    @Option(
            names = "--drop-mass",
            defaultValue = "3e-2",
            description = "mass a sparse map may drop (default ${DEFAULT-VALUE}, as geolocate)")
    double dropMass;

    @Option(names = "--task-threads", defaultValue = "1", description = "kernel threads per task (default 1)")
    int taskThreads;

    @Option(
            names = "--footprint-date",
            description =
                    "also write OUT/cell_footprint (MultiMNO) valid on this date (YYYY-MM-DD); needs --crs EPSG:3035 and --resolution 100")
    String footprintDate;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Override
    public Integer call() throws Exception {
        return SparkMain.job(this::run);
    }

    /** What every task needs, shipped once per executor. */
    record Shared(
            String[] ids,
            double[] x,
            double[] y,
            double[] betas,
            String crs,
            String region,
            String method,
            String model,
            double beta,
            int k,
            int window,
            double resolution,
            int batch,
            int tile,
            double dropMass,
            String backend,
            int threads,
            String jobId)
            implements java.io.Serializable {}

    private Integer run() throws Exception {
        long t0 = System.nanoTime();
        if (job.badRows != null)
            throw new IllegalArgumentException(
                    "--bad-rows: the inventory is read on the driver; use --skip-bad-rows (bad rows counted and reported)");
        Method m = Method.parse(method);
        // a learned method's model, as geolocate takes it (deepmend without --model: the shipped student)
        boolean student = m == Method.DEEPMEND || m == Method.DIRECT;
        String modelRef = null;
        UNetConfig cfg = null;
        if (m == Method.DEEPMEND && model == null) {
            modelRef = SHIPPED;
            System.err.println("geomend spark geolocate: no --model: using " + ShippedModel.DESCRIPTION);
            cfg = UNetConfig.read(ShippedModel.directory().resolve(ModelFiles.CONFIG));
        } else if (!m.closedForm()) {
            if (model == null)
                throw new IllegalArgumentException("--method " + m.cliName + " needs --model (as geolocate)");
            modelRef = model.toAbsolutePath().toString();
            if (student) cfg = UNetConfig.read(ModelFiles.dir(model).resolve(ModelFiles.CONFIG));
            else VoronoiBoostModel.load(model); // a bad model file fails here, before any task
        }
        int window = this.window == null ? 600 : this.window;
        double resolution = this.resolution == null ? 100 : this.resolution;
        if (cfg != null && this.window == null && this.resolution == null) {
            window = cfg.window();
            resolution = cfg.resolution();
        }
        Geolocator.Layout layout = new Geolocator.Layout(window, resolution, batch, tile);
        if (m.closedForm()) new Geolocator.Options(m, beta, k, window, resolution, batch, tile); // checks --k, --beta
        if (!(dropMass >= 0 && dropMass < 1))
            throw new IllegalArgumentException("--drop-mass must be in [0, 1): " + dropMass);
        LocalDate date = footprintDate == null ? null : date(footprintDate);
        Inventory inv = ParquetInput.read(
                sites,
                (csv, parquet) ->
                        InventoryReader.read(csv, new InventoryOptions(crs, operator, skipBadRows, System.err)));
        if (inv.size() == 0)
            throw new IllegalArgumentException(
                    sites + ": no sites" + (operator != null ? " for operator " + operator : ""));
        if (date != null && (inv.crs().epsg() != 3035 || resolution != 100))
            throw new IllegalArgumentException(
                    "--footprint-date: MultiMNO's grid is INSPIRE 100 m on EPSG:3035: pass --crs EPSG:3035 and --resolution 100");
        SitePositions pos = inv.positions();
        int[] targets = java.util.stream.IntStream.range(0, inv.size()).toArray();
        double[] betas = null;
        if (m == Method.SPDI_LEGACY) {
            String[] cls = Urbanisation.classes(inv.sites(), pos);
            betas = new double[cls.length];
            for (int i = 0; i < cls.length; i++) betas[i] = Urbanisation.legacyBeta(cls[i]);
        }
        Map<String, String> params = new HashMap<>();
        if (m == Method.SPDI) params.put("beta", Double.toString(beta));
        if (m.closedForm() && m != Method.VORONOI) params.put("k", Integer.toString(k));
        if (modelRef != null)
            params.put("model", modelRef.equals(SHIPPED) ? "shipped:" + ShippedModel.NAME : model.toString());
        // the metadata geolocate writes (and the region file checked before any task runs)
        Map<String, String> meta = new Geolocation(new Geolocation.Request(
                        inv,
                        sites,
                        operator,
                        region,
                        targets,
                        layout,
                        m.cliName,
                        params,
                        new Geolocation.Output("arrow", out.resolve("maps"), true, dropMass, false)))
                .metadata();
        // the halo rule (README): closed form: the kk nearest sites of every pixel of the tile's raster; a student: the
        // kk nearest of every pixel of its padded grids (its features); VoronoiBoost: no bound (the Voronoi graph's
        // rings and the clip box of the whole inventory), so every tile gets the whole inventory
        int kk = switch (m) {
            case VORONOI -> 1;
            case SPDI, SPDI_LEGACY -> k + 1;
            case DEEPMEND, DIRECT -> cfg.features().equals("repo") ? 5 : 3;
            case VORONOIBOOST -> 0;
        };
        UNetConfig fcfg = cfg;
        List<Halo.Tile> tiles =
                Halo.tiles(pos, targets, layout, kk, 20 * resolution, student ? w -> Features.padded(w, fcfg) : w -> w);
        long haloSites = 0;
        for (Halo.Tile t : tiles) haloSites += t.halo().length;
        JobOutput output = JobOutput.open(out, job.overwrite, "--out");
        SparkSession s = SparkMain.session(job.master, "geolocate");
        StageReport report = StageReport.attach(s);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.sparkContext());
        String[] ids = new String[inv.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = inv.sites().get(i).id();
        Crs c = inv.crs();
        Broadcast<Shared> shared = jsc.broadcast(new Shared(
                ids,
                pos.x(),
                pos.y(),
                betas,
                c.epsg() > 0 ? "EPSG:" + c.epsg() : c.proj4(),
                region == null ? null : region.toAbsolutePath().toString(),
                m.cliName,
                modelRef,
                beta,
                k,
                window,
                resolution,
                batch,
                tile,
                dropMass,
                job.backend,
                Math.max(1, taskThreads),
                java.util.UUID.randomUUID().toString()));
        JavaRDD<Row> rows = jsc.parallelize(tiles, Math.max(1, tiles.size()))
                .flatMap(t -> drawTile(t, shared.value()).iterator());
        MetadataBuilder mb = new MetadataBuilder();
        meta.forEach(mb::putString);
        mb.putString("crs", c.name())
                .putString("crs_proj4", c.proj4())
                .putLong("crs_epsg", c.epsg())
                .putDouble("resolution", resolution)
                .putLong("window", window)
                .putString(
                        "lattice",
                        "pixel (col, row) covers [col r, (col + 1) r) x [row r, (row + 1) r) in the CRS, r = resolution; "
                                + "a map's pixel i is (x0 / r + i mod width, y0 / r + i div width)")
                .putDouble("drop_mass", dropMass);
        Dataset<Row> maps = s.createDataFrame(rows, schema(mb.build()));
        maps.write().parquet(output.dir().resolve("maps").toString());
        long footprintRows = -1;
        if (date != null) footprintRows = MultiMno.writeFootprint(s, output.dir(), date);
        output.commit();
        report.print(System.err, "spark geolocate");
        System.err.printf(
                Locale.ROOT,
                "spark geolocate: %d maps (%s) of %d sites in %d tiles (halo: %.1f sites per tile, %.2fx the inventory in all%s)%s; %.1f s%n",
                inv.size(),
                m.cliName,
                inv.size(),
                tiles.size(),
                (double) haloSites / Math.max(1, tiles.size()),
                (double) haloSites / inv.size(),
                kk <= 0
                        ? "; " + m.cliName
                                + "'s features have no bounded halo: the whole inventory for every tile (the safe fallback)"
                        : "",
                footprintRows < 0 ? "" : ", " + footprintRows + " cell footprint rows",
                (System.nanoTime() - t0) * 1e-9);
        return 0;
    }

    private static LocalDate date(String s) {
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--footprint-date must be YYYY-MM-DD: '" + s + "'");
        }
    }

    static StructType schema(Metadata idMeta) {
        return new StructType(new StructField[] {
            new StructField("id", DataTypes.StringType, false, idMeta),
            field("x0", DataTypes.DoubleType),
            field("y0", DataTypes.DoubleType),
            field("resolution", DataTypes.DoubleType),
            field("width", DataTypes.IntegerType),
            field("height", DataTypes.IntegerType),
            field("crs", DataTypes.StringType),
            field("pixel", DataTypes.createArrayType(DataTypes.IntegerType, false)),
            field("p", DataTypes.createArrayType(DataTypes.FloatType, false))
        });
    }

    private static StructField field(String name, org.apache.spark.sql.types.DataType t) {
        return new StructField(name, t, false, Metadata.empty());
    }

    /** One task: the tile's maps, drawn by {@link Geolocator} on its halo's sites, as sparse rows. */
    static List<Row> drawTile(Halo.Tile t, Shared sh) throws IOException {
        int n = t.halo().length;
        double[] x = new double[n], y = new double[n];
        String[] ids = new String[n];
        double[] betas = sh.betas() == null ? null : new double[n];
        Map<Integer, Integer> local = new HashMap<>(2 * n);
        for (int i = 0; i < n; i++) {
            int g = t.halo()[i];
            x[i] = sh.x()[g];
            y[i] = sh.y()[g];
            ids[i] = sh.ids()[g];
            if (betas != null) betas[i] = sh.betas()[g];
            local.put(g, i);
        }
        int[] targets = new int[t.targets().length];
        for (int i = 0; i < targets.length; i++) targets[i] = local.get(t.targets()[i]);
        Crs crs = Projections.parse(sh.crs());
        RegionRaster region = sh.region() == null ? null : RegionMask.load(Path.of(sh.region()), crs)::rasterize;
        Method m = Method.parse(sh.method());
        Geolocator.Layout layout = new Geolocator.Layout(sh.window(), sh.resolution(), sh.batch(), sh.tile());
        List<Row> rows = new ArrayList<>(targets.length);
        String crsName = crs.name();
        float[][] scratch = {new float[0]};
        MapSink sink = MapSink.of((id, grid, values, offset) -> {
            int px = Math.toIntExact(grid.pixels());
            if (scratch[0].length < px) scratch[0] = new float[px];
            MemorySegment.copy(values, ValueLayout.JAVA_FLOAT_UNALIGNED, offset * 4, scratch[0], 0, px);
            SparseSelection sel = SparseSelection.select(scratch[0], px, sh.dropMass());
            rows.add(RowFactory.create(
                    id,
                    grid.x0(),
                    grid.y0(),
                    grid.resolution(),
                    grid.width(),
                    grid.height(),
                    crsName,
                    sel.pixels(),
                    sel.values()));
        });
        try (BufferAllocator alloc = Memory.child("spark-geolocate");
                GeoKernels kernels = Backends.orJava(
                        () -> Backends.select(sh.backend(), sh.threads(), System.err),
                        () -> Backends.select("java", sh.threads(), null),
                        System.err)) {
            SitePositions halo = new SitePositions(x, y);
            if (m.closedForm())
                new Geolocator(kernels, alloc)
                        .run(
                                halo,
                                ids,
                                betas,
                                targets,
                                new Geolocator.Options(
                                        m, sh.beta(), sh.k(), sh.window(), sh.resolution(), sh.batch(), sh.tile()),
                                region,
                                sink,
                                null,
                                null);
            else if (m == Method.VORONOIBOOST) {
                // geolocate's drawer on the whole inventory (the halo is all of it): tessellation and features once
                // per executor JVM
                VoronoiBoostModel vb = VoronoiBoostModel.load(Path.of(sh.model()));
                InventoryCells cells = CELLS.computeIfAbsent(sh.jobId(), key -> InventoryCells.of(halo, vb.settings()));
                try (MapDrawer d = new VoronoiBoostMaps(cells, vb)) {
                    new Geolocator(null, alloc).run(halo, ids, targets, layout, d, region, sink, null, null);
                }
            } else
                try (NnKernels nn = NnBackends.open(sh.backend(), sh.threads(), System.err);
                        StudentModel sm = StudentModel.load(
                                sh.model().equals(SHIPPED) ? ShippedModel.directory() : Path.of(sh.model()),
                                nn,
                                kernels,
                                alloc,
                                Math.max(1, Math.min(sh.batch(), 4)));
                        MapDrawer d = new StudentDrawer(sm, halo)) {
                    new Geolocator(null, alloc).run(halo, ids, targets, layout, d, region, sink, null, null);
                }
        }
        return rows;
    }

    /** --model for the shipped student. */
    private static final String SHIPPED = "shipped:";

    /** VoronoiBoost's tessellation and features of the whole inventory, per executor JVM and job. */
    private static final Map<String, InventoryCells> CELLS = new java.util.concurrent.ConcurrentHashMap<>();
}
