package org.geomend.eval;

import java.io.IOException;
import org.geomend.dataset.Dataset;
import org.geomend.geolocate.ClosedFormDrawer;
import org.geomend.geolocate.DrawBatch;
import org.geomend.geolocate.MapDrawer;
import org.geomend.geolocate.Method;
import org.geomend.geolocate.Urbanisation;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;

/**
 * The closed-form methods of SPEC section 2, drawn by {@code geolocate}'s {@link ClosedFormDrawer}: {@code voronoi}, {@code spdi} (one beta) and {@code spdi-legacy} (beta 5/4/3 from the site's class).
 * Not trained. Per chunk: one k-nearest-site raster over the union of the chunk's windows, one batch of maps.
 */
public final class ClosedFormMethod implements EvalMethod {

    public enum Kind {
        VORONOI,
        SPDI,
        SPDI_LEGACY
    }

    private final Kind kind;
    private final double beta;
    private final int k;
    private final String name;

    public ClosedFormMethod(String name, Kind kind, double beta, int k) {
        if (kind == Kind.SPDI && !(beta > 0)) throw new IllegalArgumentException("--beta must be > 0: " + beta);
        if (k < 1 || k > 8) throw new IllegalArgumentException("--k must be in [1, 8]: " + k);
        this.name = name;
        this.kind = kind;
        this.beta = beta;
        this.k = k;
    }

    @Override
    public String name() {
        return name;
    }

    /** The attenuation used for a site (NaN for Voronoi). */
    double betaOf(Dataset d, int site) {
        return switch (kind) {
            case VORONOI -> Double.NaN;
            case SPDI -> beta;
            case SPDI_LEGACY -> Urbanisation.legacyBeta(d.env(site));
        };
    }

    private Dataset betasFor;
    private double[] betas; // legacy sPDI: per site of betasFor

    @Override
    public void draw(Chunk chunk, MapOut out) throws IOException {
        Dataset d = chunk.data();
        if (kind == Kind.SPDI_LEGACY && betasFor != d) {
            double[] b = new double[d.size()];
            for (int i = 0; i < b.length; i++) b[i] = betaOf(d, i);
            betas = b;
            betasFor = d;
        }
        Method method = switch (kind) {
            case VORONOI -> Method.VORONOI;
            case SPDI -> Method.SPDI;
            case SPDI_LEGACY -> Method.SPDI_LEGACY;
        };
        int n = chunk.size();
        GridSpec[] windows = new GridSpec[n];
        for (int m = 0; m < n; m++) windows[m] = chunk.window(m);
        // geolocate's drawer, on one raster over the chunk's windows
        ClosedFormDrawer drawer = new ClosedFormDrawer(
                chunk.kernels(),
                chunk.allocator(),
                d.positions(),
                method,
                beta,
                k,
                kind == Kind.SPDI_LEGACY ? betas : null);
        try (MapDrawer.Tile tile = drawer.tile(chunk.unionOfWindows());
                GridBuffer buf =
                        GridBuffer.allocate(chunk.allocator(), GridBuffer.Type.FLOAT32, n * chunk.mapPixels())) {
            DrawBatch b = new DrawBatch(chunk.sites(), windows, buf, chunk.unionOfWindows(), null, null);
            double[] sums = new double[n];
            tile.draw(b, sums);
            for (int m = 0; m < n; m++) {
                if (!(sums[m] > 0))
                    throw new IllegalStateException(
                            name + " map of site " + d.id(b.site(m)) + " has no mass (co-located sites?)");
                out.accept(m, windows[m], buf, b.offset(m), kind == Kind.VORONOI ? Double.NaN : betaOf(d, b.site(m)));
            }
        }
    }
}
