package org.geomend.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.geomend.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark traffic} on the maps of {@code spark geolocate} against {@code traffic --maps} on the same maps written
 * by {@code geolocate --sparse} (bit-for-bit equal, {@link GeolocateJobTest}): the same pixels carry traffic, each
 * value equal to the float32 raster's within its rounding, the float64 raster total within 1e-9 relative.
 */
class TrafficJobTest {

    @TempDir
    Path dir;

    @Test
    void demandIsTrafficsDemand() throws IOException {
        Path sites = GeolocateJobTest.writeInventory(dir);
        StringBuilder kpi = new StringBuilder("id,time,value\n");
        List<String> lines = Files.readAllLines(sites);
        for (int i = 1; i < lines.size(); i++) {
            String id = lines.get(i).split(",")[0];
            if (i % 7 == 0) continue; // some sites without traffic
            for (int h = 0; h < 3; h++)
                kpi.append(String.format(Locale.ROOT, "%s,%02d,%.3f%n", id, h, (1 + i % 5) * (10 + 7.5 * h)));
        }
        Path kpiFile = dir.resolve("kpi.csv");
        Files.writeString(kpiFile, kpi);
        Path arrow = dir.resolve("maps.arrow"),
                npy = dir.resolve("traffic.npy"),
                g = dir.resolve("geo"),
                t = dir.resolve("t");
        assertEquals(
                0,
                NblJobsTest.geomend(GeolocateJobTest.args(
                                new String[] {
                                    "geolocate", "--backend", "java", "--sites", sites.toString(), "--method", "spdi"
                                },
                                "--sparse",
                                "--out",
                                arrow.toString()))
                        .code());
        NblJobsTest.Run tr = NblJobsTest.geomend(GeolocateJobTest.args(
                new String[] {"traffic", "--sites", sites.toString(), "--method", "spdi", "--kpi", kpiFile.toString()},
                "--maps",
                arrow.toString(),
                "--format",
                "npy",
                "--out",
                npy.toString()));
        assertEquals(0, tr.code(), tr.err());
        assertEquals(
                0,
                NblJobsTest.spark(GeolocateJobTest.args(
                                new String[] {
                                    "geolocate", "--backend", "java", "--sites", sites.toString(), "--method", "spdi"
                                },
                                "--out",
                                g.toString()))
                        .code());
        NblJobsTest.Run st = NblJobsTest.spark(
                "traffic",
                "--maps",
                g.toString(),
                "--kpi",
                kpiFile.toString(),
                "--block",
                "32",
                "--geotiff",
                "--out",
                t.toString());
        assertEquals(0, st.code(), st.err());
        // the GeoTIFF: traffic's, same grid, CRS and bands, values within 1e-6 relative
        Path tif = dir.resolve("traffic.tif");
        NblJobsTest.Run tt = NblJobsTest.geomend(GeolocateJobTest.args(
                new String[] {"traffic", "--sites", sites.toString(), "--method", "spdi", "--kpi", kpiFile.toString()},
                "--maps",
                arrow.toString(),
                "--out",
                tif.toString()));
        assertEquals(0, tt.code(), tt.err());
        org.geomend.io.GeoTiffRaster.Raster want1 = org.geomend.io.GeoTiffRaster.read(tif),
                got1 = org.geomend.io.GeoTiffRaster.read(t.resolve("traffic.tif"));
        assertEquals(want1.grid(), got1.grid());
        assertEquals(want1.crs(), got1.crs());
        assertEquals(List.of(want1.bandDescriptions()), List.of(got1.bandDescriptions()));
        for (int b = 0; b < want1.bands().length; b++)
            for (int i = 0; i < want1.bands()[b].length; i++) {
                float x = want1.bands()[b][i], y = got1.bands()[b][i];
                assertTrue(Math.abs(x - y) <= 1e-6 * Math.abs(x), "band " + b + " pixel " + i + ": " + y + " vs " + x);
            }

        JsonNode side = Json.MAPPER.readTree(dir.resolve("traffic.npy.json").toFile());
        JsonNode gj = side.get("grid");
        double res = gj.get("resolution").asDouble();
        long x0 = Math.round(gj.get("x0").asDouble() / res),
                y0 = Math.round(gj.get("y0").asDouble() / res);
        int w = gj.get("width").asInt(),
                h = gj.get("height").asInt(),
                nt = side.get("times").size();
        byte[] bytes = Files.readAllBytes(npy);
        int hlen = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        ByteBuffer data = ByteBuffer.wrap(bytes, 10 + hlen, bytes.length - 10 - hlen)
                .slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        long nonZero = 0;
        for (int i = 0; i < w * h; i++) {
            boolean any = false;
            for (int s = 0; s < nt; s++) any |= data.getFloat(4 * (s * w * h + i)) != 0;
            if (any) nonZero++;
        }
        List<Row> blocks = SparkSession.active()
                .read()
                .parquet(t.resolve("traffic").toString())
                .collectAsList();
        long sparkNonZero = 0;
        for (Row r : blocks) {
            long c0 = r.getLong(0), r0 = r.getLong(1);
            int bw = r.getInt(2), bh = r.getInt(3);
            ByteBuffer v = ByteBuffer.wrap((byte[]) r.get(4)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < bw * bh; i++) {
                long col = c0 + i % bw - x0, row = h - 1 - (r0 + i / bw - y0);
                boolean inside = col >= 0 && col < w && row >= 0 && row < h, any = false;
                for (int s = 0; s < nt; s++) {
                    float got = v.getFloat(4 * (s * bw * bh + i));
                    any |= got != 0;
                    float want = inside ? data.getFloat(4 * (int) (s * (long) w * h + row * w + col)) : 0f;
                    assertTrue(Math.abs(got - want) <= 1e-6 * Math.abs(want), got + " vs " + want);
                }
                if (any) sparkNonZero++;
            }
        }
        assertEquals(nonZero, sparkNonZero, "pixels with traffic");
        JsonNode totals = Json.MAPPER.readTree(t.resolve("totals.json").toFile());
        double want = Double.parseDouble(side.get("totals").get("raster_total").asText());
        double got = totals.get("raster_total").asDouble();
        assertTrue(Math.abs(got - want) <= 1e-9 * want, got + " vs " + want);
        assertEquals(
                Double.parseDouble(side.get("totals").get("mapped_total").asText()),
                totals.get("mapped_total").asDouble(),
                1e-9 * want);

        // Parquet inventory (geolocate) and KPI table (traffic), the CSVs' columns: the same maps and traffic
        SparkSession s = SparkSession.active();
        Path ps = dir.resolve("sites.pq"), pk = dir.resolve("kpi.pq"), g2 = dir.resolve("geo2"), t2 = dir.resolve("t2");
        s.read()
                .schema("id string, x double, y double")
                .option("header", "true")
                .csv(sites.toString())
                .coalesce(1)
                .write()
                .parquet(ps.toString());
        s.read()
                .schema("id string, time string, value double")
                .option("header", "true")
                .csv(kpiFile.toString())
                .repartition(2)
                .sortWithinPartitions("id")
                .write()
                .parquet(pk.toString());
        assertEquals(
                0,
                NblJobsTest.spark(GeolocateJobTest.args(
                                new String[] {
                                    "geolocate", "--backend", "java", "--sites", ps.toString(), "--method", "spdi"
                                },
                                "--out",
                                g2.toString()))
                        .code());
        assertEquals(
                s.read().parquet(g.resolve("maps").toString()).orderBy("id").collectAsList(),
                s.read().parquet(g2.resolve("maps").toString()).orderBy("id").collectAsList());
        NblJobsTest.Run st2 = NblJobsTest.spark(
                "traffic", "--maps", g2.toString(), "--kpi", pk.toString(), "--block", "32", "--out", t2.toString());
        assertEquals(0, st2.code(), st2.err());
        // --geotiff-window: the same values on the part of the grid it covers
        org.geomend.kernels.GridSpec wg = want1.grid();
        double wx0 = wg.x0() + 50 * wg.resolution() + 30, wy0 = wg.y0() + 40 * wg.resolution() - 20;
        NblJobsTest.Run st3 = NblJobsTest.spark(
                "traffic",
                "--maps",
                g2.toString(),
                "--kpi",
                pk.toString(),
                "--geotiff-window",
                wx0 + "," + wy0 + "," + (wx0 + 100 * wg.resolution()) + "," + (wy0 + 90 * wg.resolution()),
                "--out",
                dir.resolve("t3").toString());
        assertEquals(0, st3.code(), st3.err());
        org.geomend.io.GeoTiffRaster.Raster part = org.geomend.io.GeoTiffRaster.read(dir.resolve("t3/traffic.tif"));
        assertEquals(101, part.grid().width());
        assertEquals(91, part.grid().height());
        int dc = (int) Math.round((part.grid().x0() - wg.x0()) / wg.resolution()),
                dr = (int) Math.round((part.grid().y0() - wg.y0()) / wg.resolution()); // rows from the south
        assertEquals(50, dc);
        assertEquals(39, dr);
        for (int b = 0; b < part.bands().length; b++)
            for (int r = 0; r < part.grid().height(); r++)
                for (int c = 0; c < part.grid().width(); c++) {
                    float x = want1.bands()[b][(r + dr) * wg.width() + c + dc],
                            y = part.bands()[b][r * part.grid().width() + c];
                    assertTrue(Math.abs(x - y) <= 1e-6 * Math.abs(x), y + " vs " + x);
                }
        List<Row> blocks2 = s.read()
                .parquet(t2.resolve("traffic").toString())
                .orderBy("col0", "row0")
                .collectAsList();
        List<Row> blocks1 = s.read()
                .parquet(t.resolve("traffic").toString())
                .orderBy("col0", "row0")
                .collectAsList();
        assertEquals(blocks1.size(), blocks2.size());
        for (int i = 0; i < blocks1.size(); i++)
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    (byte[]) blocks1.get(i).get(4), (byte[]) blocks2.get(i).get(4), "block " + i);
    }
}
