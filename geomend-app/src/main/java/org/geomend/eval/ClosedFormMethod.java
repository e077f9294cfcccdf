package org.geomend.eval;

import java.io.IOException;
import org.geomend.geolocate.Urbanisation;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;

/**
 * The closed-form methods of SPEC section 2, drawn with the backend's kernels exactly as {@code geolocate} draws
 * them: {@code voronoi}, {@code spdi} (one beta) and {@code spdi-legacy} (beta 5/4/3 from the site's class).
 * Not trained. Per chunk: one k-nearest-site raster over the union of the chunk's windows, one batch of maps.
 */
public final class ClosedFormMethod implements EvalMethod {

    public enum Kind { VORONOI, SPDI, SPDI_LEGACY }

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

    @Override public String name() { return name; }

    /** The attenuation used for a site (NaN for Voronoi). */
    double betaOf(Dataset d, int site) {
        return switch (kind) {
            case VORONOI -> Double.NaN;
            case SPDI -> beta;
            case SPDI_LEGACY -> Urbanisation.legacyBeta(d.env(site));
        };
    }

    @Override
    public void draw(Chunk chunk, MapOut out) throws IOException {
        int n = chunk.size(), w = chunk.data().window();
        try (KnnRaster knn = chunk.knn(kind == Kind.VORONOI ? 1 : k + 1);
             GridBuffer buf = GridBuffer.allocate(chunk.allocator(), GridBuffer.Type.FLOAT32, n * chunk.mapPixels())) {
            GridSpec raster = knn.grid();
            int[] site = new int[n], c0 = new int[n], r0 = new int[n];
            double[] b = new double[n];
            for (int m = 0; m < n; m++) {
                site[m] = chunk.site(m);
                c0[m] = raster.colOffsetOf(chunk.window(m));
                r0[m] = raster.rowOffsetOf(chunk.window(m));
                b[m] = kind == Kind.VORONOI ? 0 : betaOf(chunk.data(), site[m]);
            }
            MapBatch batch = new MapBatch(n, w, w, site, c0, r0, b, buf);
            if (kind == Kind.VORONOI) chunk.kernels().voronoiMaps(knn, batch);
            else chunk.kernels().spdiMaps(chunk.data().positions(), knn, k, batch);
            double[] sums = new double[n];
            chunk.kernels().normalize(batch, raster, null, sums);
            for (int m = 0; m < n; m++) {
                if (!(sums[m] > 0))
                    throw new IllegalStateException(name + " map of site " + chunk.data().id(site[m]) + " has no mass (co-located sites?)");
                out.accept(m, chunk.window(m), buf, batch.offset(m), kind == Kind.VORONOI ? Double.NaN : b[m]);
            }
        }
    }
}
