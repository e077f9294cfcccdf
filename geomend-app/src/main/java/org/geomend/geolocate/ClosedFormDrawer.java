package org.geomend.geolocate;

import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.SitePositions;

/**
 * Voronoi, sPDI and legacy sPDI (SPEC section 2) with the backend's kernels. Per tile one {@link KnnRaster} over
 * the union of the tile's windows is computed once and shared by all of their maps (the neighbour sets of a pixel
 * do not depend on the map being drawn); maps are drawn and normalised (within the mask) in one kernel launch per batch.
 */
public final class ClosedFormDrawer implements MapDrawer {

    private final GeoKernels kernels;
    private final BufferAllocator allocator;
    private final SitePositions positions;
    private final Method method;
    private final double beta;
    private final int k;
    private final double[] betas;

    /**
     * @param positions all sites (every one takes part in the neighbour search)
     * @param betas     per-site beta (legacy sPDI; null otherwise: {@code beta} for every site)
     */
    public ClosedFormDrawer(
            GeoKernels kernels,
            BufferAllocator allocator,
            SitePositions positions,
            Method method,
            double beta,
            int k,
            double[] betas) {
        if (!method.closedForm())
            throw new IllegalArgumentException("method " + method.cliName + " is not a closed-form method");
        if (method == Method.SPDI_LEGACY && betas == null)
            throw new IllegalArgumentException("legacy sPDI needs per-site betas");
        this.kernels = kernels;
        this.allocator = allocator;
        this.positions = positions;
        this.method = method;
        this.beta = beta;
        this.k = k;
        this.betas = betas;
    }

    /** Neighbours per pixel of the raster: 1 for Voronoi, k + 1 for sPDI. */
    public int neighbours() {
        return method == Method.VORONOI ? 1 : k + 1;
    }

    @Override
    public boolean sharesRaster() {
        return true;
    }

    @Override
    public Tile tile(GridSpec raster) {
        int kk = neighbours();
        KnnRaster knn =
                new KnnRaster(raster, kk, GridBuffer.allocate(allocator, GridBuffer.Type.INT32, raster.pixels() * kk));
        try {
            kernels.nearestSites(positions, knn);
        } catch (RuntimeException e) {
            knn.close();
            throw e;
        }
        return new Tile() {
            @Override
            public void draw(DrawBatch b, double[] sums) {
                int n = b.size();
                int[] s = new int[n], c0 = new int[n], r0 = new int[n];
                double[] bt = new double[n];
                for (int m = 0; m < n; m++) {
                    s[m] = b.site(m);
                    c0[m] = raster.colOffsetOf(b.window(m));
                    r0[m] = raster.rowOffsetOf(b.window(m));
                    bt[m] = betas != null ? betas[s[m]] : beta;
                }
                GridSpec w = b.window(0);
                MapBatch mb = new MapBatch(n, w.width(), w.height(), s, c0, r0, bt, b.maps());
                if (method == Method.VORONOI) kernels.voronoiMaps(knn, mb);
                else kernels.spdiMaps(positions, knn, k, mb);
                kernels.normalize(mb, raster, b.rasterMask(), sums);
            }

            @Override
            public void close() {
                knn.close();
            }
        };
    }
}
