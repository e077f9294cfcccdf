package org.geomend.traffic;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The one implementation of spreading a site's KPI values over its map, {@code acc[t](l) += value(t) P(l) / sum P}
 * in float64, shared by the streamed {@link TrafficSweep} ({@code geomend traffic}) and the in-memory {@link
 * DemandRaster} ({@code geomend eval --use-cases}).
 */
public final class Spread {

    private Spread() {}

    /** The float64 sum of a map's {@code n} float32 values from {@code offset}: its mass (NaN or &lt;= 0: no map). */
    public static double mass(MemorySegment values, long offset, long n) {
        double sum = 0;
        for (long i = 0; i < n; i++) sum += values.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, offset + i);
        return sum;
    }

    /** True when a map of this mass can be spread (finite and &gt; 0). */
    public static boolean spreadable(double mass) {
        return mass > 0 && Double.isFinite(mass);
    }

    /** The per-time weights {@code value(t) / mass}. */
    public static double[] weights(double[] value, double mass) {
        double[] wt = new double[value.length];
        for (int t = 0; t < value.length; t++) wt[t] = value[t] / mass;
        return wt;
    }

    /**
     * Adds {@code wt[t]} times columns {@code [c0, c1)} of every row of a {@code width x height} map (row 0 south,
     * row-major from {@code offset}) into {@code acc[t]} (row-major, {@code stride} values a row): map row r goes to
     * accumulator row {@code row0 + step r} ({@code step} +1 when the accumulator's rows run south to north, -1 when
     * north to south), map column {@code c0} to accumulator column {@code col}.
     *
     * @param row scratch of at least {@code c1 - c0} floats
     */
    public static void add(
            MemorySegment values,
            long offset,
            int width,
            int height,
            int c0,
            int c1,
            double[] wt,
            double[][] acc,
            int stride,
            int row0,
            int step,
            int col,
            float[] row) {
        int len = c1 - c0, h = height;
        // the columns' part of the map, rows trimmed to their first and last non-zero pixel (Voronoi cells are small)
        float[] part = new float[h * len];
        int[] lo = new int[h], hi = new int[h], base = new int[h];
        for (int r = 0; r < h; r++) {
            MemorySegment.copy(
                    values, ValueLayout.JAVA_FLOAT_UNALIGNED, 4 * (offset + (long) r * width + c0), part, r * len, len);
            int a = 0, b = len;
            while (a < b && part[r * len + a] == 0) a++;
            while (b > a && part[r * len + b - 1] == 0) b--;
            lo[r] = a;
            hi[r] = b;
            base[r] = (row0 + step * r) * stride + col;
        }
        // time steps in parallel: each adds into its own band
        java.util.stream.IntStream.range(0, wt.length).parallel().forEach(t -> {
            double x = wt[t];
            if (x == 0) return;
            double[] at = acc[t];
            for (int r = 0; r < h; r++) {
                int o = base[r], q = r * len;
                for (int c = lo[r]; c < hi[r]; c++) at[o + c] += x * part[q + c];
            }
        });
    }
}
