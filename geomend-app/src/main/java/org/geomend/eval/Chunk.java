package org.geomend.eval;

import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.dataset.Dataset;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;

/**
 * A few test sites drawn together (consecutive rows of maps.arrow, so mostly neighbours): what a method needs to
 * draw their maps. The ground truth is held by the harness for scoring; {@link #groundTruth} exposes it to
 * oracles only (a method that reads it is not a model, and is reported as such).
 */
public final class Chunk {

    private final Dataset data;
    private final int[] sites;
    private final GeoKernels kernels;
    private final BufferAllocator allocator;
    private final GridBuffer truth;

    Chunk(Dataset data, int[] sites, GeoKernels kernels, BufferAllocator allocator, GridBuffer truth) {
        this.data = data;
        this.sites = sites;
        this.kernels = kernels;
        this.allocator = allocator;
        this.truth = truth;
    }

    public Dataset data() {
        return data;
    }

    public int size() {
        return sites.length;
    }

    /** Dataset index of the chunk's m-th site. */
    public int site(int m) {
        return sites[m];
    }

    public int[] sites() {
        return sites.clone();
    }

    public GeoKernels kernels() {
        return kernels;
    }

    /** Allocator for the method's own buffers (close them before returning from draw). */
    public BufferAllocator allocator() {
        return allocator;
    }

    /** The SPEC window of the m-th site: the grid its map must be drawn on. */
    public GridSpec window(int m) {
        return data.windowOf(sites[m]);
    }

    /** Pixels of one window. */
    public long mapPixels() {
        return (long) data.window() * data.window();
    }

    /**
     * The normalised ground truth of the m-th site: {@code mapPixels()} floats at element offset
     * {@code m * mapPixels()} of the returned buffer. For oracles only.
     */
    public GridBuffer groundTruth() {
        return truth;
    }

    /** The smallest lattice-aligned raster holding the windows of all sites of the chunk. */
    public GridSpec unionOfWindows() {
        long c0 = Long.MAX_VALUE, r0 = Long.MAX_VALUE, c1 = Long.MIN_VALUE, r1 = Long.MIN_VALUE;
        for (int m = 0; m < sites.length; m++) {
            GridSpec w = window(m);
            c0 = Math.min(c0, w.latticeCol());
            r0 = Math.min(r0, w.latticeRow());
            c1 = Math.max(c1, w.latticeCol() + w.width());
            r1 = Math.max(r1, w.latticeRow() + w.height());
        }
        double r = data.resolution();
        return new GridSpec(c0 * r, r0 * r, r, Math.toIntExact(c1 - c0), Math.toIntExact(r1 - r0));
    }

    /** A new k-nearest-site raster ({@code kk} neighbours, all sites of the dataset) over the chunk's windows; caller closes. */
    public KnnRaster knn(int kk) {
        GridSpec g = unionOfWindows();
        KnnRaster k = new KnnRaster(g, kk, GridBuffer.allocate(allocator, GridBuffer.Type.INT32, g.pixels() * kk));
        try {
            kernels.nearestSites(data.positions(), k);
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
        return k;
    }

    @Override
    public String toString() {
        return "Chunk" + Arrays.toString(sites);
    }
}
