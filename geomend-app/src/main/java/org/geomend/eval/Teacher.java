package org.geomend.eval;

import java.io.IOException;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.dataset.Dataset;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.InputException;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;

/**
 * The sPDI teacher of DeepMEND (SPEC section 2): for each chosen site of a dataset with ground truth, the KS2 of the
 * site's sPDI map at every beta of the grid against its ground truth, beta* = the argmin (ties: the smallest beta) and
 * the soft label, sPDI at beta*. The search is {@link OracleMethod#sweep} (one batched pass per site on the backend);
 * sites are taken in the order given, {@code chunkSize} at a time sharing one neighbour raster, as {@link Evaluator}
 * takes them. Memory: one chunk of ground truth, the raster and one label.
 */
public final class Teacher {

    /** Told each site's result, in the order of the sites given. */
    @FunctionalInterface
    public interface Out {
        /** {@code label}: the normalised map at beta*, {@code window.pixels()} floats at element offset 0, valid during the call. */
        void site(int site, GridSpec window, double betaStar, double ks2Star, double[] curve, GridBuffer label)
                throws IOException;
    }

    /** What a run cost: wall seconds in the searches (raster, sweeps, labels) and in total. */
    public record Timing(int sites, double searchSeconds, double totalSeconds) {
        public double msPerSite() {
            return sites == 0 ? 0 : 1e3 * searchSeconds / sites;
        }
    }

    private final Dataset data;
    private final GeoKernels kernels;
    private final int chunkSize;

    public Teacher(Dataset data, GeoKernels kernels, int chunkSize) {
        if (chunkSize < 1) throw new IllegalArgumentException("--chunk must be >= 1: " + chunkSize);
        this.data = data;
        this.kernels = kernels;
        this.chunkSize = chunkSize;
    }

    /** Runs {@code oracle}'s search on {@code sites} (dataset indices, each with a ground-truth map). */
    public Timing run(int[] sites, OracleMethod oracle, Out out, Evaluator.Progress progress) throws IOException {
        long t0 = System.nanoTime();
        for (int s : sites)
            if (data.mapRow(s) < 0)
                throw new IllegalArgumentException(
                        "site " + data.id(s) + " has no ground-truth map in " + data.mapsFile());
        Evaluator ev = new Evaluator(data, kernels, chunkSize, null, null);
        int w = data.window();
        long px = (long) w * w, search = 0, done = 0;
        try (ArrowMapReader maps = data.openMaps();
                BufferAllocator alloc = Memory.child("teacher");
                GridBuffer truth = GridBuffer.allocate(
                        alloc, GridBuffer.Type.FLOAT32, Math.min(chunkSize, Math.max(1, sites.length)) * px)) {
            for (int[] cs : ev.chunks(sites)) {
                Chunk chunk = new Chunk(data, cs, kernels, alloc, truth);
                for (int m = 0; m < cs.length; m++) {
                    GridSpec g = ev.loadTruth(maps, cs[m], truth, m * px);
                    if (!g.equals(chunk.window(m)))
                        throw new InputException(
                                data.mapsFile(),
                                0,
                                "the ground truth of site " + data.id(cs[m]) + " ("
                                        + data.sitesFile().getFileName()
                                        + ":" + data.line(cs[m]) + ") lies on " + Evaluator.describe(g)
                                        + ", not on the SPEC window of the site's position ("
                                        + Evaluator.describe(chunk.window(m)) + ")");
                }
                long c0 = System.nanoTime();
                long[] inOut = {0};
                oracle.sweep(chunk, (m, win, beta, ks2, curve, label) -> {
                    long o0 = System.nanoTime();
                    out.site(cs[m], win, beta, ks2, curve, label);
                    inOut[0] += System.nanoTime() - o0;
                });
                search += System.nanoTime() - c0 - inOut[0];
                done += cs.length;
                if (progress != null) progress.done(done, sites.length);
            }
        }
        return new Timing(sites.length, search / 1e9, (System.nanoTime() - t0) / 1e9);
    }
}
