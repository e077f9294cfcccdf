package org.geomend.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.geomend.edge.EdgeTestData;
import org.geomend.io.GeoTiffRaster;
import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code geomend plan-edge} through {@link Main} ({@link Cli#run}). */
class PlanEdgeCliTest {

    static final String CRS = "EPSG:2154";

    @TempDir
    Path dir;

    Path tif(String name, GridSpec g, String crs, float[]... bands) throws IOException {
        Path f = dir.resolve(name);
        GeoTiffRaster.writeFloat32(f, g, crs, null, bands);
        return f;
    }

    /** Rows of edge_sites.csv after the header, split on commas (empty trailing fields kept). */
    static List<String[]> sites(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("edge_sites.csv"));
        assertEquals("es,x,y,load,actual_load", lines.get(0));
        return lines.subList(1, lines.size()).stream()
                .map(l -> l.split(",", -1))
                .toList();
    }

    static double jain(String out, String which) {
        Matcher m = Pattern.compile(which + " ([0-9.]+)").matcher(out);
        assertTrue(m.find(), "no '" + which + "' in: " + out);
        return Double.parseDouble(m.group(1));
    }

    /** Two 3 x 3 blobs of equal demand 5 pixels apart, K = 2: each blob is a part, sites at their centres. */
    @Test
    void twoSeparatedBlobs() throws IOException {
        GridSpec g = new GridSpec(700000, 6600000, 100, 12, 6);
        float[] d = new float[72];
        for (int r = 1; r <= 3; r++)
            for (int c = 1; c <= 3; c++) {
                d[r * 12 + c] = 1 + (r + c) % 2;
                d[r * 12 + c + 7] = 1 + (r + c) % 2;
            }
        Path demand = tif("demand.tif", g, CRS, d), out = dir.resolve("plan");
        Cli.Result r = Cli.run("plan-edge", "--demand", demand.toString(), "--sites", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1.0, jain(r.out(), "planned"), 1e-6);
        assertFalse(r.out().contains("actual"));
        GeoTiffRaster.IntRaster a = GeoTiffRaster.readInt32(out.resolve("assignment.tif"));
        assertEquals(g, a.grid());
        assertEquals(CRS, a.crs());
        assertEquals(-1, a.noData());
        int[] as = a.bands()[0];
        int left = as[2 * 12 + 2], right = as[2 * 12 + 9];
        assertNotEquals(left, right);
        for (int p = 0; p < 72; p++) {
            int c = p % 12;
            assertEquals(d[p] == 0 ? -1 : c < 6 ? left : right, as[p], "pixel " + p);
        }
        List<String[]> s = sites(out);
        assertEquals(2, s.size());
        String[] l = s.get(left), rr = s.get(right);
        assertEquals(String.valueOf(left), l[0]);
        assertEquals(
                700000 + 250, Double.parseDouble(l[1]), 1e-6); // (r + c) % 2 weights are symmetric about the centre
        assertEquals(6600000 + 250, Double.parseDouble(l[2]), 1e-6);
        assertEquals(700000 + 950, Double.parseDouble(rr[1]), 1e-6);
        assertEquals(13, Double.parseDouble(l[3]), 0); // 5 pixels of 2 and 4 of 1
        assertEquals(13, Double.parseDouble(rr[3]), 0);
        assertEquals("", l[4]);
        assertTrue(Files.size(out.resolve("partition.png")) > 1000);
        assertFalse(Files.exists(dir.resolve("plan.partial")));
    }

    /** A random-ish field: every part 4-connected, loads within epsilon, the same files for the same seed. */
    @Test
    void contiguousBalancedDeterministic() throws IOException {
        int w = 80, h = 60, k = 12;
        float[] d = EdgeTestData.field(w, h, 11);
        GridSpec g = new GridSpec(0, 0, 100, w, h);
        Path demand = tif("field.tif", g, CRS, d);
        Path o1 = dir.resolve("a"), o2 = dir.resolve("b"), o3 = dir.resolve("c");
        for (Path o : List.of(o1, o2))
            assertEquals(
                    0,
                    Cli.run(
                                    "plan-edge",
                                    "--demand",
                                    demand.toString(),
                                    "--sites",
                                    "" + k,
                                    "--imbalance",
                                    "0.05",
                                    "--seed",
                                    "4",
                                    "--out",
                                    o.toString())
                            .code());
        int[] a = GeoTiffRaster.readInt32(o1.resolve("assignment.tif")).bands()[0];
        EdgeTestData.assertRasterContiguous(a, w, h, k);
        List<String[]> s = sites(o1);
        double total = 0, max = 0;
        for (String[] row : s) {
            double l = Double.parseDouble(row[3]);
            total += l;
            max = Math.max(max, l);
        }
        // METIS: integer loads <= (1 + ufactor/1000 + 0.0000499) x mean; integer rounding moves it by < 1e-3 here
        assertTrue(max / (total / k) - 1 <= 0.05 + 5e-5 + 1e-3, "imbalance " + (max / (total / k) - 1));
        double sum = 0;
        for (float v : d) sum += v;
        assertEquals(sum, total, 1e-9 * sum);
        assertArrayEquals(
                Files.readAllBytes(o1.resolve("assignment.tif")), Files.readAllBytes(o2.resolve("assignment.tif")));
        assertEquals(Files.readString(o1.resolve("edge_sites.csv")), Files.readString(o2.resolve("edge_sites.csv")));
        // and a second run into the same directory replaces the first plan
        Cli.Result again = Cli.run("plan-edge", "--demand", demand.toString(), "--sites", "3", "--out", o1.toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(3, sites(o1).size());
        assertFalse(Files.exists(dir.resolve("a.old")));
        // another seed is another run of METIS (it may or may not find the same partition): still valid
        assertEquals(
                0,
                Cli.run(
                                "plan-edge",
                                "--demand",
                                demand.toString(),
                                "--sites",
                                "" + k,
                                "--imbalance",
                                "0.05",
                                "--seed",
                                "5",
                                "--out",
                                o3.toString())
                        .code());
        EdgeTestData.assertRasterContiguous(
                GeoTiffRaster.readInt32(o3.resolve("assignment.tif")).bands()[0], w, h, k);
    }

    /** --truth: actual loads are the truth summed over each part; truth outside every part is reported. */
    @Test
    void truthActualLoads() throws IOException {
        GridSpec g = new GridSpec(0, 0, 50, 10, 4);
        float[] d = new float[40], t = new float[40];
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 10; c++) {
                if (c == 4 || c == 5) {
                    t[r * 10 + c] = 0.5f;
                    continue;
                } // no planned demand: truth outside every part
                d[r * 10 + c] = 1;
                t[r * 10 + c] = c < 4 ? 3 : 1;
            }
        Path out = dir.resolve("p");
        Cli.Result r = Cli.run(
                "plan-edge",
                "--demand",
                tif("d.tif", g, CRS, d).toString(),
                "--truth",
                tif("t.tif", g, CRS, t).toString(),
                "--sites",
                "2",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        int[] a = GeoTiffRaster.readInt32(out.resolve("assignment.tif")).bands()[0];
        int west = a[0];
        List<String[]> s = sites(out);
        assertEquals(16, Double.parseDouble(s.get(west)[3]), 0);
        assertEquals(48, Double.parseDouble(s.get(west)[4]), 0);
        assertEquals(16, Double.parseDouble(s.get(1 - west)[4]), 0);
        assertEquals(1.0, jain(r.out(), "planned"), 1e-6);
        assertEquals(64.0 * 64 / (2 * (48 * 48 + 16 * 16)), jain(r.out(), "actual"), 1e-6); // 0.8
        assertTrue(r.out().contains("truth outside every part: 5.8824%"), r.out()); // 4 / 68
    }

    private void assertBad(String expect, String... args) {
        Path out = dir.resolve("bad");
        String[] all = new String[args.length + 3];
        all[0] = "plan-edge";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--out";
        all[args.length + 2] = out.toString();
        Cli.Result r = Cli.run(all);
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains(expect), "expected '" + expect + "' in: " + r.err());
        assertTrue(r.errLines().get(0).startsWith("geomend plan-edge: "), r.err());
        assertFalse(Files.exists(out), "output left by: " + r.err());
        assertFalse(Files.exists(dir.resolve("bad.partial")));
    }

    @Test
    void badInput() throws IOException {
        GridSpec g = new GridSpec(0, 0, 100, 4, 3);
        float[] ok = {0, 1, 2, 0, 1, 1, 1, 0, 0, 0, 3, 0};
        String good = tif("good.tif", g, CRS, ok).toString();
        assertBad("no CRS", "--demand", tif("nocrs.tif", g, null, ok).toString(), "--sites", "2");
        assertBad(
                "differs from --demand's",
                "--demand",
                good,
                "--sites",
                "2",
                "--truth",
                tif("shifted.tif", new GridSpec(100, 0, 100, 4, 3), CRS, ok).toString());
        assertBad(
                "differs from --demand's",
                "--demand",
                good,
                "--sites",
                "2",
                "--truth",
                tif("small.tif", new GridSpec(0, 0, 100, 4, 2), CRS, new float[8])
                        .toString());
        assertBad(
                "CRS",
                "--demand",
                good,
                "--sites",
                "2",
                "--truth",
                tif("othercrs.tif", g, "EPSG:32631", ok).toString());
        assertBad("--sites must be >= 1", "--demand", good, "--sites", "0");
        assertBad("--sites 7 is more than the 6 pixels with demand", "--demand", good, "--sites", "7");
        float[] neg = ok.clone();
        neg[5] = -1;
        assertBad(
                "neg.tif: band 1: value -1.0 at row 1 (from the north), column 1",
                "--demand",
                tif("neg.tif", g, CRS, neg).toString(),
                "--sites",
                "2");
        float[] nan = ok.clone();
        nan[0] = Float.NaN;
        assertBad("value NaN at row 2", "--demand", tif("nan.tif", g, CRS, nan).toString(), "--sites", "2");
        assertBad(
                "nan.tif: band 1: value NaN",
                "--demand",
                good,
                "--truth",
                dir.resolve("nan.tif").toString(),
                "--sites",
                "2");
        assertBad(
                "has no pixel with demand > 0",
                "--demand",
                tif("zero.tif", g, CRS, new float[12]).toString(),
                "--sites",
                "1");
        assertBad("--band 2: the raster has 1 band", "--demand", good, "--sites", "1", "--band", "2");
        assertBad("no such file", "--demand", dir.resolve("missing.tif").toString(), "--sites", "1");
        assertBad("--imbalance must be in (0, 1)", "--demand", good, "--sites", "1", "--imbalance", "0");
    }

    @Test
    void outputDirectoryWithOtherFilesIsRefused() throws IOException {
        Path out = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        GridSpec g = new GridSpec(0, 0, 100, 2, 1);
        Cli.Result r = Cli.run(
                "plan-edge",
                "--demand",
                tif("d.tif", g, CRS, new float[] {1, 1}).toString(),
                "--sites",
                "1",
                "--out",
                out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("notes.txt"), r.err());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
    }

    /** No METIS library: one line naming the Debian package, exit 2. */
    @Test
    void missingLibmetis() throws IOException {
        GridSpec g = new GridSpec(0, 0, 100, 2, 1);
        String demand = tif("d.tif", g, CRS, new float[] {1, 1}).toString();
        System.setProperty(
                "geomend.metis.lib", dir.resolve("no-such-libmetis.so.5").toString());
        try {
            assertBad("apt-get install libmetis5", "--demand", demand, "--sites", "1");
        } finally {
            System.clearProperty("geomend.metis.lib");
        }
    }
}
