package org.geomend.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.geomend.nbl.MeasurementCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CsvReader}: RFC 4180 quoting, columns by name, {@code file:line} errors, exact numbers. */
class CsvReaderTest {

    @TempDir
    Path dir;

    static CsvReader of(String text, char d) {
        return new CsvReader(Path.of("t.csv"), new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), d);
    }

    static List<List<String>> rows(CsvReader r) throws IOException {
        List<List<String>> out = new java.util.ArrayList<>();
        while (r.next()) out.add(r.fields());
        return out;
    }

    @Test
    void quotedFieldWithACommaAndQuotes() throws IOException {
        CsvReader r = of("a,b,c\n\"x,y\",\"say \"\"hi\"\"\", z \n", ',');
        assertEquals(List.of("a", "b", "c"), r.header().names());
        assertTrue(r.next());
        assertEquals(List.of("x,y", "say \"hi\"", "z"), r.fields());
        assertEquals(2, r.line());
        assertFalse(r.next());
    }

    @Test
    void quotedFieldsSpanLinesAndKeepTheirBlanks() throws IOException {
        CsvReader r = of("\uFEFFid,note\r\n1,\"two\r\nlines\"\r\n\r\n2,\" pad \"\r\n3,\"\"\n4,", ',');
        CsvReader.Header h = r.header();
        assertEquals(0, h.index("ID"));
        List<List<String>> rows = rows(r);
        assertEquals(
                List.of(List.of("1", "two\nlines"), List.of("2", " pad "), List.of("3", ""), List.of("4", "")), rows);
    }

    @Test
    void rowLinesCountPhysicalLines() throws IOException {
        CsvReader r = of("h\n\"a\nb\"\n\nc\n", ',');
        r.header();
        assertTrue(r.next());
        assertEquals(2, r.line());
        assertTrue(r.next());
        assertEquals(5, r.line());
        assertEquals("c", r.get(0));
        // line breaks as BufferedReader.readLine: LF, CR LF, or a lone CR ("\r\r\n" is two of them)
        CsvReader cr = of("h\r1\r\r\n2\r\n3\n4\r", ',');
        cr.header();
        List<String> got = new java.util.ArrayList<>();
        while (cr.next()) got.add(cr.get(0) + "@" + cr.line());
        assertEquals(List.of("1@2", "2@4", "3@5", "4@6"), got);
    }

    @Test
    void splitEdgeCases() throws IOException {
        assertEquals(
                List.of(List.of("a", "", ""), List.of("a", "b", "c", "d"), List.of("x,y", "z")),
                rows(of("a,,\na,b,c,d\n\"x,y\",z\n", ',')));
        CsvReader k = of("a\n\n  \nb\n", ',').keepBlankLines();
        assertEquals(List.of(List.of("a"), List.of(""), List.of(""), List.of("b")), rows(k));
        assertNull(of("", ',').header());
        assertEquals(List.of(List.of("1", "2,5")), rows(of("1;\"2,5\"\n", ';')));
    }

    @Test
    void unterminatedQuoteNamesItsLine() throws IOException {
        CsvReader r = of("h\nok\n\"never closed\nmore\n", ',');
        r.header();
        r.next();
        InputException e = assertThrows(InputException.class, r::next);
        assertEquals("t.csv:3: unterminated quoted field", e.getMessage());
    }

    @Test
    void missingColumnIsNamed() throws IOException {
        CsvReader r = of("id,x\n", ',');
        InputException e = assertThrows(InputException.class, () -> r.header().require("y", " (need id,x,y)"));
        assertEquals("t.csv:1: missing column 'y' (need id,x,y)", e.getMessage());
    }

    @Test
    void badNumberGivesFileAndLine() throws IOException {
        Path f = dir.resolve("n.csv");
        Files.writeString(f, "x,y\n1,2\n\n3,abc\n4,1f\n5,NaN\n6,0x1p3\n");
        try (CsvReader r = CsvReader.open(f)) {
            CsvReader.Header h = r.header();
            assertTrue(r.next());
            assertEquals(2.0, r.requiredNumber(h.index("y"), "y"));
            assertTrue(r.next());
            InputException e = assertThrows(InputException.class, () -> r.number(1, "y"));
            assertEquals(f + ":4: y is not a number: 'abc'", e.getMessage());
            assertEquals(4, e.line());
            r.next();
            assertEquals(
                    f + ":5: y is not a number: '1f'",
                    assertThrows(InputException.class, () -> r.number(1, "y")).getMessage());
            r.next();
            assertEquals(
                    f + ":6: y is not finite: 'NaN'",
                    assertThrows(InputException.class, () -> r.number(1, "y")).getMessage());
            r.next();
            assertEquals(
                    f + ":7: y is not a number: '0x1p3'",
                    assertThrows(InputException.class, () -> r.number(1, "y")).getMessage());
        }
        CsvReader e = of("x\n\n", ',');
        assertEquals(
                InputException.class,
                assertThrows(InputException.class, () -> CsvReader.open(dir.resolve("none.csv")))
                        .getClass());
        e.header();
        assertFalse(e.next());
    }

    @Test
    void emptyAndCommaDecimalNumbers() throws IOException {
        CsvReader r = of("a;b\n;2,35\n", ';').decimalComma();
        r.header();
        r.next();
        assertTrue(Double.isNaN(r.number(0, "a")));
        assertEquals(
                "a is not a number: ''",
                assertThrows(InputException.class, () -> r.requiredNumber(0, "a"))
                        .reason());
        assertEquals(2.35, r.number(1, "b"));
    }

    @Test
    void numbersAreExactlyParseDouble() throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        StringBuilder sb = new StringBuilder("v\n");
        List<String> vals = new java.util.ArrayList<>(List.of(
                "-0",
                "0.1",
                "-75.7000001",
                "1e3",
                "123456789012345",
                "1234567890123456",
                "0.0000000000000000000001",
                "\"12.5\""));
        for (int i = 0; i < 2000; i++)
            vals.add(Double.toString((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(-5, 9))));
        for (String v : vals) sb.append(v).append('\n');
        CsvReader r = of(sb.toString(), ',');
        r.header();
        for (String v : vals) {
            assertTrue(r.next());
            double want = Double.parseDouble(v.replace("\"", ""));
            assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(r.number(0, "v")), v);
        }
    }

    /** The NBL measurement reader goes through CsvReader: a quoted cell id holding a comma. */
    @Test
    void measurementCsvReadsQuotedFields() throws IOException {
        Path f = dir.resolve("m.csv");
        Files.writeString(f, MeasurementCsv.HEADER + "\nr1,\"2020-01-01, 10:00\",51.5,-8.25,\"op,1\",-80,,\n");
        List<String> got = new java.util.ArrayList<>();
        MeasurementCsv.read(f, row -> got.add(row.time + "|" + row.cell + "|" + row.rsrp));
        assertEquals(List.of("2020-01-01, 10:00|op,1|-80.0"), got);
        Files.writeString(f, "record,time,lat,lon,rsrp,rssi,ta\n");
        InputException e = assertThrows(InputException.class, () -> MeasurementCsv.read(f, row -> {}));
        assertTrue(e.getMessage().startsWith(f + ":1: missing column 'cell'"), e.getMessage());
    }

    @Test
    void inventoryReaderUnquotesFields() {
        Path f = dir.resolve("s.csv");
        try {
            Files.writeString(f, "id,x,y,env\n\"a,1\",600000,6800000,\"urban\"\n");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Inventory inv = InventoryReader.read(f, InventoryOptions.defaults());
        assertEquals("a,1", inv.sites().get(0).id());
        assertEquals("urban", inv.sites().get(0).env());
    }
}
