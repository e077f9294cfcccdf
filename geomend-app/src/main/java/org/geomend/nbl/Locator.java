package org.geomend.nbl;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.geomend.io.Futures;
import org.geomend.kernels.nbl.NblOptions;
import org.geomend.kernels.nbl.NblResult;
import org.geomend.kernels.nbl.NblScoring;

/**
 * Online phase (paper V): streams records, scores them in batches with an {@link NblScoring} backend and
 * writes {@code record,lat,lon,candidates,radius_m[,error_m]}. {@code radius_m} is the uncertainty radius
 * of the estimate: the weighted RMS distance of the candidate tiles around it ({@link NblResult#spread}
 * for WA; for MLE around the MLE tile). The truth column appears when the first record carries lat/lon;
 * {@code locate} never uses lat/lon to place a record.
 */
public final class Locator {

    public static final int BATCH = 1 << 16;

    public enum Estimator {
        wa,
        mle
    }

    private final NblMap map;
    private final NblScoring scoring;
    public long records, placed;
    public double parseSeconds, scoreSeconds, writeSeconds;

    public Locator(NblMap map, NblScoring scoring) {
        this.map = map;
        this.scoring = scoring;
    }

    /** Scores with {@link NblOptions#DEFAULT}, P(l) on or off. */
    public NblResult score(RecordBatch rb, boolean useDensity, NblResult out) {
        return score(rb, NblOptions.DEFAULT.withDensity(useDensity), out);
    }

    public NblResult score(RecordBatch rb, NblOptions options, NblResult out) {
        if (out == null) out = new NblResult(rb.size());
        out.ensure(rb.size());
        scoring.score(map.arrays(), rb.b, options, out);
        return out;
    }

    /**
     * Locates every record of {@code input} into {@code output} (written to a temporary name, renamed at
     * the end). Two stages overlap: the calling thread parses batch i + 1 while a second thread scores
     * and writes batch i (two batches alternate). {@link #parseSeconds} is the parsing thread's time
     * outside waits; {@link #scoreSeconds} and {@link #writeSeconds} the second thread's.
     */
    public void locate(Path input, Estimator est, NblOptions options, Path output) throws IOException {
        RecordBatch[] rbs = {new RecordBatch(map.cellIndex(), BATCH), new RecordBatch(map.cellIndex(), BATCH)};
        NblResult res = new NblResult(BATCH);
        Set<String> seen = new HashSet<>(1 << 16);
        boolean[] header = {false}, truth = {false};
        ExecutorService stage = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nbl-locate-score-write");
            t.setDaemon(true);
            return t;
        });
        try (MeasurementCsv.AtomicFile af = new MeasurementCsv.AtomicFile(output);
                BufferedWriter w = af.writer()) {
            StringBuilder sb = new StringBuilder(256);
            // scores and writes one batch (second thread, batches in order)
            class ScoreWrite {
                void run(RecordBatch rb) throws IOException {
                    long t1 = System.nanoTime();
                    score(rb, options, res);
                    long t2 = System.nanoTime();
                    scoreSeconds += (t2 - t1) * 1e-9;
                    if (!header[0]) {
                        truth[0] = rb.size() > 0 && !Double.isNaN(rb.truthLat[0]);
                        w.write(
                                truth[0]
                                        ? "record,lat,lon,candidates,radius_m,error_m\n"
                                        : "record,lat,lon,candidates,radius_m\n");
                        header[0] = true;
                    }
                    for (int r = 0; r < rb.size(); r++) {
                        double x = est == Estimator.wa ? res.waX[r] : res.mleX[r];
                        double y = est == Estimator.wa ? res.waY[r] : res.mleY[r];
                        sb.setLength(0);
                        sb.append(rb.ids[r]).append(',');
                        double lat = Tiles.latOfMerc(y), lon = Tiles.lonOfMerc(x);
                        if (res.candidates[r] > 0) {
                            placed++;
                            appendRounded(sb, lat, 7).append(',');
                            appendRounded(sb, lon, 7);
                        } else sb.append(',');
                        sb.append(',').append(res.candidates[r]).append(',');
                        if (res.candidates[r] > 0) appendRounded(sb, Evaluation.radius(res, r, est == Estimator.wa), 1);
                        if (truth[0]) {
                            sb.append(',');
                            if (res.candidates[r] > 0 && !Double.isNaN(rb.truthLat[r]))
                                appendRounded(sb, Tiles.haversine(lat, lon, rb.truthLat[r], rb.truthLon[r]), 2);
                        }
                        sb.append('\n');
                        w.append(sb);
                    }
                    records += rb.size();
                    rb.clear();
                    writeSeconds += (System.nanoTime() - t2) * 1e-9;
                }
            }
            ScoreWrite sw = new ScoreWrite();
            @SuppressWarnings("unchecked")
            Future<?>[] pending = new Future<?>[1];
            int[] cur = {0};
            long[] t0 = {System.nanoTime()};
            class Handoff {
                void await() throws IOException {
                    if (pending[0] == null) return;
                    try {
                        Futures.await(pending[0]);
                    } finally {
                        pending[0] = null;
                    }
                }

                /** Hands the current batch to the second stage and continues on the other one. */
                void flush() throws IOException {
                    parseSeconds += (System.nanoTime() - t0[0]) * 1e-9;
                    await(); // the other batch is free again
                    RecordBatch full = rbs[cur[0]];
                    pending[0] = stage.submit(() -> {
                        sw.run(full);
                        return null;
                    });
                    cur[0] ^= 1;
                    t0[0] = System.nanoTime();
                }
            }
            Handoff h = new Handoff();
            try {
                MeasurementCsv.read(input, row -> {
                    RecordBatch rb = rbs[cur[0]];
                    String open = rb.openRecord();
                    if (open == null || !open.equals(row.record)) {
                        if (open != null) {
                            rb.endRecord();
                            if (rb.size() >= BATCH - 1) {
                                h.flush();
                                rb = rbs[cur[0]];
                            }
                        }
                        if (!seen.add(row.record))
                            throw MeasurementCsv.error(
                                    input,
                                    row,
                                    "record '" + row.record + "' appears again; rows of a record must be adjacent");
                    }
                    rb.row(row.record, row.lat, row.lon, row.cell, row.rsrp, row.rssi, row.ta);
                });
                rbs[cur[0]].endRecord();
                h.flush();
                h.await();
            } finally {
                if (pending[0] != null) {
                    try {
                        h.await();
                    } catch (IOException | RuntimeException ignored) {
                        /* the first failure is the one thrown */
                    }
                }
            }
            w.flush();
            w.close();
            af.commit();
        } finally {
            stage.shutdownNow();
        }
    }

    static double round(double v, int digits) {
        double s = Math.pow(10, digits);
        return Math.rint(v * s) / s;
    }

    private static final long[] LPOW10 = {1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    /**
     * Appends exactly what {@code sb.append(round(v, digits))} appends, without {@code Double.toString} in
     * the common range: for 1e-3 <= |round(v)| < 1e7 and digits <= 8 the shortest decimal of the rounded
     * double is the integer {@code rint(v * 10^digits)} with the decimal point put back (trailing zeros
     * dropped, at least one fraction digit), because decimals on the 10^-digits grid lie many ulps apart.
     */
    static StringBuilder appendRounded(StringBuilder sb, double v, int digits) {
        double q = round(v, digits);
        double a = Math.abs(q);
        if (!(a >= 1e-3 && a < 1e7) || digits > 8) return sb.append(q);
        long n = (long) Math.rint(v * LPOW10[digits]);
        if (n < 0) {
            sb.append('-');
            n = -n;
        }
        long p = LPOW10[digits], ip = n / p, fp = n % p;
        sb.append(ip).append('.');
        if (fp == 0) return sb.append('0');
        int d = digits;
        while (fp % 10 == 0) {
            fp /= 10;
            d--;
        }
        for (long t = LPOW10[d - 1]; t > fp && t > 1; t /= 10) sb.append('0');
        return sb.append(fp);
    }
}
