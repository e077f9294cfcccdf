package org.geomend.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link CsvField}: what it writes, {@link CsvReader} reads back unchanged (line breaks as LF), under each delimiter. */
class CsvFieldTest {

    @Test
    void plainFieldsStayBareAndAwkwardOnesAreQuoted() {
        assertEquals("Paris", CsvField.of("Paris"));
        assertEquals("", CsvField.of(""));
        assertEquals("\"a,b\"", CsvField.of("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", CsvField.of("say \"hi\""));
        assertEquals("\" lead\"", CsvField.of(" lead"));
        assertEquals("\"x;y\"", CsvField.of("x;y"));
        assertEquals(
                "\"two\nlines\"",
                CsvField.append(new StringBuilder(), "two\nlines").toString());
    }

    @Test
    void randomFieldsRoundTripThroughTheReader() throws IOException {
        // no CR: the reader reads a line break inside a quoted field back as LF, whatever the file had
        String alphabet = "ab ,\";\t\n\u00e9";
        SplittableRandom rnd = new SplittableRandom(7);
        for (char d : new char[] {',', ';', '\t'}) {
            List<List<String>> rows = new ArrayList<>();
            StringBuilder text = new StringBuilder("h1" + d + "h2\n");
            for (int r = 0; r < 300; r++) {
                List<String> row = new ArrayList<>();
                for (int f = 0; f < 2; f++) {
                    StringBuilder s = new StringBuilder("k");
                    for (int i = rnd.nextInt(6); i > 0; i--) s.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                    row.add(s.toString());
                }
                rows.add(row);
                CsvField.append(text, row.get(0)).append(d);
                CsvField.append(text, row.get(1)).append('\n');
            }
            CsvReader reader = CsvReaderTest.of(text.toString(), d);
            reader.header();
            assertEquals(rows, CsvReaderTest.rows(reader), "delimiter " + (int) d);
        }
    }
}
