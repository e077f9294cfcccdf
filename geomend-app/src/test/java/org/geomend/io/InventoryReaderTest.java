package org.geomend.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.geomend.geo.CrsTransform;
import org.geomend.geo.Projections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryReaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static Inventory read(Path p) {
        return InventoryReader.read(p, InventoryOptions.defaults());
    }

    private static InputException fails(Path p, InventoryOptions o) {
        return assertThrows(InputException.class, () -> InventoryReader.read(p, o));
    }

    // ---- generic ------------------------------------------------------------------------------

    @Test
    void genericXyDefaultsToLambert93() throws IOException {
        Path p = write(
                "sites.csv", "id,x,y,env,operator\na,652000,6862000,urban,A\nb,653000.5,6861000,Rural,B\nc,1,2,,A\n");
        Inventory inv = read(p);
        assertEquals(InventoryReader.GENERIC, inv.format());
        assertEquals(Projections.LAMBERT_93, inv.crs());
        assertEquals(3, inv.size());
        assertEquals(
                new Site("a", 652000, 6862000, "urban", "A", 2), inv.sites().get(0));
        assertEquals(
                new Site("b", 653000.5, 6861000, "rural", "B", 3), inv.sites().get(1));
        assertNull(inv.sites().get(2).env());
        assertEquals(0, inv.skippedRows() + inv.mergedDuplicates() + inv.filteredOut());
        Inventory other = InventoryReader.read(p, InventoryOptions.defaults().withCrs("EPSG:3857"));
        assertEquals("EPSG:3857", other.crs().name());
        assertEquals(652000, other.sites().get(0).x()); // x,y are declared in --crs, not reprojected
        Inventory a = InventoryReader.read(p, InventoryOptions.defaults().withOperator("A"));
        assertEquals(2, a.size());
        assertEquals(1, a.filteredOut());
    }

    @Test
    void genericLatLonIsProjectedToLaeaOnTheCentroidOrToCrs() throws IOException {
        Path p = write("ll.csv", "lat,lon,id\n48.0,2.0,a\n48.0,3.0,b\n");
        Inventory inv = read(p);
        assertTrue(
                inv.crs().proj4().startsWith("+proj=laea +lat_0=48.00"),
                inv.crs().proj4());
        assertEquals(0, inv.crs().epsg());
        Site a = inv.sites().get(0), b = inv.sites().get(1);
        assertEquals(-a.x(), b.x(), 1e-6); // symmetric about the centre
        assertEquals(a.y(), b.y(), 1e-6);
        assertEquals(74_600, b.x() - a.x(), 300); // one degree of longitude at 48 N
        Inventory l93 = InventoryReader.read(p, InventoryOptions.defaults().withCrs("2154"));
        CrsTransform t = Projections.fromLonLat(Projections.LAMBERT_93);
        assertArrayEquals(
                t.forward(2.0, 48.0),
                new double[] {l93.sites().get(0).x(), l93.sites().get(0).y()},
                1e-6);
    }

    @Test
    void semicolonQuotesCommaDecimalsBomAndCrlf() throws IOException {
        Path p = write("fr.csv", "\uFEFF\"id\";\"x\";\"y\"\r\n\"s;1\";652000,5;6862000\r\n\r\n\"s \"\"2\"\"\";1;2\r\n");
        Inventory inv = read(p);
        assertEquals(2, inv.size());
        assertEquals("s;1", inv.sites().get(0).id());
        assertEquals(652000.5, inv.sites().get(0).x());
        assertEquals("s \"2\"", inv.sites().get(1).id());
        assertEquals(4, inv.sites().get(1).line());
    }

    @Test
    void badRowsAreNamedByFileAndLine() throws IOException {
        String head = "id,x,y,env\na,1,1,urban\n";
        assertEquals(
                dir.resolve("sites.csv") + ":3: x is not a number: 'abc'",
                fails(write("sites.csv", head + "b,abc,2,rural\n"), InventoryOptions.defaults())
                        .getMessage());
        InputException e = fails(write("s2.csv", head + "\nb,1,2\n"), InventoryOptions.defaults());
        assertEquals(4, e.line());
        assertEquals("expected 4 columns, found 3", e.reason());
        assertEquals(
                "y is not finite: 'NaN'",
                fails(write("s3.csv", head + "b,1,NaN,\n"), InventoryOptions.defaults())
                        .reason());
        assertEquals(
                "y is not a number: '1f'",
                fails(write("s4.csv", head + "b,1,1f,\n"), InventoryOptions.defaults())
                        .reason());
        assertEquals(
                "y is not a number: ''",
                fails(write("s5.csv", head + "b,1,,\n"), InventoryOptions.defaults())
                        .reason());
        assertEquals(
                "empty id",
                fails(write("s6.csv", head + " ,1,2,\n"), InventoryOptions.defaults())
                        .reason());
        assertEquals(
                "env must be urban, suburban or rural: 'city'",
                fails(write("s7.csv", head + "b,1,2,city\n"), InventoryOptions.defaults())
                        .reason());
        e = fails(write("s8.csv", head + "a,5,5,\n"), InventoryOptions.defaults());
        assertEquals("duplicate id 'a' (first on line 2)", e.reason());
        assertEquals(3, e.line());
        assertEquals(
                "lat is out of range [-90, 90]: '95'",
                fails(write("s9.csv", "id,lat,lon\na,95,2\n"), InventoryOptions.defaults())
                        .reason());
        assertEquals(
                "lon is out of range [-180, 180]: '-181'",
                fails(write("s10.csv", "id,lat,lon\na,45,2\nb,45,-181\n"), InventoryOptions.defaults())
                        .reason());
    }

    @Test
    void skipBadRowsCountsAndReports() throws IOException {
        Path p = write("sites.csv", "id,x,y\na,1,1\nb,abc,2\nc,3\nd,4,4\n,5,5\ne,6,6\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Inventory inv = InventoryReader.read(
                p, new InventoryOptions(null, null, true, new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertEquals(3, inv.skippedRows());
        assertEquals(3, inv.size());
        assertEquals(
                "a,d,e", String.join(",", inv.sites().stream().map(Site::id).toList()));
        assertEquals(
                p + ": skipped 3 bad rows; first: line 3: x is not a number: 'abc'\n",
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void emptyFileMissingColumnsAndNoSitesAreLine1() throws IOException {
        InputException e = fails(write("empty.csv", ""), InventoryOptions.defaults());
        assertEquals(1, e.line());
        assertEquals(dir.resolve("empty.csv") + ":1: empty file", e.getMessage());
        assertTrue(fails(write("noid.csv", "name,x,y\na,1,2\n"), InventoryOptions.defaults())
                .reason()
                .startsWith("no 'id' column"));
        e = fails(write("noxy.csv", "id,lat\na,1\n"), InventoryOptions.defaults());
        assertEquals(1, e.line());
        assertTrue(e.reason().startsWith("the header has neither x,y nor lat,lon"), e.reason());
        assertEquals(
                1,
                fails(write("header.csv", "id,x,y\n"), InventoryOptions.defaults())
                        .line());
        e = fails(
                write("op.csv", "id,x,y\na,1,2\n"), InventoryOptions.defaults().withOperator("X"));
        assertEquals("--operator given but the file has no operator column", e.reason());
        e = fails(
                write("none.csv", "id,x,y,operator\na,1,2,A\n"),
                InventoryOptions.defaults().withOperator("X"));
        assertEquals("no site of operator 'X' (1 rows of other operators: A)", e.reason());
        e = fails(dir.resolve("missing.csv"), InventoryOptions.defaults());
        assertEquals(0, e.line());
        assertEquals(dir.resolve("missing.csv") + ": no such file", e.getMessage());
    }

    @Test
    void duplicatePositionsAreMergedAndReported() throws IOException {
        Path p = write("dup.csv", "id,x,y,env\na,1,1,urban\nb,2,2,rural\nc,1.0,1,rural\nd,1,1,\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Inventory inv = InventoryReader.read(
                p, InventoryOptions.defaults().withReport(new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertEquals(2, inv.size());
        assertEquals(2, inv.mergedDuplicates());
        assertEquals(new Site("a", 1, 1, "urban", null, 2), inv.sites().get(0));
        assertEquals(
                p + ": merged 2 rows into an earlier site at the same position; first: line 4 into line 2\n",
                out.toString(StandardCharsets.UTF_8));
    }

    // ---- ARCEP --------------------------------------------------------------------------------

    @Test
    void arcepRowNumbersOperatorFilterAndBadRow() throws IOException {
        Path p = write(
                "arcep.csv",
                "Operateur;x;y;2G;3G;4G\n20801;652000;6862000;1;1;0\n20810;653000;6862000;1;1;1\n"
                        + "20801;654000;6862000;0;0;1\n20801;652000;6862000;0;1;1\n20815;#N/A;#N/A;0;1;0\n");
        InputException e = fails(p, InventoryOptions.defaults());
        assertEquals(p + ":6: x is not a number: '#N/A'", e.getMessage());
        Inventory orange = InventoryReader.read(p, InventoryOptions.defaults().withOperator("20801"));
        assertEquals(InventoryReader.ARCEP, orange.format());
        assertEquals(Projections.LAMBERT_93, orange.crs());
        assertEquals(2, orange.size());
        assertEquals(
                new Site("1", 652000, 6862000, null, "20801", 2), orange.sites().get(0));
        assertEquals(
                new Site("3", 654000, 6862000, null, "20801", 4), orange.sites().get(1));
        assertEquals(1, orange.mergedDuplicates());
        assertEquals(2, orange.filteredOut());
        Inventory all = InventoryReader.read(p, InventoryOptions.defaults().withSkipBadRows(true));
        assertEquals(3, all.size());
        assertEquals(1, all.skippedRows());
        assertEquals("2", all.sites().get(1).id());
    }

    @Test
    void arcepSiteIdColumnAndReprojection() throws IOException {
        Path p = write(
                "arcep-id.csv",
                "Operateur;code_site;x;y;2G;3G;4G\n20820;S1;652469.0227;6862035.2594;1;1;1\n20820;S2;700000;6600000;1;1;1\n");
        Inventory inv = read(p);
        assertEquals("S1", inv.sites().get(0).id());
        Inventory laea = InventoryReader.read(
                p, InventoryOptions.defaults().withCrs("+proj=laea +lat_0=46.5 +lon_0=2.5 +ellps=WGS84 +units=m"));
        assertEquals(0, laea.crs().epsg());
        // S1 is Paris (2.3522 E, 48.8566 N): GDAL gives (-10848.589, 262002.052) in this LAEA
        assertEquals(-10848.589, laea.sites().get(0).x(), 0.01);
        assertEquals(262002.052, laea.sites().get(0).y(), 0.01);
    }

    // ---- OpenCelliD ---------------------------------------------------------------------------

    private static final String OCID_HEADER =
            "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal\n";
    private static final String OCID_ROWS = """
            GSM,208,1,1000,11,0,2.3522,48.8566,1000,5,1,1459692342,1459692342,0
            UMTS,208,1,1000,12,0,2.3522,48.8566,1000,5,1,1459692342,1459692342,0
            LTE,208,10,7,99,0,2.4,48.9,1000,5,1,1459692342,1459692342,0
            LTE,208,1,1001,13,0,2.3,48.8,1000,5,1,1459692342,1459692342,0
            """;

    @Test
    void openCellIdWithHeaderMergesCellsBySite() throws IOException {
        Path p = write("cell_towers.csv", OCID_HEADER + OCID_ROWS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Inventory inv = InventoryReader.read(
                p, InventoryOptions.defaults().withReport(new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertEquals(InventoryReader.OPENCELLID, inv.format());
        assertEquals(3, inv.size());
        assertEquals(1, inv.mergedDuplicates());
        assertEquals("208-1-1000-11", inv.sites().get(0).id());
        assertEquals("208-1", inv.sites().get(0).operator());
        assertEquals("208-10-7-99", inv.sites().get(1).id());
        assertTrue(inv.crs().proj4().startsWith("+proj=laea"));
        assertTrue(
                out.toString(StandardCharsets.UTF_8)
                        .contains(
                                "merged 1 cell into the site of an earlier cell at the same position (4 cells -> 3 sites)"),
                out.toString(StandardCharsets.UTF_8));
        for (String op : new String[] {"208-1", "208-01", "20801"}) {
            Inventory orange = InventoryReader.read(
                    p, InventoryOptions.defaults().withOperator(op).withCrs("EPSG:2154"));
            assertEquals(2, orange.size(), op);
            assertEquals(1, orange.filteredOut());
            assertEquals(652469.0227, orange.sites().get(0).x(), 0.01);
        }
    }

    @Test
    void openCellIdWithoutHeaderAndBadRows() throws IOException {
        Path p = write("towers.csv", OCID_ROWS + "LTE,208,1,1001,14,0,2.3,95,1000,5,1,1,1,0\n");
        InputException e = fails(p, InventoryOptions.defaults());
        assertEquals(5, e.line());
        assertEquals("lat is out of range [-90, 90]: '95'", e.reason());
        Inventory inv = InventoryReader.read(p, InventoryOptions.defaults().withSkipBadRows(true));
        assertEquals(InventoryReader.OPENCELLID, inv.format());
        assertEquals(3, inv.size());
        assertEquals(1, inv.skippedRows());
        assertEquals(1, inv.sites().get(0).line());
        // the same cell key at two positions is a duplicate id
        Path d = write("dupcell.csv", OCID_ROWS + "LTE,208,1,1001,13,0,2.5,48.8,1000,5,1,1,1,0\n");
        assertEquals(
                "duplicate id '208-1-1001-13' at another position (first on line 4)",
                fails(d, InventoryOptions.defaults()).reason());
    }
}
