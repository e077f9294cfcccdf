package org.geomend.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one configuration source: spellings, precedence, and the README's table of it. */
class SettingTest {

    @Test
    void spellingsAndPropertyPrecedence() {
        assertEquals("geomend.nn.winograd.tile", Setting.NN_WINOGRAD_TILE.property());
        assertEquals("GEOMEND_NN_WINOGRAD_TILE", Setting.NN_WINOGRAD_TILE.variable());
        assertNull(Setting.CUDA_EMULATOR_CHECK.property());
        String keep = System.getProperty(Setting.NN_WINOGRAD_M5.property());
        try {
            System.setProperty(Setting.NN_WINOGRAD_M5.property(), " 2 ");
            assertEquals("2", Setting.NN_WINOGRAD_M5.value());
            assertEquals(2, Setting.NN_WINOGRAD_M5.intValue(4));
            assertEquals("-Dgeomend.nn.winograd.m5=2", Setting.NN_WINOGRAD_M5.source());
            System.setProperty(Setting.NN_WINOGRAD_M5.property(), "two");
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Setting.NN_WINOGRAD_M5.intValue(4));
            assertEquals("-Dgeomend.nn.winograd.m5=two: not an integer", e.getMessage());
            System.setProperty(Setting.NN_WINOGRAD_M5.property(), "off");
            assertTrue(!Setting.NN_WINOGRAD_M5.isOn());
            System.setProperty(Setting.NN_WINOGRAD_M5.property(), "  ");
            assertEquals(
                    System.getenv("GEOMEND_NN_WINOGRAD_M5") == null
                            ? null
                            : System.getenv("GEOMEND_NN_WINOGRAD_M5").trim(),
                    Setting.NN_WINOGRAD_M5.value());
        } finally {
            if (keep == null) System.clearProperty(Setting.NN_WINOGRAD_M5.property());
            else System.setProperty(Setting.NN_WINOGRAD_M5.property(), keep);
        }
    }

    @Test
    void readmeTableListsExactlyTheSettings() throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        int from = text.indexOf("## Configuration");
        assertTrue(from >= 0, "README.md has no '## Configuration' section");
        int to = text.indexOf("\n## ", from + 3);
        List<String> rows = new ArrayList<>();
        for (String line : text.substring(from, to < 0 ? text.length() : to).split("\n"))
            if (line.startsWith("| `GEOMEND_")) rows.add(line.substring(3, line.indexOf('`', 3)));
        List<String> want = new ArrayList<>();
        for (Setting s : Setting.values()) want.add(s.variable());
        assertEquals(want, rows, "README.md's configuration table and org.geomend.kernels.Setting differ");
        for (Setting s : Setting.values()) {
            String row = text.lines()
                    .filter(l -> l.startsWith("| `" + s.variable() + "` |"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(row.contains(s.property() == null ? "| — |" : "`-D" + s.property() + "`"), row);
        }
    }
}
