package org.geomend.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.geolocate.ClosedFormDrawer;
import org.geomend.geolocate.Geolocator;
import org.geomend.geolocate.MapDrawer;
import org.geomend.geolocate.Method;
import org.geomend.geolocate.Urbanisation;
import org.geomend.io.Inventory;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.nn.NnBackends;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.student.ShippedModel;
import org.geomend.student.StudentDrawer;
import org.geomend.student.StudentModel;
import org.geomend.student.UNetConfig;
import org.geomend.voronoiboost.InventoryCells;
import org.geomend.voronoiboost.VoronoiBoostMaps;
import org.geomend.voronoiboost.VoronoiBoostModel;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The method options of every command that draws maps ({@code geolocate}, {@code traffic}): {@code --method} and
 * its parameters, the grid, batch and tile, the backend; {@link #factory} makes the method's {@link MapDrawer} once
 * the inventory is read.
 */
final class MethodOptions {

    @Option(names = "--method", required = true, description = "voronoi|spdi|spdi-legacy|voronoiboost|deepmend|direct")
    String method;

    @Option(names = "--beta", defaultValue = "2", description = "sPDI attenuation (default ${DEFAULT-VALUE}).")
    double beta;

    @Option(
            names = "--k",
            defaultValue = "5",
            description = "sPDI neighbours other than the BS, 1..8 (default ${DEFAULT-VALUE}).")
    int k;

    @Option(
            names = "--model",
            description =
                    "Trained model (voronoiboost, deepmend, direct; deepmend without it: the shipped student, models/"
                            + ShippedModel.NAME + ").")
    Path model;
    /** Whether {@link #model} is the shipped student (deepmend without --model). */
    private boolean shipped;
    /** Null when not given: the SPEC's 600, or a U-Net's own grid (see {@link #grid}). */
    @Option(
            names = "--window",
            description =
                    "Window side in pixels (default 600; deepmend/direct: the model's when neither --window nor --resolution is given).")
    Integer window;

    @Option(
            names = "--resolution",
            description =
                    "Pixel side in metres (default 100; deepmend/direct: the model's when neither --window nor --resolution is given).")
    Double resolution;

    @Option(
            names = "--batch",
            defaultValue = "16",
            description = "Maps drawn per kernel launch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--tile",
            defaultValue = "1000",
            description = "Tile side in pixels sharing one neighbour raster (default ${DEFAULT-VALUE}).")
    int tile;

    @Mixin
    ComputeOptions compute;

    /** The SPEC grid: 600 x 600 pixels of 100 m. */
    static final int SPEC_WINDOW = 600;

    static final double SPEC_RESOLUTION = 100;

    /** What one method needs to draw: made after the inventory is read. */
    interface DrawerFactory {
        Drawing open(Inventory inv, int[] targets, BufferAllocator alloc) throws Exception;
    }

    /**
     * A method ready to draw: its drawer, the grid it draws on, its own parameters for the metadata, how the summary
     * names it, and what else the summary says; {@code close} releases what the method opened.
     */
    record Drawing(
            MapDrawer drawer,
            int window,
            double resolution,
            Map<String, String> params,
            String how,
            java.util.function.Supplier<String> extra,
            AutoCloseable close) {
        Geolocator.Layout layout(int batch, int tile) {
            return new Geolocator.Layout(window, resolution, batch, tile);
        }
    }

    /** The parsed {@code --method}. */
    Method method() {
        return Method.parse(method);
    }

    /** The grid and work shape of {@code d}: its window and resolution, {@code --batch}, {@code --tile}. */
    Geolocator.Layout layout(Drawing d) {
        return d.layout(batch, tile);
    }

    /**
     * The drawer factory of {@code --method} ({@code command} names the command in notices); a method that needs
     * {@code --model} without one is an {@link IllegalArgumentException}.
     */
    DrawerFactory factory(String command) throws Exception {
        Method m = method();
        if (m == Method.DEEPMEND && model == null) {
            model = ShippedModel.directory();
            shipped = true;
            System.err.println("geomend " + command + ": no --model: using " + ShippedModel.DESCRIPTION);
        }
        if (!m.closedForm() && model == null)
            throw new IllegalArgumentException(
                    switch (m) {
                        case VORONOIBOOST ->
                            "--method voronoiboost needs --model FILE (see geomend voronoiboost train)";
                        default -> "--method " + m.cliName + " needs --model (a directory written by geomend train)";
                    });
        this.command = command;
        return switch (m) {
            case VORONOI, SPDI, SPDI_LEGACY -> closedForm(m);
            case VORONOIBOOST -> voronoiBoost();
            case DEEPMEND, DIRECT -> student(m);
        };
    }

    private String command = "geolocate";

    private int window() {
        return window == null ? SPEC_WINDOW : window;
    }

    private double resolution() {
        return resolution == null ? SPEC_RESOLUTION : resolution;
    }

    /** Voronoi, sPDI (--beta, --k), legacy sPDI (beta from each site's urbanisation class). */
    private DrawerFactory closedForm(Method m) {
        Geolocator.Options o = new Geolocator.Options(m, beta, k, window(), resolution(), batch, tile);
        return (inv, targets, alloc) -> {
            SitePositions pos = inv.positions();
            double[] betas = null;
            Map<String, Integer> classCount = new LinkedHashMap<>();
            if (m == Method.SPDI_LEGACY) {
                String[] cls = Urbanisation.classes(inv.sites(), pos);
                betas = new double[cls.length];
                for (int i = 0; i < cls.length; i++) betas[i] = Urbanisation.legacyBeta(cls[i]);
                for (int t : targets) classCount.merge(cls[t], 1, Integer::sum);
            }
            Map<String, String> params = new HashMap<>();
            if (m == Method.SPDI) params.put("beta", Double.toString(beta));
            if (m != Method.VORONOI) params.put("k", Integer.toString(k));
            GeoKernels kernels = compute.open();
            return new Drawing(
                    new ClosedFormDrawer(kernels, alloc, pos, m, o.beta(), o.k(), betas),
                    o.window(),
                    o.resolution(),
                    params,
                    "backend " + kernels.name(),
                    () -> classCount.isEmpty() ? "" : ", classes " + classCount,
                    kernels);
        };
    }

    /** {@code --method voronoiboost --model FILE}: the trained model's maps (see org.geomend.voronoiboost). */
    private DrawerFactory voronoiBoost() throws Exception {
        Geolocator.Layout grid = new Geolocator.Layout(window(), resolution(), batch, tile);
        VoronoiBoostModel vb = VoronoiBoostModel.load(model);
        return (inv, targets, alloc) -> {
            long t0 = System.nanoTime();
            InventoryCells cells = InventoryCells.of(inv.positions(), vb.settings());
            double featS = (System.nanoTime() - t0) / 1e9;
            Map<String, String> params = new HashMap<>();
            params.put("model", model.toString());
            params.put("origin", vb.settings().origin().cliName());
            params.put("clip_margin_m", Double.toString(vb.settings().clipMargin()));
            VoronoiBoostMaps maps = new VoronoiBoostMaps(cells, vb);
            return new Drawing(
                    maps,
                    grid.window(),
                    grid.resolution(),
                    params,
                    "Java",
                    () -> String.format(
                            Locale.ROOT,
                            ", tessellation and features %.1f s, %d with all %d taus kept",
                            featS,
                            maps.allTausKept(),
                            vb.taus().length),
                    () -> {});
        };
    }

    /**
     * {@code --method deepmend|direct --model DIR}: the U-Net student's maps. It draws on the grid it was trained on
     * unless {@code --window} or {@code --resolution} is given (then the SPEC's for the one not given).
     */
    private DrawerFactory student(Method m) {
        return (inv, targets, alloc) -> {
            GeoKernels geo = compute.open();
            NnKernels nn = null;
            StudentModel sm = null;
            try {
                nn = NnBackends.open(compute.backend, compute.threads, System.err);
                sm = StudentModel.load(model, nn, geo, alloc, Math.max(1, Math.min(batch, 4)));
            } catch (Exception | Error e) {
                if (nn != null) nn.close();
                geo.close();
                throw e;
            }
            UNetConfig cfg = sm.config();
            int w = window();
            double res = resolution();
            if (window == null && resolution == null) {
                w = cfg.window();
                res = cfg.resolution();
                if (w != SPEC_WINDOW || res != SPEC_RESOLUTION)
                    System.err.printf(
                            Locale.ROOT,
                            "geomend " + command + ": using the model's grid, %d x %d pixels of %.0f m%n",
                            w,
                            w,
                            res);
            }
            Map<String, String> params = new HashMap<>();
            params.put("model", shipped ? "shipped:" + ShippedModel.NAME : model.toString());
            StudentModel fsm = sm;
            NnKernels fnn = nn;
            return new Drawing(
                    new StudentDrawer(sm, inv.positions()), w, res, params, "U-Net on " + nn.name(), () -> "", () -> {
                        fsm.close();
                        fnn.close();
                        geo.close();
                    });
        };
    }
}
