package org.geomend.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.geomend.geolocate.Geolocator;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;
import org.geomend.kernels.SitePositions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark geolocate} against {@code geolocate --sparse} on the same inventory: every map equal bit for bit (grid
 * and float32 values), for Voronoi, sPDI and legacy sPDI, with tiles small enough that most halos hold only part of
 * the inventory; and the MultiMNO cell footprint of the maps.
 */
class GeolocateJobTest {

    @TempDir
    static Path dir;

    static Path sites;

    /** 240 sites in a 40 km box (clusters and sparse parts), EPSG:3035 coordinates. */
    @BeforeAll
    static void inventory() throws IOException {
        sites = writeInventory(dir);
    }

    static Path writeInventory(Path dir) throws IOException {
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder("id,x,y\n");
        for (int i = 0; i < 240; i++) {
            double x, y;
            if (i % 3 == 0) {
                x = 4_000_000 + 40_000 * r.nextDouble();
                y = 2_800_000 + 40_000 * r.nextDouble();
            } else {
                x = 4_010_000 + 3_000 * r.nextGaussian();
                y = 2_815_000 + 3_000 * r.nextGaussian();
            }
            sb.append(String.format(Locale.ROOT, "s%03d,%.1f,%.1f%n", i, x, y));
        }
        Path f = dir.resolve("sites.csv");
        Files.writeString(f, sb);
        return f;
    }

    static final String[] GRID = {"--crs", "EPSG:3035", "--window", "40", "--resolution", "100", "--tile", "60"};

    static String[] args(String[] head, String... more) {
        String[] a = new String[head.length + GRID.length + more.length];
        System.arraycopy(head, 0, a, 0, head.length);
        System.arraycopy(GRID, 0, a, head.length, GRID.length);
        System.arraycopy(more, 0, a, head.length + GRID.length, more.length);
        return a;
    }

    void sameMaps(String method, String... extra) throws IOException {
        sameMaps(sites, GRID, method, extra);
    }

    /** Runs geolocate --sparse and spark geolocate on {@code inventory} and compares every map; returns the job's log. */
    static String sameMaps(Path inventory, String[] grid, String method, String... extra) throws IOException {
        Path single = dir.resolve(method + grid.length + ".arrow"), out = dir.resolve(method + grid.length);
        String[] m = new String[2 + extra.length];
        m[0] = "--method";
        m[1] = method;
        System.arraycopy(extra, 0, m, 2, extra.length);
        String[] head = concat(new String[] {"--backend", "java", "--sites", inventory.toString()}, grid);
        NblJobsTest.Run g = NblJobsTest.geomend(
                concat(concat(new String[] {"geolocate"}, head), concat(m, "--sparse", "--out", single.toString())));
        assertEquals(0, g.code(), g.err());
        boolean footprint = grid == GRID; // MultiMNO's grid: 100 m
        NblJobsTest.Run s = NblJobsTest.spark(concat(
                concat(new String[] {"geolocate"}, head),
                footprint
                        ? concat(m, "--footprint-date", "2023-01-01", "--out", out.toString())
                        : concat(m, "--out", out.toString())));
        assertEquals(0, s.code(), s.err());
        assertTrue(Files.exists(out.resolve(JobOutput.SUCCESS)));
        SparkSession spark = SparkSession.active();
        List<Row> rows = spark.read().parquet(out.resolve("maps").toString()).collectAsList();
        long pixels = 0;
        try (ArrowMapReader r = ArrowMapReader.open(single)) {
            assertEquals(r.rowCount(), rows.size(), method + ": maps");
            for (Row row : rows) {
                MapData want = r.read(row.getString(0));
                int w = row.getInt(4), h = row.getInt(5);
                assertEquals(want.grid().x0(), row.getDouble(1), method);
                assertEquals(want.grid().y0(), row.getDouble(2), method);
                assertEquals(want.grid().width(), w);
                assertEquals(want.grid().height(), h);
                float[] got = new float[w * h];
                List<Integer> px = row.getList(7);
                List<Float> p = row.getList(8);
                for (int i = 0; i < px.size(); i++) got[px.get(i)] = p.get(i);
                pixels += px.size();
                for (int i = 0; i < got.length; i++)
                    if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want.values()[i]))
                        throw new AssertionError(method + ": map " + row.getString(0) + " pixel " + i + ": " + got[i]
                                + " != " + want.values()[i]);
            }
        }
        if (!footprint) return s.err();
        // MultiMNO footprint: one row per kept pixel; grid_id = northing * 10^7 + easting of the tile's SW corner;
        // the columns of SilverCellFootprintDataObject (the partition columns come back as directory values)
        org.apache.spark.sql.types.StructType schema =
                spark.read().parquet(out.resolve("cell_footprint").toString()).schema();
        assertEquals(
                List.of("cell_id", "grid_id", "signal_dominance", "year", "month", "day"),
                List.of(schema.fieldNames()));
        assertEquals(
                org.apache.spark.sql.types.DataTypes.StringType,
                schema.apply("cell_id").dataType());
        assertEquals(
                org.apache.spark.sql.types.DataTypes.LongType,
                schema.apply("grid_id").dataType());
        assertEquals(
                org.apache.spark.sql.types.DataTypes.FloatType,
                schema.apply("signal_dominance").dataType());
        List<Row> fp = spark.read()
                .parquet(out.resolve("cell_footprint").toString())
                .selectExpr("cell_id", "grid_id", "signal_dominance", "year", "month", "day")
                .collectAsList();
        assertEquals(pixels, fp.size());
        Row first = rows.get(0);
        long want = (Math.round(first.getDouble(2) / 100)
                                + (int) first.getList(7).get(0) / first.getInt(4))
                        * 100
                        * 10_000_000L
                + (Math.round(first.getDouble(1) / 100) + (int) first.getList(7).get(0) % first.getInt(4)) * 100;
        assertTrue(
                fp.stream()
                        .anyMatch(f -> f.getString(0).equals(first.getString(0))
                                && f.getLong(1) == want
                                && f.getFloat(2) == (Float) first.getList(8).get(0)
                                && f.getInt(3) == 2023),
                "footprint row of " + first.getString(0));
        return s.err();
    }

    static String[] concat(String[] a, String... b) {
        String[] o = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }

    @Test
    void mapsAreGeolocatesBitForBit() throws IOException {
        sameMaps("voronoi");
        sameMaps("spdi", "--beta", "2", "--k", "5");
        sameMaps("spdi-legacy");
    }

    /**
     * The learned methods: VoronoiBoost (a small model trained here) with the whole inventory per tile, and the shipped
     * DeepMEND student on a window padded for the network (40 pixels of 400 m, run on 64), whose halo holds the 3
     * nearest sites of every pixel of the padded grids; 36 sites over 80 km, tiles of 50 pixels.
     */
    @Test
    void learnedMapsAreGeolocatesBitForBit() throws IOException {
        Random r = new Random(7);
        StringBuilder sb = new StringBuilder("id,x,y\n");
        for (int i = 0; i < 36; i++)
            sb.append(String.format(
                    Locale.ROOT,
                    "l%02d,%.1f,%.1f%n",
                    i,
                    4_000_000 + 80_000 * r.nextDouble(),
                    2_800_000 + 80_000 * r.nextDouble()));
        Path inv = dir.resolve("learned.csv");
        Files.writeString(inv, sb);
        String[] grid = {"--crs", "EPSG:3035", "--window", "40", "--resolution", "400", "--tile", "50", "--batch", "3"};
        String log = sameMaps(inv, grid, "deepmend");
        assertTrue(log.contains("tiles"), log);
        var tiles = Halo.tiles(
                org.geomend.io.InventoryReader.read(
                                inv, org.geomend.io.InventoryOptions.defaults().withCrs("EPSG:3035"))
                        .positions(),
                java.util.stream.IntStream.range(0, 36).toArray(),
                new Geolocator.Layout(40, 400, 3, 50),
                3,
                8000,
                w -> org.geomend.student.Features.padded(w, org.geomend.student.UNetConfig.paper()));
        assertTrue(tiles.stream().anyMatch(t -> t.halo().length < 36), "some student halo is partial");
        Path vb = dir.resolve("vb.model");
        org.geomend.voronoiboost.TrainingSet ts = new org.geomend.voronoiboost.TrainingSet();
        java.util.SplittableRandom q = new java.util.SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            double[] f = new double[org.geomend.voronoiboost.CellFeatures.COUNT];
            for (int j = 0; j < f.length; j++) f[j] = 0.5 + q.nextDouble();
            f[12] = 2000 + 8000 * q.nextDouble();
            double[] sc = new double[org.geomend.voronoiboost.VoronoiBoostModel.TAUS.length];
            for (int k = 0; k < sc.length; k++)
                sc[k] = (0.3 + org.geomend.voronoiboost.VoronoiBoostModel.TAUS[k]) * f[0] + f[12] / 10_000;
            ts.add(f, org.geomend.voronoiboost.VoronoiBoostModel.TAUS, sc);
        }
        org.geomend.voronoiboost.VoronoiBoostModel.fit(
                        ts.x(),
                        ts.y(),
                        org.geomend.voronoiboost.VoronoiBoostModel.TAUS,
                        org.geomend.voronoiboost.VoronoiBoostModel.Settings.defaults(),
                        new org.geomend.voronoiboost.VoronoiBoostModel.Hyper(40, 4, 16, 3, 0.1, 0.8, 5),
                        Map.of("source", "GeolocateJobTest"))
                .save(vb);
        log = sameMaps(inv, grid, "voronoiboost", "--model", vb.toString());
        assertTrue(log.contains("the whole inventory for every tile"), log);
    }

    @Test
    void halosHoldPartOfTheInventory() throws IOException {
        var inv = org.geomend.io.InventoryReader.read(
                sites, org.geomend.io.InventoryOptions.defaults().withCrs("EPSG:3035"));
        SitePositions pos = inv.positions();
        int[] all = java.util.stream.IntStream.range(0, pos.size()).toArray();
        List<Halo.Tile> tiles = Halo.tiles(pos, all, new Geolocator.Layout(40, 100, 16, 60), 6, 2000);
        assertTrue(tiles.size() > 10, tiles.size() + " tiles");
        int partial = 0;
        Map<Integer, Integer> seen = new HashMap<>();
        for (Halo.Tile t : tiles) {
            if (t.halo().length < pos.size()) partial++;
            for (int s : t.targets()) seen.merge(s, 1, Integer::sum);
            for (int s : t.targets()) assertTrue(java.util.Arrays.binarySearch(t.halo(), s) >= 0, "target in halo");
        }
        assertEquals(pos.size(), seen.size(), "every site in exactly one tile");
        assertTrue(partial > tiles.size() / 2, partial + " of " + tiles.size() + " halos are partial");
    }
}
