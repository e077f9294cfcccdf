package org.geomend.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.cuda.CudaKernels;
import org.geomend.cuda.CudaKernelsProvider;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.Memory;
import org.geomend.kernels.Reference;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.java.JavaKernels;

/**
 * Runs every kernel on each backend that starts (java, cuda) at realistic size (600 x 600 windows of
 * 100 m in a 1200 x 1200 raster, 2000 clustered sites, a KS2 batch of 120 candidates) against the float64
 * references and writes a markdown report: device, date, per kernel ||out - ref|| / ||ref||, L1, timings.
 * Usage: {@code ConformanceReport [output.md]} (default {@code bench/results/conformance-<date>.md}).
 */
public final class ConformanceReport {

    static final int W = 600, RASTER = 1200, SITES = 2000, CANDIDATES = 120;
    static final double R = 100;

    private final StringBuilder md = new StringBuilder();

    public static void main(String[] args) throws IOException {
        Path out = args.length > 0
                ? Path.of(args[0])
                : Path.of("bench/results/conformance-" + OffsetDateTime.now().toLocalDate() + ".md");
        String text = new ConformanceReport().run();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text);
        System.out.print(text);
        System.out.println("wrote " + out);
    }

    String run() {
        md.append("# geomend kernel conformance report\n\n");
        md.append("- date: ").append(OffsetDateTime.now()).append('\n');
        md.append("- java: ")
                .append(Runtime.version())
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores\n");
        List<GeoKernels> backends = new ArrayList<>();
        backends.add(new JavaKernels(0));
        try {
            CudaKernels c = (CudaKernels) new CudaKernelsProvider().create();
            md.append("- cuda device: ").append(c.deviceName()).append('\n');
            backends.add(c);
        } catch (Exception e) {
            md.append("- cuda: unavailable (").append(e.getMessage()).append(")\n");
        }
        md.append("- sizes: raster ")
                .append(RASTER)
                .append("^2 at ")
                .append(R)
                .append(" m, maps ")
                .append(W)
                .append("^2, ")
                .append(SITES)
                .append(" clustered sites, KS2 batch ")
                .append(CANDIDATES)
                .append("\n\n");
        md.append(
                "Error columns compare with float64 references: knn with `Reference.nearest` (every pixel), maps with `Reference`'s "
                        + "formulas on the raster's pixel centres, KS2 with `JavaKernels.ks2` (O(WH) float64; itself checked against the "
                        + "brute force in the tests). `kernel ms` is GPU event time without copies (cuda only).\n\n");
        md.append(
                "| backend | kernel | rel. L2 error | max L1 / abs error | wall ms | kernel ms |\n|---|---|---|---|---|---|\n");
        try (BufferAllocator alloc = Memory.child("ConformanceReport")) {
            Random rnd = new Random(1);
            double[] x = new double[SITES], y = new double[SITES];
            double span = RASTER * R;
            for (int i = 0; i < SITES; i++) {
                int blob = i % 7;
                double cx = (0.15 + 0.7 * ((blob * 37) % 7) / 6.0) * span,
                        cy = (0.15 + 0.7 * ((blob * 53) % 7) / 6.0) * span;
                x[i] = i % 3 == 0 ? rnd.nextDouble() * span : cx + rnd.nextGaussian() * 4000;
                y[i] = i % 3 == 0 ? rnd.nextDouble() * span : cy + rnd.nextGaussian() * 4000;
            }
            SitePositions s = new SitePositions(x, y);
            GridSpec g = new GridSpec(0, 0, R, RASTER, RASTER);
            // three sites near the raster centre, their windows clamped into the raster
            int[] site = IntStream.range(0, SITES)
                    .boxed()
                    .sorted((a, b) -> Double.compare(
                            Math.hypot(x[a] - span / 2, y[a] - span / 2), Math.hypot(x[b] - span / 2, y[b] - span / 2)))
                    .limit(3)
                    .mapToInt(Integer::intValue)
                    .toArray();
            int n = site.length;
            int[] c0 = new int[n], r0 = new int[n];
            for (int m = 0; m < n; m++) {
                c0[m] = Math.clamp((long) Math.floor(x[site[m]] / R) - W / 2, 0, RASTER - W);
                r0[m] = Math.clamp((long) Math.floor(y[site[m]] / R) - W / 2, 0, RASTER - W);
            }
            double[] beta = {2.0, 3.5, 5.0};
            double[][] refSpdi = new double[n][], refVor = new double[n][];
            for (int m = 0; m < n; m++) {
                refSpdi[m] = new double[W * W];
                refVor[m] = new double[W * W];
                int mm = m;
                IntStream.range(0, W).parallel().forEach(r -> {
                    for (int c = 0; c < W; c++) {
                        double px = g.centreX(c0[mm] + c), py = g.centreY(r0[mm] + r);
                        refSpdi[mm][r * W + c] = Reference.spdiProbability(s, site[mm], px, py, beta[mm], 5);
                        refVor[mm][r * W + c] = Reference.nearest(s, px, py, 1)[0] == site[mm] ? 1 : 0;
                    }
                });
                Reference.normalise(refSpdi[m], null);
                Reference.normalise(refVor[m], null);
            }
            for (GeoKernels k : backends) {
                try (KnnRaster knn =
                                new KnnRaster(g, 6, GridBuffer.allocate(alloc, GridBuffer.Type.INT32, g.pixels() * 6));
                        GridBuffer maps = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, (long) n * W * W)) {
                    long t0 = System.nanoTime();
                    k.nearestSites(s, knn);
                    double wall = ms(t0), kms = kernelMs(k);
                    long bad = IntStream.range(0, RASTER)
                            .parallel()
                            .mapToLong(r -> {
                                long b = 0;
                                for (int c = 0; c < RASTER; c++) {
                                    int[] want = Reference.nearest(s, g.centreX(c), g.centreY(r), 6);
                                    for (int t = 0; t < 6; t++)
                                        if (knn.get(r, c, t) != want[t]) {
                                            b++;
                                            break;
                                        }
                                }
                                return b;
                            })
                            .sum();
                    row(
                            k,
                            "nearestSites kk=6 (" + RASTER + "^2)",
                            bad + " of " + g.pixels() + " pixels differ",
                            "",
                            wall,
                            kms);
                    MapBatch b = new MapBatch(n, W, W, site, c0, r0, beta, maps);
                    double[] sums = new double[n];
                    t0 = System.nanoTime();
                    k.voronoiMaps(knn, b);
                    wall = ms(t0);
                    kms = kernelMs(k);
                    k.normalize(b, g, null, sums);
                    mapRows(k, "voronoi x" + n + " + normalize", b, refVor, wall, kms);
                    t0 = System.nanoTime();
                    k.spdiMaps(s, knn, 5, b);
                    wall = ms(t0);
                    kms = kernelMs(k);
                    t0 = System.nanoTime();
                    k.normalize(b, g, null, sums);
                    double nw = ms(t0), nk = kernelMs(k);
                    mapRows(k, "spdi k=5 x" + n, b, refSpdi, wall, kms);
                    row(k, "normalize x" + n, "", "", nw, nk);
                }
                ks2Rows(k, alloc, rnd);
            }
        }
        for (GeoKernels k : backends) k.close();
        return md.toString();
    }

    private void ks2Rows(GeoKernels k, BufferAllocator alloc, Random rnd) {
        long np = (long) W * W;
        try (GridBuffer ref = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, np);
                GridBuffer cand = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, CANDIDATES * np)) {
            fillMap(ref, 0, np, rnd);
            for (int m = 0; m < CANDIDATES; m++) fillMap(cand, m * np, np, rnd);
            double[] out = new double[CANDIDATES];
            k.ks2Batch(ref, 0, cand, CANDIDATES, W, W, out); // warm-up
            long t0 = System.nanoTime();
            k.ks2Batch(ref, 0, cand, CANDIDATES, W, W, out);
            double wall = ms(t0), kms = kernelMs(k);
            double maxErr = 0, l2 = 0, l2ref = 0;
            for (int m = 0; m < CANDIDATES; m++) {
                double want = JavaKernels.ks2(ref.segment(), 0, cand.segment(), m * np, W, W);
                maxErr = Math.max(maxErr, Math.abs(out[m] - want));
                l2 += (out[m] - want) * (out[m] - want);
                l2ref += want * want;
            }
            row(
                    k,
                    "ks2Batch " + CANDIDATES + " x " + W + "^2",
                    String.format("%.2e", Math.sqrt(l2 / l2ref)),
                    String.format("max abs %.2e", maxErr),
                    wall,
                    kms);
        }
    }

    /** A smooth random bump plus noise, normalised. */
    private static void fillMap(GridBuffer b, long off, long np, Random rnd) {
        double cx = rnd.nextDouble() * W, cy = rnd.nextDouble() * W, sd = 20 + rnd.nextDouble() * 100, sum = 0;
        float[] v = new float[(int) np];
        for (int r = 0; r < W; r++)
            for (int c = 0; c < W; c++) {
                double d2 = ((c - cx) * (c - cx) + (r - cy) * (r - cy)) / (2 * sd * sd);
                v[r * W + c] = (float) (Math.exp(-d2) + 1e-4 * rnd.nextDouble());
                sum += v[r * W + c];
            }
        for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] / sum);
        b.copyFrom(v, off);
    }

    private void mapRows(GeoKernels k, String what, MapBatch b, double[][] ref, double wall, double kms) {
        double l2 = 0, l2ref = 0, maxL1 = 0;
        for (int m = 0; m < b.count(); m++) {
            float[] got = b.maps().toFloatArray(b.offset(m), W * W);
            for (int p = 0; p < got.length; p++) {
                double d = got[p] - ref[m][p];
                l2 += d * d;
                l2ref += ref[m][p] * ref[m][p];
            }
            maxL1 = Math.max(maxL1, Reference.l1(ref[m], got));
        }
        row(k, what, String.format("%.2e", Math.sqrt(l2 / l2ref)), String.format("L1 %.2e", maxL1), wall, kms);
    }

    private void row(GeoKernels k, String kernel, String rel, String l1, double wall, double kms) {
        md.append("| ")
                .append(k.name())
                .append(" | ")
                .append(kernel)
                .append(" | ")
                .append(rel)
                .append(" | ")
                .append(l1)
                .append(" | ")
                .append(String.format("%.2f", wall))
                .append(" | ")
                .append(Double.isNaN(kms) ? "" : String.format("%.3f", kms))
                .append(" |\n");
    }

    private static double kernelMs(GeoKernels k) {
        return k instanceof CudaKernels c ? c.lastKernelMillis() : Double.NaN;
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
