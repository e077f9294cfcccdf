package org.geomend.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import org.geomend.geo.Projections;
import org.junit.jupiter.api.Test;

/** The real ARCEP inventory of January 2018 (shared/data; skipped when absent). */
class ArcepRealFileTest {

    static final String FILE = "sites/arcep-2018-01-sites-france-l93.csv";

    /** Rows per operator (data README), and positions shared by two rows of the same operator. */
    static final Map<String, int[]> ROWS_AND_MERGED = Map.of(
            "20801",
            new int[] {24_612, 275},
            "20810",
            new int[] {21_449, 4},
            "20815",
            new int[] {12_271, 2},
            "20820",
            new int[] {18_816, 188});

    @Test
    void readsEachOperator() {
        Path p = TestData.require(FILE);
        for (var e : ROWS_AND_MERGED.entrySet()) {
            // the one bad row (line 77149, "#N/A") is of 20815: skip it there, it is not even checked elsewhere
            boolean free = e.getKey().equals("20815");
            Inventory inv = InventoryReader.read(p, new InventoryOptions(null, e.getKey(), free, null));
            int rows = e.getValue()[0], merged = e.getValue()[1];
            assertEquals(InventoryReader.ARCEP, inv.format());
            assertEquals(Projections.LAMBERT_93, inv.crs());
            assertEquals(free ? 1 : 0, inv.skippedRows(), e.getKey());
            assertEquals(merged, inv.mergedDuplicates(), e.getKey());
            assertEquals(rows - merged - inv.skippedRows(), inv.size(), e.getKey());
            assertEquals(77_148 - rows, inv.filteredOut(), e.getKey());
            assertTrue(inv.sites().stream().allMatch(s -> s.operator().equals(e.getKey())));
        }
    }

    @Test
    void readsWholeFileFastAndNamesTheBadRow() {
        Path p = TestData.require(FILE);
        InputException bad =
                assertThrows(InputException.class, () -> InventoryReader.read(p, InventoryOptions.defaults()));
        assertEquals(p + ":77149: x is not a number: '#N/A'", bad.getMessage());
        long best = Long.MAX_VALUE;
        Inventory inv = null;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            inv = InventoryReader.read(p, InventoryOptions.defaults().withSkipBadRows(true));
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf("ARCEP whole file: %d sites in %.0f ms (best of 3)%n", inv.size(), best / 1e6);
        assertEquals(1, inv.skippedRows());
        assertEquals(70_818, inv.size()); // distinct positions over all operators
        assertEquals(77_147 - 70_818, inv.mergedDuplicates());
        assertEquals("1", inv.sites().get(0).id());
        assertEquals(
                new Site("1", 102980, 6847973, null, "20801", 2), inv.sites().get(0));
    }
}
