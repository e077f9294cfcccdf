package org.geomend.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;

/**
 * Compares two Arrow map files of the same maps pixel by pixel (speed work: "output identical to today's"):
 * rows whose ids, grids and every float32 pixel are equal, and for the others the number of differing pixels,
 * the largest absolute difference and the largest L1 distance of a row.
 *
 * <pre>
 * java -cp bench/target/geomend-bench.jar org.geomend.bench.MapCompare A.arrow B.arrow
 * </pre>
 * Exit code 0 when every row is identical, 1 otherwise.
 */
public final class MapCompare {

    private MapCompare() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: MapCompare A.arrow B.arrow");
            System.exit(2);
        }
        long[] rows = new long[3]; // rows, identical rows, differing pixels
        double[] worst = new double[2]; // max |a - b|, max row L1
        long[] pixels = new long[2]; // pixels compared, pixels nonzero in either
        try (ArrowMapReader a = ArrowMapReader.open(Path.of(args[0]));
                ArrowMapReader b = ArrowMapReader.open(Path.of(args[1]))) {
            if (a.rowCount() != b.rowCount()) {
                System.out.println("row counts differ: " + a.rowCount() + " vs " + b.rowCount());
                System.exit(1);
            }
            int[] row = {0};
            a.forEach(ma -> {
                MapData mb = b.read(row[0]++);
                rows[0]++;
                if (!ma.id().equals(mb.id()) || !ma.grid().equals(mb.grid())) {
                    System.out.println("row " + (row[0] - 1) + ": id/grid differ: " + ma.id() + " " + mb.id());
                    System.exit(1);
                }
                float[] x = ma.values(), y = mb.values();
                long diff = 0;
                double l1 = 0;
                for (int p = 0; p < x.length; p++) {
                    if (x[p] != 0 || y[p] != 0) pixels[1]++;
                    if (Float.floatToRawIntBits(x[p]) != Float.floatToRawIntBits(y[p])) {
                        diff++;
                        double d = Math.abs((double) x[p] - y[p]);
                        worst[0] = Math.max(worst[0], d);
                        l1 += d;
                    }
                }
                pixels[0] += x.length;
                rows[2] += diff;
                if (diff == 0) rows[1]++;
                worst[1] = Math.max(worst[1], l1);
            });
        }
        System.out.printf(
                "rows %d, identical %d; pixels %d (%d nonzero in either), differing %d; max |diff| %.3g, max row L1"
                        + " %.3g%n",
                rows[0], rows[1], pixels[0], pixels[1], rows[2], worst[0], worst[1]);
        System.exit(rows[1] == rows[0] ? 0 : 1);
    }
}
