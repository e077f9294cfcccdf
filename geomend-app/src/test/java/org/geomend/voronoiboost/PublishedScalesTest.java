package org.geomend.voronoiboost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.geomend.io.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the published scales: groups, empty (dropped) taus, bad rows; the real file when shared/data has it. */
class PublishedScalesTest {

    @TempDir
    Path tmp;

    static final String HEAD =
            "operator,city,id,lat,lon,x,y,voronoi_cells,scale_0.25,scale_0.5,scale_0.75,scale_0.85,scale_0.95\n";

    @Test
    void readsGroupsAndDroppedTaus() throws Exception {
        Path f = tmp.resolve("p.csv");
        Files.writeString(
                f,
                HEAD
                        + "A,Lyon,0,45,4,1000,2000,10,0.8,1.1,,2.0,3.5\n"
                        + "B,Lyon,0,45,4,1000,2000,12,0.7,1.0,1.5,1.9,3.0\n"
                        + "A,Lyon,1,45,4,1500,2000,10,0.8,1.1,1.4,2.0,3.5\n");
        PublishedScales p = PublishedScales.read(f);
        assertEquals(3, p.size());
        assertEquals(2, p.groups().size(), "operator A and B in Lyon");
        assertEquals(java.util.List.of("Lyon"), p.cities());
        assertTrue(Double.isNaN(p.scales(0)[2]));
        TrainingSet t =
                p.trainingSet(new double[][] {new double[14], new double[14], new double[14]}, new int[] {0, 1});
        assertEquals(4 + 5, t.rows());
    }

    @Test
    void badRowNamesFileAndLine() throws Exception {
        Path f = tmp.resolve("bad.csv");
        Files.writeString(
                f,
                HEAD
                        + "A,Lyon,0,45,4,1000,2000,10,0.8,1.1,1.2,2.0,3.5\nA,Lyon,1,45,4,abc,2000,10,0.8,1.1,1.2,2.0,3.5\n");
        InputException e = assertThrows(InputException.class, () -> PublishedScales.read(f));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith(f + ":3: x is not a number"), e.getMessage());
    }

    /** The shared reference file (data README: 8,605 rows, 4 operators in 9 cities); our interior cells match theirs. */
    @Test
    void realFile() throws Exception {
        Path f = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && f == null; d = d.getParent()) {
            Path p = d.resolve("shared/data/reference/voronoiboost-published-scales.csv");
            if (Files.isRegularFile(p)) f = p;
        }
        assumeTrue(f != null, "shared/data/reference/voronoiboost-published-scales.csv not found");
        PublishedScales p = PublishedScales.read(f);
        assertEquals(8605, p.size());
        assertEquals(9, p.cities().size());
        assertEquals(28, p.groups().size());
    }
}
