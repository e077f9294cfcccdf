package org.geomend.eval;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.dataset.Dataset;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.InputException;
import org.geomend.io.MapData;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;

/**
 * Runs methods against the ground truth and records, per split, method and tested site, the KS2 of the method's
 * map against the ground truth (SPEC section 3), the method's per-site parameter and its drawing time.
 *
 * <p>Streaming: test sites are taken in maps.arrow row order, {@code chunkSize} at a time; a chunk's ground truth
 * is read into one buffer, every method draws the chunk and each map is scored as it is handed over, then the
 * chunk is dropped. Memory is bounded by one chunk of ground truth, the methods' own chunk buffers and the
 * sample maps kept for the figures, whatever the dataset's size.
 *
 * <p>Methods that are not trained are drawn once per tested site and their results copied into every split; a
 * trained method is fitted on each fold's training sites and drawn on its test sites.
 *
 * <p>Timing: the wall time of a method's {@code draw} on a chunk (its k-nearest-site raster included, the
 * harness's scoring excluded) is shared equally by the chunk's sites.
 */
public final class Evaluator {

    /** Told after each chunk. */
    @FunctionalInterface
    public interface Progress {
        void done(long sites, long total);
    }

    /**
     * Sees every map of some folds of one split (the use cases of {@code eval --use-cases}, on {@code loo-city}):
     * {@link #foldStart}, then the ground truth of each of the fold's test sites once and every method's map of each
     * (methods by their position in the method list), then {@link #foldEnd}. Folds are handed over one at a time.
     */
    public interface FoldListener {
        void foldStart(Split.Fold fold) throws IOException;

        void truth(int site, GridSpec grid, GridBuffer map, long offset) throws IOException;

        void map(int method, int site, GridSpec grid, GridBuffer map, long offset) throws IOException;

        void foldEnd(Split.Fold fold) throws IOException;
    }

    /** Everything a run measured. Arrays are indexed [split][method][tested position]. */
    public record Results(
            Dataset data,
            List<String> methods,
            List<Split> splits,
            List<List<Split.Fold>> folds,
            int[] tested,
            int[][] foldOf,
            double[][][] ks2,
            double[][][] param,
            double[][][] nanos,
            double[] fitSeconds,
            double seconds) {

        /** Position of a dataset site in {@link #tested()}, or -1. */
        public int position(int site) {
            for (int p = 0; p < tested.length; p++) if (tested[p] == site) return p;
            return -1;
        }
    }

    private final Dataset data;
    private final GeoKernels kernels;
    private final int chunkSize;
    private final SampleMaps samples;
    private final Progress progress;

    /**
     * @param samples where copies of the maps of a few sites go for the figures (null: none)
     */
    public Evaluator(Dataset data, GeoKernels kernels, int chunkSize, SampleMaps samples, Progress progress) {
        if (chunkSize < 1) throw new IllegalArgumentException("--chunk must be >= 1: " + chunkSize);
        this.data = data;
        this.kernels = kernels;
        this.chunkSize = chunkSize;
        this.samples = samples;
        this.progress = progress;
    }

    private FoldListener listener;
    private Split listenSplit;
    private java.util.Set<String> listenFolds;

    /**
     * Hands the maps of {@code split}'s folds to {@code listener}, fold by fold: every method (trained or not) is
     * drawn on a fold's test sites before the next fold starts. With {@code folds} (fold names, null: all), only
     * those folds are handed over and the split's other folds are not run for trained methods (their KS2 under that
     * split stays NaN: not measured); methods that are not trained are still scored on every tested site.
     */
    public Evaluator listen(Split split, java.util.Set<String> folds, FoldListener listener) {
        this.listenSplit = split;
        this.listenFolds = folds;
        this.listener = listener;
        return this;
    }

    public Results run(List<EvalMethod> methods, List<Split> splits, long seed) throws IOException {
        long t0 = System.nanoTime();
        int[] tested = data.tested();
        int[] pos = new int[data.size()];
        Arrays.fill(pos, -1);
        for (int p = 0; p < tested.length; p++) pos[tested[p]] = p;
        int S = splits.size(), M = methods.size(), T = tested.length;
        List<List<Split.Fold>> folds = new ArrayList<>();
        int[][] foldOf = new int[S][T];
        for (int s = 0; s < S; s++) {
            List<Split.Fold> f = splits.get(s).folds(data, seed);
            folds.add(f);
            for (int k = 0; k < f.size(); k++) for (int site : f.get(k).test()) foldOf[s][pos[site]] = k;
        }
        double[][][] ks2 = new double[S][M][T], param = new double[S][M][T], nanos = new double[S][M][T];
        for (double[][] a : ks2) for (double[] b : a) Arrays.fill(b, Double.NaN);
        for (double[][] a : param) for (double[] b : a) Arrays.fill(b, Double.NaN);
        double[] fitSeconds = new double[M];

        List<Integer> untrained = new ArrayList<>(), trained = new ArrayList<>();
        for (int j = 0; j < M; j++) (methods.get(j).trained() ? trained : untrained).add(j);
        int L = listener == null ? -1 : splits.indexOf(listenSplit);
        if (listener != null && L < 0)
            throw new IllegalArgumentException(
                    "the maps of split " + listenSplit.cliName + " are listened to, but it is not run");
        boolean[] listened = new boolean[L < 0 ? 0 : folds.get(L).size()];
        for (int fi = 0; fi < listened.length; fi++)
            listened[fi] = listenFolds == null
                    || listenFolds.contains(folds.get(L).get(fi).name());
        long total = untrained.isEmpty() ? 0 : T;
        for (int s = 0; s < S && !trained.isEmpty(); s++)
            for (int fi = 0; fi < folds.get(s).size(); fi++)
                if (s != L || listened[fi]) total += folds.get(s).get(fi).test().length;
        long[] done = {0};

        // untrained methods: once per tested site, the same in every split and fold
        double[][] uk = new double[M][T], up = new double[M][T], un = new double[M][T];
        if (L >= 0) {
            // fold by fold: the listened folds' sites, every method, then the next fold
            boolean[] inListened = new boolean[data.size()];
            for (int fi = 0; fi < listened.length; fi++) {
                if (!listened[fi]) continue;
                Split.Fold f = folds.get(L).get(fi);
                listener.foldStart(f);
                if (!untrained.isEmpty())
                    score(f.test(), methods, untrained, pos, uk, up, un, true, done, total, Listen.ALL);
                for (int j : trained) {
                    long f0 = System.nanoTime();
                    methods.get(j).fit(data, new EvalMethod.FitContext(splits.get(L), fi, f, kernels));
                    fitSeconds[j] += (System.nanoTime() - f0) / 1e9;
                }
                if (!trained.isEmpty())
                    score(
                            f.test(),
                            methods,
                            trained,
                            pos,
                            ks2[L],
                            param[L],
                            nanos[L],
                            L == 0,
                            done,
                            total,
                            untrained.isEmpty() ? Listen.ALL : Listen.MAPS);
                listener.foldEnd(f);
                for (int site : f.test()) inListened[site] = true;
            }
            int[] rest = java.util.Arrays.stream(tested)
                    .filter(site -> !inListened[site])
                    .toArray();
            if (!untrained.isEmpty() && rest.length > 0)
                score(rest, methods, untrained, pos, uk, up, un, true, done, total, Listen.NONE);
        } else if (!untrained.isEmpty())
            score(tested, methods, untrained, pos, uk, up, un, true, done, total, Listen.NONE);
        if (!untrained.isEmpty())
            for (int s = 0; s < S; s++)
                for (int j : untrained) {
                    ks2[s][j] = uk[j].clone();
                    param[s][j] = up[j].clone();
                    nanos[s][j] = un[j].clone();
                }
        // trained methods: fitted per fold
        for (int s = 0; s < S && !trained.isEmpty(); s++) {
            if (s == L) continue;
            for (int fi = 0; fi < folds.get(s).size(); fi++) {
                Split.Fold f = folds.get(s).get(fi);
                for (int j : trained) {
                    long f0 = System.nanoTime();
                    methods.get(j).fit(data, new EvalMethod.FitContext(splits.get(s), fi, f, kernels));
                    fitSeconds[j] += (System.nanoTime() - f0) / 1e9;
                }
                score(f.test(), methods, trained, pos, ks2[s], param[s], nanos[s], s == 0, done, total, Listen.NONE);
            }
        }
        return new Results(
                data,
                methods.stream().map(EvalMethod::name).toList(),
                List.copyOf(splits),
                folds,
                tested,
                foldOf,
                ks2,
                param,
                nanos,
                fitSeconds,
                (System.nanoTime() - t0) / 1e9);
    }

    /** What {@link #score} hands to the listener: nothing, the methods' maps, or the ground truth too. */
    private enum Listen {
        NONE,
        MAPS,
        ALL
    }

    /** Scores {@code which} methods on {@code sites}, chunk by chunk, into [method][position] arrays. */
    private void score(
            int[] sites,
            List<EvalMethod> methods,
            List<Integer> which,
            int[] pos,
            double[][] ks2,
            double[][] param,
            double[][] nanos,
            boolean keepSamples,
            long[] done,
            long total,
            Listen listen)
            throws IOException {
        int w = data.window();
        long px = (long) w * w;
        try (ArrowMapReader maps = data.openMaps();
                BufferAllocator alloc = Memory.child("eval");
                GridBuffer truth =
                        GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, Math.min(chunkSize, sites.length) * px)) {
            for (int[] cs : chunks(sites)) {
                int n = cs.length;
                GridSpec[] grids = new GridSpec[n];
                for (int m = 0; m < n; m++) grids[m] = loadTruth(maps, cs[m], truth, m * px);
                if (listen == Listen.ALL) for (int m = 0; m < n; m++) listener.truth(cs[m], grids[m], truth, m * px);
                if (keepSamples && samples != null)
                    for (int m = 0; m < n; m++)
                        if (samples.wants(data.id(cs[m])))
                            samples.truth(data.id(cs[m]), grids[m], truth.toFloatArray(m * px, (int) px));
                Chunk chunk = new Chunk(data, cs, kernels, alloc, truth);
                for (int j : which) {
                    EvalMethod method = methods.get(j);
                    long[] inOut = {0};
                    boolean[] seen = new boolean[n];
                    long t0 = System.nanoTime();
                    method.draw(chunk, (m, grid, buf, off, prm) -> {
                        long c0 = System.nanoTime();
                        if (m < 0 || m >= n)
                            throw new IllegalStateException(
                                    method.name() + " handed over map " + m + " of a chunk of " + n);
                        if (seen[m])
                            throw new IllegalStateException(
                                    method.name() + " handed over the map of site " + data.id(cs[m]) + " twice");
                        seen[m] = true;
                        if (!grid.equals(grids[m]))
                            throw new InputException(
                                    data.mapsFile(),
                                    0,
                                    "the ground truth of site " + data.id(cs[m]) + " ("
                                            + data.sitesFile().getFileName()
                                            + ":" + data.line(cs[m]) + ") lies on " + describe(grids[m]) + " but "
                                            + method.name() + " drew it on "
                                            + describe(grid)
                                            + " (the SPEC window of the site's position): maps must share one grid for KS2");
                        int p = pos[cs[m]];
                        ks2[j][p] = kernels.ks2(truth, m * px, buf, off, w, w);
                        param[j][p] = prm;
                        if (listen != Listen.NONE) listener.map(j, cs[m], grid, buf, off);
                        if (keepSamples && samples != null && samples.wants(data.id(cs[m])))
                            samples.map(data.id(cs[m]), method.name(), buf.toFloatArray(off, (int) px), ks2[j][p], prm);
                        inOut[0] += System.nanoTime() - c0;
                    });
                    long spent = System.nanoTime() - t0 - inOut[0];
                    for (int m = 0; m < n; m++) {
                        if (!seen[m])
                            throw new IllegalStateException(method.name() + " drew no map for site " + data.id(cs[m]));
                        nanos[j][pos[cs[m]]] = (double) spent / n;
                    }
                }
                done[0] += n;
                if (progress != null) progress.done(done[0], total);
            }
        }
    }

    /**
     * Consecutive runs of at most {@code chunkSize} sites whose windows' union stays within
     * {@value #MAX_UNION_WINDOWS} windows of pixels (a chunk never spans two distant cities, so the neighbour raster
     * stays small).
     */
    List<int[]> chunks(int[] sites) {
        List<int[]> out = new ArrayList<>();
        int w = data.window();
        long limit = MAX_UNION_WINDOWS * (long) w * w;
        int from = 0;
        while (from < sites.length) {
            long c0 = Long.MAX_VALUE, r0 = Long.MAX_VALUE, c1 = Long.MIN_VALUE, r1 = Long.MIN_VALUE;
            int to = from;
            while (to < sites.length && to - from < chunkSize) {
                GridSpec g = data.windowOf(sites[to]);
                long nc0 = Math.min(c0, g.latticeCol()), nr0 = Math.min(r0, g.latticeRow());
                long nc1 = Math.max(c1, g.latticeCol() + w), nr1 = Math.max(r1, g.latticeRow() + w);
                if (to > from && (nc1 - nc0) * (nr1 - nr0) > limit) break;
                c0 = nc0;
                r0 = nr0;
                c1 = nc1;
                r1 = nr1;
                to++;
            }
            out.add(Arrays.copyOfRange(sites, from, to));
            from = to;
        }
        return out;
    }

    /** Bound on a chunk's union of windows, in windows. */
    static final int MAX_UNION_WINDOWS = 4;

    /** Reads, checks and normalises the ground truth of {@code site} into {@code dst} at {@code off}; returns its grid. */
    GridSpec loadTruth(ArrowMapReader maps, int site, GridBuffer dst, long off) throws IOException {
        MapData md = maps.read(data.mapRow(site));
        if (!md.id().equals(data.id(site)))
            throw new IllegalStateException(
                    "row " + data.mapRow(site) + " of " + data.mapsFile() + " is not site " + data.id(site));
        GridSpec g = md.grid();
        if (g.width() != data.window() || g.height() != data.window())
            throw new InputException(
                    data.mapsFile(),
                    0,
                    "map of site " + data.id(site) + " is " + g.width() + "x" + g.height() + ", the first map is "
                            + data.window() + "x" + data.mapHeight() + ": eval needs square maps of one size");
        double sum = 0;
        for (float v : md.values()) {
            if (!(v >= 0) || Float.isInfinite(v))
                throw new InputException(
                        data.mapsFile(), 0, "map of site " + data.id(site) + " holds a negative or non-finite value");
            sum += v;
        }
        if (!(sum > 0)) throw new InputException(data.mapsFile(), 0, "map of site " + data.id(site) + " has no mass");
        float[] v = md.values();
        double inv = 1 / sum;
        for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] * inv);
        MemorySegment.copy(v, 0, dst.segment(), GridBuffer.F32, off * 4, v.length);
        return g;
    }

    static String describe(GridSpec g) {
        return String.format(
                java.util.Locale.ROOT,
                "x0=%.1f y0=%.1f %dx%d at %.1f m",
                g.x0(),
                g.y0(),
                g.width(),
                g.height(),
                g.resolution());
    }
}
