package org.geomend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.geomend.dataset.Dataset;
import org.geomend.eval.EvalTestData;
import org.geomend.eval.EvalTestData.Result;
import org.geomend.geo.CrsTransform;
import org.geomend.geo.Projections;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;
import org.geomend.student.Safetensors;
import org.geomend.student.ShippedModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geomend geolocate --method direct} (a U-Net student) through {@link Main#execute}: the behaviours the
 * closed-form methods had and the student's own copy of the drawing loop lacked, now the one loop's: the
 * {@code --drop-mass} check, region and operator in the output metadata, the unmasked and site-pixel fallbacks,
 * and an explicit {@code --window 600} honoured (the model was trained on 40 x 40 windows).
 */
class StudentGeolocateCliTest {

    @TempDir
    static Path tmp;

    static Path model;
    static Dataset ds;

    @BeforeAll
    static void tinyModel() throws IOException {
        Path data = EvalTestData.dataset();
        ds = Dataset.load(data);
        model = tmp.resolve("direct");
        Result r = EvalTestData.run(
                "train",
                "--dataset",
                data.toString(),
                "--labels",
                "ground-truth",
                "--out",
                model.toString(),
                "--epochs",
                "1",
                "--max-sites",
                "8",
                "--depth",
                "3",
                "--filters",
                "4",
                "--factor",
                "1",
                "--kernel",
                "3",
                "--batch",
                "4",
                "--backend",
                "java",
                "--threads",
                "2",
                "--seed",
                "5");
        assertEquals(0, r.code(), r.err());
    }

    static String[] geolocate(Path modelDir, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "geolocate",
                "--sites",
                ds.sitesFile().toString(),
                "--crs",
                ds.crs(),
                "--method",
                "direct",
                "--model",
                modelDir.toString(),
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--threads",
                "2"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static String ids(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append(ds.id(ds.tested()[i]));
        return b.toString();
    }

    @Test
    void dropMassIsChecked() {
        Result r = EvalTestData.run(geolocate(model, tmp.resolve("bad.arrow"), "--sparse", "--drop-mass", "1.5"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--drop-mass must be in [0, 1): 1.5"), r.err());
        assertTrue(!Files.exists(tmp.resolve("bad.arrow")), "nothing written");
    }

    /** A lon/lat rectangle around the dataset's west city: the east city's windows have no pixel inside it. */
    static Path westRegion() throws IOException {
        CrsTransform t = Projections.fromLonLat(Projections.parse(ds.crs()));
        double[][] corners = {
            {330_000, 6_330_000}, {370_000, 6_330_000}, {370_000, 6_370_000}, {330_000, 6_370_000}, {330_000, 6_330_000}
        };
        StringBuilder ring = new StringBuilder();
        for (double[] c : corners) {
            double[] ll = t.inverse(c[0], c[1]);
            ring.append(ring.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "[%.9f,%.9f]", ll[0], ll[1]));
        }
        Path geojson = tmp.resolve("west.geojson");
        Files.writeString(
                geojson,
                "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
                        + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[" + ring + "]]}}]}");
        return geojson;
    }

    @Test
    void regionAndOperatorAreInTheMetadataAndMapsOutsideTheRegionAreKeptUnmasked() throws IOException {
        Path region = westRegion(), out = tmp.resolve("region.arrow");
        Result r = EvalTestData.run(geolocate(
                model, out, "--operator", "SYN", "--region", region.toString(), "--sparse", "--drop-mass", "0"));
        assertEquals(0, r.code(), r.err());
        int outside = 0, n;
        try (ArrowMapReader in = ArrowMapReader.open(out)) {
            String meta = in.metadata().get("geomend").replace(" ", "");
            assertTrue(meta.contains("\"operator\":\"SYN\""), meta);
            assertTrue(meta.contains("\"region\":\"" + region + "\""), meta);
            assertTrue(meta.contains("\"method\":\"direct\""), meta);
            n = in.ids().size();
            for (int row = 0; row < n; row++) {
                MapData m = in.read(row);
                double mass = 0, east = 0;
                for (int p = 0; p < m.values().length; p++) {
                    mass += m.values()[p];
                    if (m.grid().x0() + (p % m.grid().width() + 0.5) * m.grid().resolution() > 370_000)
                        east += m.values()[p];
                }
                assertEquals(1.0, mass, 1e-4, m.id());
                if (m.grid().x0() > 370_000) outside++; // kept unmasked: all its mass lies east of the region
                else assertEquals(0.0, east, 0.0, m.id()); // masked: nothing east of the region
            }
        }
        assertEquals(ds.size(), n);
        assertTrue(outside > 0 && outside < n, outside + " of " + n);
        assertTrue(r.err().contains(outside + " maps had no pixel inside the region and were kept unmasked"), r.err());
        // an operator with no site: a usage error naming it
        r = EvalTestData.run(geolocate(model, tmp.resolve("none.arrow"), "--operator", "NOPE"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("NOPE"), r.err());
    }

    /** A model whose every weight is NaN draws maps without mass: each gets all of it on the site's pixel. */
    @Test
    void mapsWithoutMassFallBackToTheSitePixel() throws IOException {
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) Files.copy(f, broken.resolve(f.getFileName()));
        }
        Safetensors.Contents c = Safetensors.read(broken.resolve("model.safetensors"));
        Map<String, Safetensors.Entry> nan = new LinkedHashMap<>();
        for (var e : c.tensors().entrySet()) {
            float[] d = new float[e.getValue().data().length];
            Arrays.fill(d, Float.NaN);
            nan.put(e.getKey(), new Safetensors.Entry(e.getValue().shape(), d));
        }
        Safetensors.write(broken.resolve("model.safetensors"), nan, c.metadata());
        Path out = tmp.resolve("nan.arrow");
        Result r = EvalTestData.run(geolocate(broken, out, "--ids", ids(3)));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("3 maps were empty"), r.err());
        try (ArrowMapReader in = ArrowMapReader.open(out)) {
            for (int row = 0; row < 3; row++) {
                MapData m = in.read(row);
                int site = ds.indexOf(m.id());
                double x = ds.positions().x()[site], y = ds.positions().y()[site];
                int col = (int) Math.floor((x - m.grid().x0()) / m.grid().resolution()),
                        rw = (int) Math.floor((y - m.grid().y0()) / m.grid().resolution());
                for (int p = 0; p < m.values().length; p++)
                    assertEquals(p == rw * m.grid().width() + col ? 1f : 0f, m.values()[p], m.id() + " pixel " + p);
            }
        }
    }

    /** Without --window / --resolution the model's grid (40 x 40); an explicit --window 600 (the SPEC default) is honoured. */
    @Test
    void explicitWindowIsHonouredEvenWhenItIsTheDefault() throws IOException {
        Path own = tmp.resolve("own.arrow"), spec = tmp.resolve("spec.arrow");
        Result r = EvalTestData.run(geolocate(model, own, "--ids", ids(1)));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using the model's grid, 40 x 40 pixels of 100 m"), r.err());
        r = EvalTestData.run(geolocate(model, spec, "--ids", ids(1), "--window", "600"));
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.err().contains("using the model's grid"), r.err());
        try (ArrowMapReader a = ArrowMapReader.open(own);
                ArrowMapReader b = ArrowMapReader.open(spec)) {
            assertEquals(40, a.read(0).grid().width());
            MapData m = b.read(0);
            assertEquals(600, m.grid().width());
            assertEquals(100, m.grid().resolution());
            assertTrue(
                    b.metadata().get("geomend").replace(" ", "").contains("\"window\":\"600\""),
                    b.metadata().toString());
        }
    }

    /** deepmend without --model: the shipped student (a notice names it), on its own 400 m grid, maps of mass 1. */
    @Test
    void deepmendWithoutModelIsTheShippedStudent() throws IOException {
        assertTrue(ShippedModel.available(), "this build carries models/" + ShippedModel.NAME);
        Path out = tmp.resolve("shipped.arrow");
        Result r = EvalTestData.run(
                "geolocate",
                "--sites",
                ds.sitesFile().toString(),
                "--crs",
                ds.crs(),
                "--method",
                "deepmend",
                "--ids",
                ids(3),
                "--out",
                out.toString(),
                "--backend",
                "java",
                "--threads",
                "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.err().contains("no --model: using the shipped DeepMEND student models/" + ShippedModel.NAME),
                r.err());
        try (ArrowMapReader in = ArrowMapReader.open(out)) {
            assertTrue(
                    in.metadata()
                            .get("geomend")
                            .replace(" ", "")
                            .contains("\"model\":\"shipped:" + ShippedModel.NAME + "\""),
                    in.metadata().toString());
            for (int row = 0; row < 3; row++) {
                MapData m = in.read(row);
                assertEquals(400, m.grid().resolution());
                assertEquals(150, m.grid().width());
                assertEquals(1, m.mass(), 1e-4, m.id());
            }
        }
        // direct has no shipped model: still a usage error
        r = EvalTestData.run(
                "geolocate",
                "--sites",
                ds.sitesFile().toString(),
                "--crs",
                ds.crs(),
                "--method",
                "direct",
                "--ids",
                ids(1),
                "--out",
                tmp.resolve("direct-none.arrow").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--method direct needs --model"), r.err());
    }
}
