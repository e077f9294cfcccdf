package org.geomend.traffic;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.geomend.io.CsvReader;
import org.geomend.io.GeoTiffRaster;
import org.geomend.io.InputException;
import org.geomend.kernels.GridSpec;

/**
 * DeepMEND eq. 9 (from Khodabandelou et al., IEEE TMC 2018): the dynamic population density p_l(t) = exp(k1
 * lambda(t) + k2) d_l(t)^(k3 lambda(t) + k4), where d_l(t) is the traffic demand at l and t and lambda(t) the mean
 * number of network events per subscriber at t. d_l is taken per km^2 (the raster's value divided by the pixel
 * area in km^2) and p_l comes out per km^2: the regression of the original paper relates densities per unit area
 * (people per km^2 to the subscriber-activity density), so per-area values keep the constants independent of the
 * raster's resolution. Pixels with d = 0 give 0.
 *
 * <p>Streams: the traffic GeoTIFF is read one row of strips or tiles at a time, band by band, and the population
 * GeoTIFF written in strips of the same height, so memory is two such rows of one band.
 */
public final class Population {

    /** The four constants of eq. 9. */
    public record Constants(double k1, double k2, double k3, double k4) {
        public Constants {
            for (double k : new double[] {k1, k2, k3, k4})
                if (!Double.isFinite(k)) throw new IllegalArgumentException("--k1..--k4 must be finite numbers");
        }
    }

    private Population() {}

    /** p from d (per km^2) and lambda; d = 0 gives 0. */
    public static double density(double d, double lambda, Constants k) {
        if (d == 0) return 0;
        return Math.exp(k.k1() * lambda + k.k2()) * Math.pow(d, k.k3() * lambda + k.k4());
    }

    /** Reads {@code time,lambda} rows: time to lambda, in file order (duplicates, non-numbers, NaN: errors naming the line). */
    public static Map<String, Double> readLambda(Path file) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        try (CsvReader r = CsvReader.open(file)) {
            CsvReader.Header h = r.header();
            if (h == null) throw new InputException(file, 0, "empty file (expected a header time,lambda)");
            int t = h.require("time", " (header: time,lambda)"), l = h.require("lambda", " (header: time,lambda)");
            while (r.next()) {
                if (r.size() <= Math.max(t, l)) throw r.error("expected " + h.width() + " fields, got " + r.size());
                String time = r.get(t).strip();
                if (time.isEmpty()) throw r.error("empty time");
                double v = r.requiredNumber(l, "lambda");
                if (out.put(time, v) != null) throw r.error("second row for time '" + time + "'");
            }
        }
        if (out.isEmpty()) throw new InputException(file, 0, "no lambda rows");
        return out;
    }

    /** What a run did. */
    public record Result(GridSpec grid, String[] times, double total, long bytes) {}

    /** Writes the population GeoTIFF of {@code traffic} to {@code out} (tmp + rename). */
    public static Result run(
            Path traffic,
            Path lambdaFile,
            Constants k,
            Path out,
            boolean deflate,
            Map<String, String> metadata,
            ProgressSink progress)
            throws IOException {
        Map<String, Double> lambda = readLambda(lambdaFile);
        try (GeoTiffRaster.Reader in = GeoTiffRaster.open(traffic)) {
            String[] times = in.bandDescriptions();
            Map<String, Integer> band = new HashMap<>();
            for (int b = 0; b < times.length; b++) {
                if (times[b].isEmpty())
                    throw new InputException(
                            traffic,
                            0,
                            "band " + (b + 1) + " has no time (description); write it with geomend traffic");
                if (band.put(times[b], b) != null)
                    throw new InputException(traffic, 0, "two bands for time '" + times[b] + "'");
            }
            for (String t : times)
                if (!lambda.containsKey(t))
                    throw new InputException(
                            lambdaFile,
                            0,
                            "no lambda for time '" + t + "' of " + traffic + " (its bands: " + String.join(",", times)
                                    + ")");
            for (String t : lambda.keySet())
                if (!band.containsKey(t))
                    throw new InputException(
                            lambdaFile,
                            0,
                            "time '" + t + "' is not a band of " + traffic + " (its bands: " + String.join(",", times)
                                    + ")");
            GridSpec g = in.grid();
            double areaKm2 = g.resolution() * g.resolution() / 1e6;
            int rows = Math.max(1, Math.min(g.height(), in.chunkRows()));
            Map<String, String> meta = new LinkedHashMap<>(metadata);
            meta.put("traffic", traffic.toString());
            meta.put("lambda", lambdaFile.toString());
            meta.put("k1", Double.toString(k.k1()));
            meta.put("k2", Double.toString(k.k2()));
            meta.put("k3", Double.toString(k.k3()));
            meta.put("k4", Double.toString(k.k4()));
            meta.put("unit", "people per km^2 (d_l taken as traffic per km^2)");
            double total = 0;
            try (GeoTiffRaster.Writer w = GeoTiffRaster.writer(
                    out,
                    g,
                    in.crs(),
                    times,
                    times.length,
                    GeoTiffRaster.SampleType.FLOAT32,
                    null,
                    meta,
                    new GeoTiffRaster.Options(deflate, rows, null))) {
                float[] buf = new float[rows * g.width()];
                long done = 0, all = (long) w.strips() * times.length;
                for (int s = 0; s < w.strips(); s++)
                    for (int b = 0; b < times.length; b++) {
                        int n = w.rowsInStrip(s);
                        in.readRows(b, s * rows, n, buf, 0);
                        double lam = lambda.get(times[b]);
                        for (int i = 0; i < n * g.width(); i++) {
                            float d = buf[i];
                            if (!(d >= 0))
                                throw new InputException(
                                        traffic,
                                        0,
                                        "band " + (b + 1) + " row " + (s * rows + i / g.width()) + " col "
                                                + (i % g.width()) + ": traffic " + d + " is negative or NaN");
                            double p = density(d / areaKm2, lam, k);
                            buf[i] = (float) p;
                            total += p * areaKm2;
                        }
                        w.writeStrip(b, s, buf, 0);
                        if (progress != null) progress.done(++done, all);
                    }
                w.commit();
                return new Result(g, times, total, w.bytesWritten());
            }
        }
    }

    /** Progress over (strip, band) pairs. */
    public interface ProgressSink {
        void done(long done, long total);
    }
}
