package org.geomend.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.geomend.edge.EdgePlanner;
import org.geomend.edge.Metis;
import org.geomend.io.GeoTiffRaster;
import org.geomend.io.InputException;
import org.geomend.kernels.GridSpec;
import org.geomend.report.Plots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code geomend plan-edge --demand DEMAND.tif --sites K [--imbalance 0.03] [--truth TRUE.tif] [--seed S]
 * [--band B] --out DIR}: DeepMEND eq. 4-8 ({@link EdgePlanner}). {@code DIR} is written as {@code DIR.partial} and
 * renamed when all three files are complete; an existing {@code DIR} is replaced (moved to {@code DIR.old}, the new
 * one renamed into place, the old one deleted) only when it is empty or holds nothing but a previous plan-edge output.
 */
@Command(
        name = "plan-edge",
        mixinStandardHelpOptions = true,
        description =
                "Plan K vRAN edge sites on a demand raster (DeepMEND eq. 4-8): a contiguous k-way partition of the "
                        + "pixels with demand minimising the 4-neighbour edge cut with loads balanced within --imbalance (METIS 5, "
                        + "Debian's libmetis5), each edge site at its part's demand barycentre; prints Jain's fairness index of the "
                        + "planned loads and, with --truth, of the actual ones.")
final class PlanEdgeCommand implements Callable<Integer> {

    static final String ASSIGNMENT = "assignment.tif", SITES = "edge_sites.csv", PNG = "partition.png";
    /** What a previous output may hold (GDAL's statistics side file of the raster included: stale, removed with it). */
    private static final Set<String> OUTPUTS = Set.of(ASSIGNMENT, SITES, PNG, ASSIGNMENT + ".aux.xml");

    @Option(
            names = "--demand",
            required = true,
            paramLabel = "DEMAND.tif",
            description =
                    "demand raster (GeoTIFF with a CRS, e.g. geomend traffic's output): radio units are its pixels with value > 0")
    Path demand;

    @Option(
            names = "--sites",
            required = true,
            paramLabel = "K",
            description = "number of edge sites (parts), 1 .. pixels with demand")
    int sites;

    @Option(
            names = "--imbalance",
            defaultValue = "0.03",
            paramLabel = "EPS",
            description =
                    "largest load imbalance epsilon of eq. 5: every load <= (1 + EPS) x the mean (METIS ufactor round(1000 EPS)); default ${DEFAULT-VALUE}")
    double imbalance;

    @Option(
            names = "--truth",
            paramLabel = "TRUE.tif",
            description =
                    "ground-truth demand on the same grid and CRS: the actual load of each site is its sum over the site's pixels")
    Path truth;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "METIS' random seed (METIS_OPTION_SEED); default ${DEFAULT-VALUE}")
    int seed;

    @Option(
            names = "--band",
            defaultValue = "1",
            paramLabel = "B",
            description =
                    "band of --demand and --truth to use (1-based, e.g. the hour of a traffic raster); default ${DEFAULT-VALUE}")
    int band;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "output directory: " + ASSIGNMENT + ", " + SITES + ", " + PNG)
    Path out;

    @Override
    public Integer call() throws IOException {
        if (sites < 1) throw new IllegalArgumentException("--sites must be >= 1, not " + sites);
        if (!(imbalance > 0 && imbalance < 1))
            throw new IllegalArgumentException("--imbalance must be in (0, 1), not " + imbalance);
        if (band < 1) throw new IllegalArgumentException("--band must be >= 1, not " + band);
        checkOut();
        Metis metis = Metis.load();
        PrintStream err = System.err;

        GeoTiffRaster.Raster d = GeoTiffRaster.read(demand);
        if (d.crs() == null || d.crs().isBlank())
            throw new InputException(
                    demand,
                    0,
                    "the raster has no CRS (no GeoTIFF projection keys): plan-edge places edge sites in the raster's CRS");
        float[] dem = band(demand, d);
        int n = checkValues(demand, dem, d.grid(), noData(demand));
        if (n == 0) throw new InputException(demand, 0, "band " + band + " has no pixel with demand > 0");
        if (sites > n)
            throw new InputException(demand, 0, "--sites " + sites + " is more than the " + n + " pixels with demand");
        float[] tru = null;
        if (truth != null) {
            GeoTiffRaster.Raster t = GeoTiffRaster.read(truth);
            if (!sameGrid(d.grid(), t.grid()))
                throw new InputException(
                        truth, 0, "grid " + describe(t.grid()) + " differs from --demand's " + describe(d.grid()));
            if (t.crs() == null || !t.crs().equals(d.crs()))
                throw new InputException(truth, 0, "CRS " + t.crs() + " differs from --demand's " + d.crs());
            tru = band(truth, t);
            checkValues(truth, tru, t.grid(), noData(truth));
        }

        GridSpec g = d.grid();
        err.printf(
                Locale.ROOT,
                "plan-edge: %d radio units (pixels with demand) of %d x %d; %d edge sites, epsilon %.4g (METIS ufactor %d), seed %d (%s)%n",
                n,
                g.width(),
                g.height(),
                sites,
                imbalance,
                EdgePlanner.ufactor(imbalance),
                seed,
                metis.library());
        EdgePlanner.Plan plan;
        try {
            plan = EdgePlanner.plan(metis, g, dem, sites, imbalance, seed);
        } catch (IllegalArgumentException e) {
            throw new InputException(demand, 0, e.getMessage(), e);
        }
        double[] actual = tru == null ? null : EdgePlanner.loads(plan.assignment(), tru, sites);
        double truthTotal = 0;
        if (actual != null) for (double a : actual) truthTotal += a;

        write(plan, d.crs(), actual);

        err.printf(
                Locale.ROOT,
                "plan-edge: %d edges, %d component%s (%d zero-weight link%s), edge cut %d, partitioned in %.2f s%n",
                plan.edges(),
                plan.components(),
                plan.components() == 1 ? "" : "s",
                plan.components() - 1,
                plan.components() == 2 ? "" : "s",
                plan.edgeCut(),
                plan.seconds());
        err.printf(
                Locale.ROOT,
                "plan-edge: planned loads: max %.4f%% over the mean, min %.4f%% under it (integer weights: %.4f%% over)%n",
                100 * plan.maxOver(),
                100 * plan.maxUnder(),
                100 * plan.maxOverWeights());
        if (plan.maxOver() > imbalance + 5e-5)
            err.printf(
                    Locale.ROOT,
                    "plan-edge: warning: METIS did not meet --imbalance %.4g: the heaviest part is %.4f%% over the mean%n",
                    imbalance,
                    100 * plan.maxOver());
        if (plan.nonContiguous() > 0)
            err.printf("plan-edge: warning: %d parts are not contiguous%n", plan.nonContiguous());
        if (plan.refilledParts() > 0)
            err.printf(
                    "plan-edge: METIS left %d parts empty: each got one pixel of the then heaviest part%n",
                    plan.refilledParts());
        if (plan.emptyParts() > 0)
            err.printf("plan-edge: warning: METIS left %d parts empty (no site position, load 0)%n", plan.emptyParts());
        if (plan.partsAcrossGaps() > 0)
            err.printf(
                    "plan-edge: %d parts join separate demand regions through a link (see README)%n",
                    plan.partsAcrossGaps());
        System.out.printf(Locale.ROOT, "Jain's fairness index: planned %.6f", plan.jain());
        if (actual != null) {
            double[] a = java.util.Arrays.copyOf(actual, sites);
            System.out.printf(
                    Locale.ROOT,
                    ", actual %.6f (truth outside every part: %.4f%% of its total)",
                    EdgePlanner.jain(a),
                    truthTotal > 0 ? 100 * actual[sites] / truthTotal : 0.0);
        }
        System.out.println();
        err.printf("plan-edge: wrote %s%n", out);
        return 0;
    }

    private float[] band(Path file, GeoTiffRaster.Raster r) {
        if (band > r.bands().length)
            throw new InputException(
                    file,
                    0,
                    "--band " + band + ": the raster has " + r.bands().length + " band"
                            + (r.bands().length == 1 ? "" : "s"));
        return r.bands()[band - 1];
    }

    /** The file's GDAL_NODATA value, or NaN when it has none (or NaN itself). */
    private static float noData(Path file) throws IOException {
        try (GeoTiffRaster.Reader r = GeoTiffRaster.open(file)) {
            if (r.noData() == null) return Float.NaN;
            try {
                return Float.parseFloat(r.noData().trim());
            } catch (NumberFormatException e) {
                throw new InputException(file, 0, "GDAL_NODATA is not a number: '" + r.noData() + "'");
            }
        }
    }

    /**
     * The pixels with value > 0; pixels holding the file's no-data value become 0 (no demand); other negative, NaN
     * or infinite values are an error naming the pixel.
     */
    private int checkValues(Path file, float[] v, GridSpec g, float noData) {
        int n = 0;
        for (int p = 0; p < v.length; p++) {
            float x = v[p];
            if (!Float.isNaN(noData) && x == noData) {
                v[p] = 0;
                continue;
            }
            if (!(x >= 0) || Float.isInfinite(x))
                throw new InputException(
                        file,
                        0,
                        "band " + band + ": value " + x + " at row " + (g.height() - 1 - p / g.width())
                                + " (from the north), column " + p % g.width() + ": demand must be finite and >= 0");
            if (x > 0) n++;
        }
        return n;
    }

    static boolean sameGrid(GridSpec a, GridSpec b) {
        double tol = 1e-6 * a.resolution();
        return a.width() == b.width()
                && a.height() == b.height()
                && Math.abs(a.resolution() - b.resolution()) <= tol
                && Math.abs(a.x0() - b.x0()) <= tol
                && Math.abs(a.y0() - b.y0()) <= tol;
    }

    private static String describe(GridSpec g) {
        return String.format(
                Locale.ROOT,
                "%d x %d of %s m at (%s, %s)",
                g.width(),
                g.height(),
                num(g.resolution()),
                num(g.x0()),
                num(g.y0()));
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** {@code --out}: absent, an empty directory, or a previous plan-edge output (replaced once the new one is complete). */
    private void checkOut() throws IOException {
        if (!Files.exists(out)) return;
        if (!Files.isDirectory(out))
            throw new IllegalArgumentException("--out " + out + " exists and is not a directory");
        try (Stream<Path> s = Files.list(out)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            if (!OUTPUTS.containsAll(names))
                throw new IllegalArgumentException("--out " + out + " holds files that are not a plan-edge output ("
                        + names.stream()
                                .filter(x -> !OUTPUTS.contains(x))
                                .sorted()
                                .findFirst()
                                .orElse("") + "): choose another directory");
        }
    }

    private void write(EdgePlanner.Plan plan, String crs, double[] actual) throws IOException {
        Path abs = out.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".partial");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        try {
            GridSpec g = plan.grid();
            GeoTiffRaster.writeInt32(tmp.resolve(ASSIGNMENT), g, crs, plan.assignment(), -1);
            StringBuilder csv = new StringBuilder("es,x,y,load,actual_load\n");
            for (int q = 0; q < plan.k(); q++) {
                csv.append(q)
                        .append(',')
                        .append(coord(plan.siteX()[q]))
                        .append(',')
                        .append(coord(plan.siteY()[q]))
                        .append(',')
                        .append(plan.load()[q])
                        .append(',');
                if (actual != null) csv.append(actual[q]);
                csv.append('\n');
            }
            Files.writeString(tmp.resolve(SITES), csv, StandardCharsets.UTF_8);
            Plots.partition(
                    tmp.resolve(PNG),
                    g,
                    plan.assignment(),
                    plan.k(),
                    plan.siteX(),
                    plan.siteY(),
                    "geomend plan-edge: " + plan.k() + " edge sites on " + demand.getFileName(),
                    String.format(
                            Locale.ROOT,
                            "epsilon %.3g, edge cut %d, Jain planned %.4f%s",
                            plan.epsilon(),
                            plan.edgeCut(),
                            plan.jain(),
                            actual == null
                                    ? ""
                                    : String.format(
                                            Locale.ROOT,
                                            ", actual %.4f",
                                            EdgePlanner.jain(java.util.Arrays.copyOf(actual, plan.k())))),
                    900);
            if (Files.exists(abs)) {
                Path old = abs.resolveSibling(abs.getFileName() + ".old");
                deleteTree(old);
                Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private static String coord(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
