package org.geomend.kernels.nn.java;

import static org.geomend.kernels.nn.java.ConvLoops.OBLOCK;
import static org.geomend.kernels.nn.java.ConvLoops.STRIP;
import static org.geomend.kernels.nn.java.ConvLoops.roundUp;
import static org.geomend.kernels.nn.java.JavaTensor.F;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.IntConsumer;
import org.geomend.kernels.Memory;
import org.geomend.kernels.java.WorkerPool;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;

/**
 * The Java backend of {@link NnKernels}: tensors in off-heap memory, work split into a fixed number of tasks
 * (independent of the thread count, each output element written by exactly one task, reductions in a fixed order)
 * so results are bit-identical from run to run and across thread counts. The forward convolution of 5 x 5 and 3 x 3
 * filters runs as Winograd F(4 x 4, K x K) ({@link Winograd}) where that is faster ({@link ConvAlgorithm}: system property
 * {@value #CONV_PROPERTY}{@code =direct} or {@link #JavaNnKernels(int, ConvAlgorithm)} turn it off). The direct convolutions
 * gather the zero-padded input rows of one output row into a heap buffer and run the register-tiled loops of
 * {@link ConvLoops}. The backward data pass is the forward pass of the output gradient with the filters transposed
 * (input and output channels swapped) and rotated by 180 degrees, so it runs as Winograd by the same rules on the
 * swapped shape. The filter gradient of 5 x 5 filters runs as Winograd F(5 x 5, 4 x 4) ({@link WinogradFilter}) where
 * that is faster ({@link #WINOGRAD_FILTER_MIN_IN} ...), direct otherwise; the switch turns all of them off.
 *
 * <p>The backend tracks the tensors it allocated while they are open. {@link #close()} frees those still open and
 * reports them ({@link Memory#reportOpenTensors}: one warning line with the count and bytes, an exception in strict
 * mode); any use of the backend or of one of its tensors after close throws {@link IllegalStateException}.
 */
public final class JavaNnKernels implements NnKernels {

    /**
     * How {@link #conv2dForward} and {@link #conv2dBackwardData} (a forward convolution with {@code co -> ci}
     * channels) and {@link #conv2dBackwardFilter} (5 x 5 only, its own rules) convolve.
     */
    public enum ConvAlgorithm {
        /**
         * The default: Winograd F(4 x 4, K x K) for 5 x 5 and 3 x 3 filters where it is faster than the direct loops
         * (at least {@value JavaNnKernels#WINOGRAD_MIN_IN} input channels and {@value JavaNnKernels#WINOGRAD_MIN_PAIRS}
         * input x output channel pairs for 5 x 5, {@value JavaNnKernels#WINOGRAD3_MIN_PAIRS} for 3 x 3), direct
         * otherwise.
         */
        AUTO,
        /**
         * Winograd for every 5 x 5 and 3 x 3 filter whatever the channel counts (tests), direct for other sizes;
         * the filter gradient: Winograd for every 5 x 5 filter.
         */
        WINOGRAD,
        /** Direct convolution only. */
        DIRECT
    }

    /**
     * System property read by {@link #JavaNnKernels(int)}: {@code auto} (the default), {@code winograd} or
     * {@code direct}, see {@link ConvAlgorithm}.
     */
    public static final String CONV_PROPERTY = "geomend.nn.conv"; // Setting.NN_CONV
    /** System properties overriding the Winograd output tile side m of 5 x 5 and 3 x 3 filters (tuning only). */
    public static final String TILE5_PROPERTY = "geomend.nn.winograd.m5", TILE3_PROPERTY = "geomend.nn.winograd.m3";
    /**
     * System property read when a backend is made: the register tile of the Winograd channel products, output
     * channels x vectors of tiles, {@code 8x1} or {@code 8x3}; by default 8x3 with 512-bit vectors and 8x1 otherwise
     * (tuning: both give the same bits).
     */
    public static final String TILE_PROPERTY = "geomend.nn.winograd.tile";
    /**
     * {@link ConvAlgorithm#AUTO} uses Winograd for 5 x 5 filters from this many input channels and input x output channel
     * pairs (measured on 2-core AVX2: about even at 4 -> 4 and 2 -> 8, 1.5-1.9x faster at 8 -> 2 and 16 -> 1, 4x at
     * 48 -> 32, slower from one input channel; 2026-12-04, {@code bench nn.WinogradRule}, one process: 0.58x at 3 -> 32
     * on 608 x 608 (the U-Net's first layer: 16 ms direct, 28 ms Winograd), 0.76x at 4 -> 32, 0.92x at 6 -> 32, 1.17x
     * at 8 -> 32, 1.5x at 8 -> 16 on 304 x 304, 1.9x at 16 -> 32: with few input channels the output transform of
     * every output channel dominates, hence 8 input channels), for 3 x 3 (F(4 x 4, 3 x 3) runs the generic transforms) from
     * {@link #WINOGRAD3_MIN_PAIRS} pairs (0.9x at 32 -> 16, 1.0-1.3x at 1,024 pairs, 1.45x at 64 -> 32).
     */
    public static final int WINOGRAD_MIN_IN = 8, WINOGRAD_MIN_PAIRS = 16, WINOGRAD3_MIN_PAIRS = 1024;
    /**
     * {@link ConvAlgorithm#AUTO} computes the filter gradient of 5 x 5 filters by Winograd ({@link WinogradFilter}) from this
     * many input channels, output channels and input x output channel pairs (2-core AVX2, batch 8: 5.4x at 160 x 160
     * 64 -> 32, 3.5x at 16 -> 32, 1.5x at 80 x 80 8 -> 16, 2.6x at 40 x 40 16 -> 8, 0.87x at 160 x 160 3 -> 32).
     */
    public static final int WINOGRAD_FILTER_MIN_IN = 4, WINOGRAD_FILTER_MIN_OUT = 4, WINOGRAD_FILTER_MIN_PAIRS = 64;

    private final int threads;
    private final WorkerPool pool;
    private final ConvAlgorithm conv;
    private final Winograd wino5, wino3;
    private final WinogradFilter winogradFilter;
    private final Set<JavaTensor> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private volatile boolean closed;

    /**
     * A backend on {@code threads} platform threads ({@code <= 0}: one per available processor), convolving as
     * system property {@value #CONV_PROPERTY} says ({@link ConvAlgorithm#AUTO} when it is not set).
     *
     * @throws IllegalArgumentException when the property names no {@link ConvAlgorithm}
     */
    public JavaNnKernels(int threads) {
        this(threads, conv(org.geomend.kernels.Setting.NN_CONV.value()));
    }

    /**
     * A backend on {@code threads} platform threads ({@code <= 0}: one per available processor) whose
     * convolutions run as {@code conv} says. Winograd F(4 x 4, 5 x 5) has a float32 relative L2 error of 1.0-2.5e-6
     * on the U-Net's layers against float64 (direct: 1-5e-7), see {@link Winograd}; the Winograd filter gradient
     * 1.5-2.1e-6 (direct 5-7e-8), see {@link WinogradFilter}.
     */
    public JavaNnKernels(int threads, ConvAlgorithm conv) {
        this.pool = new WorkerPool(threads, "geomend-java-nn");
        this.threads = pool.threads();
        this.conv = conv;
        boolean w = conv != ConvAlgorithm.DIRECT;
        this.wino5 = w ? new Winograd(org.geomend.kernels.Setting.NN_WINOGRAD_M5.intValue(4), 5) : null;
        this.wino3 = w ? new Winograd(org.geomend.kernels.Setting.NN_WINOGRAD_M3.intValue(4), 3) : null;
        this.winogradFilter = w && wino5.m == 4 ? new WinogradFilter(wino5) : null;
    }

    private static ConvAlgorithm conv(String name) {
        if (name == null || name.isBlank()) return ConvAlgorithm.AUTO;
        for (ConvAlgorithm c : ConvAlgorithm.values()) if (c.name().equalsIgnoreCase(name.trim())) return c;
        throw new IllegalArgumentException(CONV_PROPERTY + "=" + name + ": want auto, winograd or direct");
    }

    /** How the forward and backward data convolutions run. */
    public ConvAlgorithm conv() {
        return conv;
    }

    @Override
    public String name() {
        return "java";
    }

    public int threads() {
        return threads;
    }

    @Override
    public synchronized Tensor allocate(int... shape) {
        if (closed) throw new IllegalStateException("java NN backend is closed");
        JavaTensor t = new JavaTensor(this, shape);
        live.add(t);
        return t;
    }

    /** A tensor closed itself. */
    synchronized void released(JavaTensor t) {
        live.remove(t);
    }

    /** How many tensors are open (tests). */
    synchronized int openTensors() {
        return live.size();
    }

    @Override
    public void upload(MemorySegment src, Tensor dst) {
        JavaTensor d = own(dst);
        MemorySegment.copy(src, 0, d.seg, 0, d.elements() * 4);
    }

    @Override
    public void download(Tensor src, MemorySegment dst) {
        JavaTensor s = own(src);
        MemorySegment.copy(s.seg, 0, dst, 0, s.elements() * 4);
    }

    @Override
    public void fill(Tensor t, float v) {
        JavaTensor a = own(t);
        if (v == 0f && Float.floatToRawIntBits(v) == 0) {
            a.seg.fill((byte) 0);
            return;
        }
        long n = a.elements();
        for (long i = 0; i < n; i++) a.set(i, v);
    }

    // ---------------------------------------------------------------- convolution

    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y) {
        conv2dForward(x, w, b, y, false);
    }

    /** The convolution with the ReLU applied to each output row before it is stored (bit-identical to the two calls). */
    @Override
    public void conv2dForwardRelu(Tensor x, Tensor w, Tensor b, Tensor y) {
        conv2dForward(x, w, b, y, true);
    }

    /**
     * The convolution of the concatenation read straight from {@code a} and {@code b}, channel by channel
     * (bit-identical to {@link #concatChannels} then {@link #conv2dForwardRelu}); {@code cat} is left alone, except
     * for 1 x 1 filters, which concatenate into it first.
     */
    @Override
    public void concatConv2dForwardRelu(Tensor a, Tensor b, Tensor cat, Tensor w, Tensor bias, Tensor y) {
        JavaTensor at = own(a), bt = own(b), wt = own(w);
        require(
                at.shape().length == 4
                        && bt.shape().length == 4
                        && at.dim(0) == bt.dim(0)
                        && at.dim(2) == bt.dim(2)
                        && at.dim(3) == bt.dim(3),
                "concatConv2d: inputs " + at + " and " + bt + " differ in batch or size");
        if (wt.shape().length == 4 && wt.dim(2) == 1) {
            NnKernels.super.concatConv2dForwardRelu(a, b, cat, w, bias, y);
            return;
        }
        conv2dForward(at, at.dim(1), bt, at.dim(1) + bt.dim(1), wt, own(bias), own(y), true);
    }

    private void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y, boolean relu) {
        JavaTensor xt = own(x);
        conv2dForward(xt, xt.dim(1), xt, xt.dim(1), own(w), own(b), own(y), relu);
    }

    /** The convolution of the channel concatenation of {@code xt} ({@code ca} channels) and {@code xb} ({@code ci - ca}). */
    private void conv2dForward(
            JavaTensor xt, int ca, JavaTensor xb, int ci, JavaTensor wt, JavaTensor bt, JavaTensor yt, boolean relu) {
        int n = xt.dim(0), h = xt.dim(2), wd = xt.dim(3);
        checkConv(xt, ci, wt, yt);
        int co = wt.dim(0), k = wt.dim(2);
        require(bt.elements() == co, "conv2d: bias has " + bt.elements() + " elements, want " + co);
        if (k == 1) {
            float[] w1 = new float[co * ci], bias = new float[co];
            MemorySegment.copy(wt.seg, F, 0, w1, 0, w1.length);
            for (int o = 0; o < co; o++) bias[o] = bt.get(o);
            conv1x1(xt.seg, n, ci, (long) h * wd, w1, bias, co, yt.seg);
            if (relu) reluForward(yt, yt);
            return;
        }
        int coP = roundUp(co, OBLOCK);
        Winograd wg = winogradFor(k, ci, co);
        if (wg != null) {
            float[] bias = new float[coP];
            for (int o = 0; o < co; o++) bias[o] = bt.get(o);
            winogradRows(
                    wg, xt.seg, ca, xb.seg, n, ci, h, wd, wg.filters(wt, ci, co, coP), coP, bias, co, yt.seg, relu);
            return;
        }
        float[] wtr = new float[ci * k * k * coP];
        for (int o = 0; o < co; o++)
            for (int i = 0; i < ci; i++)
                for (int kh = 0; kh < k; kh++)
                    for (int kw = 0; kw < k; kw++)
                        wtr[((i * k + kh) * k + kw) * coP + o] = wt.get((((long) o * ci + i) * k + kh) * k + kw);
        float[] bias = new float[coP];
        for (int o = 0; o < co; o++) bias[o] = bt.get(o);
        convRows(xt.seg, ca, xb.seg, n, ci, h, wd, wtr, k, coP, bias, co, yt.seg, relu);
    }

    @Override
    public void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx) {
        JavaTensor dyt = own(dy), wt = own(w), dxt = own(dx);
        checkConv(dxt, wt, dyt);
        int n = dxt.dim(0), ci = dxt.dim(1), h = dxt.dim(2), wd = dxt.dim(3), co = wt.dim(0), k = wt.dim(2);
        if (k == 1) {
            float[] w1 = new float[ci * co]; // [ci][co]
            for (int o = 0; o < co; o++) for (int i = 0; i < ci; i++) w1[i * co + o] = wt.get((long) o * ci + i);
            conv1x1(dyt.seg, n, co, (long) h * wd, w1, new float[ci], ci, dxt.seg);
            return;
        }
        int ciP = roundUp(ci, OBLOCK);
        Winograd wg = winogradFor(k, co, ci); // the forward convolution of dy with co -> ci channels
        if (wg != null) {
            float[] rot = new float[ci * co * k * k]; // [ci][co][k][k]: transposed, rotated by 180 degrees
            for (int o = 0; o < co; o++)
                for (int i = 0; i < ci; i++)
                    for (int kh = 0; kh < k; kh++)
                        for (int kw = 0; kw < k; kw++)
                            rot[((i * co + o) * k + kh) * k + kw] =
                                    wt.get((((long) o * ci + i) * k + (k - 1 - kh)) * k + (k - 1 - kw));
            winogradRows(
                    wg,
                    dyt.seg,
                    co,
                    dyt.seg,
                    n,
                    co,
                    h,
                    wd,
                    wg.filters(rot, co, ci, ciP),
                    ciP,
                    new float[ciP],
                    ci,
                    dxt.seg,
                    false);
            return;
        }
        float[] wtr = new float[co * k * k * ciP];
        for (int o = 0; o < co; o++)
            for (int i = 0; i < ci; i++)
                for (int kh = 0; kh < k; kh++)
                    for (int kw = 0; kw < k; kw++)
                        wtr[((o * k + kh) * k + kw) * ciP + i] =
                                wt.get((((long) o * ci + i) * k + (k - 1 - kh)) * k + (k - 1 - kw));
        convRows(dyt.seg, co, dyt.seg, n, co, h, wd, wtr, k, ciP, new float[ciP], ci, dxt.seg, false);
    }

    /**
     * A 1 x 1 convolution ({@link EltLoops#conv1x1}, the same sums as {@link ConvLoops#rowConv}): {@code w} [cout][cin],
     * units of up to {@link #PIXELS} pixels of one image.
     */
    private void conv1x1(MemorySegment x, int n, int cin, long hw, float[] w, float[] bias, int cout, MemorySegment y) {
        int per = (int) ((hw + PIXELS - 1) / PIXELS);
        parallelFor(n * per, t -> {
            int img = t / per, q = t % per;
            EltLoops.conv1x1(
                    x,
                    (long) img * cin * hw,
                    cin,
                    hw,
                    w,
                    bias,
                    cout,
                    y,
                    (long) img * cout * hw,
                    (long) q * PIXELS,
                    Math.min(hw, (long) (q + 1) * PIXELS));
        });
    }

    /** Pixels per 1 x 1 convolution work unit (a multiple of every vector length). */
    private static final int PIXELS = 8192;

    /**
     * Same-padded stride-1 convolution of the channel concatenation of {@code xa} [n, ca, h, w] and {@code xb}
     * [n, cin - ca, h, w] into {@code y} [n, cout, h, w], filters pre-laid out.
     */
    private void convRows(
            MemorySegment xa,
            int ca,
            MemorySegment xb,
            int n,
            int cin,
            int h,
            int w,
            float[] wtr,
            int k,
            int coutP,
            float[] bias,
            int cout,
            MemorySegment y,
            boolean relu) {
        int p = k / 2, wr = roundUp(w, STRIP), wp = wr + k - 1;
        int rows = n * h, tasks = Math.min(rows, 16 * threads);
        parallelFor(tasks, t -> {
            float[] buf = new float[cin * k * wp];
            float[] out = new float[coutP * wr];
            for (int r = (int) ((long) rows * t / tasks), end = (int) ((long) rows * (t + 1) / tasks); r < end; r++) {
                int img = r / h, row = r % h;
                for (int i = 0; i < cin; i++) {
                    MemorySegment x = i < ca ? xa : xb;
                    long plane = (i < ca ? (long) img * ca + i : (long) img * (cin - ca) + i - ca) * h;
                    for (int kh = 0; kh < k; kh++)
                        gatherRow(x, plane, row + kh - p, h, w, p, buf, (i * k + kh) * wp, wp);
                }
                ConvLoops.rowConv(buf, cin, k, wp, wtr, coutP, bias, wr, out);
                if (relu) {
                    MemorySegment o = MemorySegment.ofArray(out);
                    EltLoops.relu(o, o, 0, (long) cout * wr);
                }
                for (int o = 0; o < cout; o++)
                    MemorySegment.copy(out, o * wr, y, F, ((((long) img * cout + o) * h + row) * w) * 4, w);
            }
        });
    }

    /** The Winograd algorithm for a forward convolution, or null for the direct one. */
    private Winograd winogradFor(int k, int ci, int co) {
        Winograd wg = k == 5 ? wino5 : k == 3 ? wino3 : null;
        if (conv != ConvAlgorithm.AUTO || wg == null) return wg;
        long pairs = (long) ci * co;
        return ci >= WINOGRAD_MIN_IN && pairs >= (k == 5 ? WINOGRAD_MIN_PAIRS : WINOGRAD3_MIN_PAIRS) ? wg : null;
    }

    /**
     * The forward convolution by {@link Winograd}: units of up to {@link #BAND} tile rows and {@link Winograd#TB}
     * tile columns of one image.
     */
    private void winogradRows(
            Winograd wg,
            MemorySegment xa,
            int ca,
            MemorySegment xb,
            int n,
            int ci,
            int h,
            int w,
            float[] u,
            int coP,
            float[] bias,
            int co,
            MemorySegment y,
            boolean relu) {
        int m = wg.m, tyN = (h + m - 1) / m, txN = (w + m - 1) / m, chunks = (txN + Winograd.TB - 1) / Winograd.TB;
        int bands = (tyN + BAND - 1) / BAND, units = n * bands * chunks, tasks = Math.min(units, 16 * threads);
        parallelFor(tasks, t -> {
            Winograd.Scratch sc = wg.scratch(ci, coP);
            for (int q = (int) ((long) units * t / tasks), end = (int) ((long) units * (t + 1) / tasks); q < end; q++) {
                int c = q % chunks, b = q / chunks % bands, img = q / chunks / bands;
                int tx0 = c * Winograd.TB, ty0 = b * BAND;
                wg.band(
                        xa,
                        ca,
                        xb,
                        ci,
                        h,
                        w,
                        u,
                        coP,
                        bias,
                        co,
                        y,
                        img,
                        ty0,
                        Math.min(tyN, ty0 + BAND),
                        tx0,
                        Math.min(Winograd.TB, txN - tx0),
                        relu,
                        sc);
            }
        });
    }

    /** Tile rows per Winograd work unit (consecutive rows share input rows). */
    private static final int BAND = 8;

    /** Copies input row {@code row} of plane {@code plane} (in rows) to {@code buf[off + p ..]}, zeros around it. */
    private static void gatherRow(
            MemorySegment x, long plane, int row, int h, int w, int p, float[] buf, int off, int wp) {
        if (row < 0 || row >= h) {
            Arrays.fill(buf, off, off + wp, 0f);
            return;
        }
        Arrays.fill(buf, off, off + p, 0f);
        MemorySegment.copy(x, F, (plane + row) * w * 4, buf, off + p, w);
        Arrays.fill(buf, off + p + w, off + wp, 0f);
    }

    @Override
    public void conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db) {
        JavaTensor xt = own(x), dyt = own(dy), dwt = own(dw), dbt = own(db);
        checkConv(xt, dwt, dyt);
        int n = xt.dim(0), ci = xt.dim(1), h = xt.dim(2), w = xt.dim(3), co = dwt.dim(0), k = dwt.dim(2);
        require(dbt.elements() == co, "conv2d: bias gradient has " + dbt.elements() + " elements, want " + co);
        if (winogradFilter != null
                && k == 5
                && (conv == ConvAlgorithm.WINOGRAD
                        || ci >= WINOGRAD_FILTER_MIN_IN
                                && co >= WINOGRAD_FILTER_MIN_OUT
                                && (long) ci * co >= WINOGRAD_FILTER_MIN_PAIRS)) {
            float[] g = new float[co * ci * k * k];
            winogradFilter.filters(winogradFilter.sums(this, xt.seg, dyt.seg, n, ci, co, h, w), ci, co, g);
            MemorySegment.copy(g, 0, dwt.seg, F, 0, g.length);
        } else directFilter(xt, dyt, dwt, n, ci, co, h, w, k);
        long plane = (long) h * w;
        parallelFor(co, o -> {
            double s = 0;
            for (int img = 0; img < n; img++) s += ConvLoops.sum(dyt.seg, ((long) img * co + o) * plane, plane);
            dbt.set(o, (float) s);
        });
    }

    /** Output rows of the direct filter gradient summed in float32 vectors before their lanes are added in float64. */
    private static final int FOLD_ROWS = 16;

    private void directFilter(
            JavaTensor xt, JavaTensor dyt, JavaTensor dwt, int n, int ci, int co, int h, int w, int k) {
        int p = k / 2, wr = roundUp(w, ConvLoops.L), wp = wr + k - 1;
        int oChunks = Math.min(co, Math.max(1, (16 + ci - 1) / ci)); // fixed: not from the thread count
        parallelFor(ci * oChunks, t -> {
            int i = t / oChunks, c = t % oChunks;
            int o0 = (int) ((long) co * c / oChunks), o1 = (int) ((long) co * (c + 1) / oChunks);
            double[] acc = new double[(o1 - o0) * k * k];
            float[] vacc = new float[acc.length * ConvLoops.L];
            float[] xb = new float[k * wp];
            float[] dyRow = new float[wr], dyRow1 = new float[wr];
            for (int img = 0; img < n; img++)
                for (int row = 0; row < h; row++) {
                    for (int kh = 0; kh < k; kh++)
                        gatherRow(xt.seg, ((long) img * ci + i) * h, row + kh - p, h, w, p, xb, kh * wp, wp);
                    int o = o0;
                    for (; o + 2 <= o1; o += 2) { // two output channels share the input loads
                        MemorySegment.copy(dyt.seg, F, ((((long) img * co + o) * h + row) * w) * 4, dyRow, 0, w);
                        MemorySegment.copy(dyt.seg, F, ((((long) img * co + o + 1) * h + row) * w) * 4, dyRow1, 0, w);
                        ConvLoops.filterRow2(dyRow, dyRow1, xb, k, wp, wr, vacc, (o - o0) * k * k * ConvLoops.L);
                    }
                    for (; o < o1; o++) {
                        MemorySegment.copy(dyt.seg, F, ((((long) img * co + o) * h + row) * w) * 4, dyRow, 0, w);
                        ConvLoops.filterRow(dyRow, xb, k, wp, wr, vacc, (o - o0) * k * k * ConvLoops.L);
                    }
                    if (row % FOLD_ROWS == FOLD_ROWS - 1 || row == h - 1) ConvLoops.foldLanes(vacc, acc, acc.length);
                }
            for (int o = o0; o < o1; o++)
                for (int q = 0; q < k * k; q++)
                    dwt.set(((long) o * ci + i) * k * k + q, (float) acc[(o - o0) * k * k + q]);
        });
    }

    private static void checkConv(JavaTensor x, JavaTensor w, JavaTensor y) {
        checkConv(x, x.dim(1), w, y);
    }

    /** Checks a convolution of input {@code x} (its batch and size) with {@code ci} input channels. */
    private static void checkConv(JavaTensor x, int ci, JavaTensor w, JavaTensor y) {
        require(x.shape().length == 4 && w.shape().length == 4 && y.shape().length == 4, "conv2d: tensors must be 4-d");
        int k = w.dim(2);
        require(k == w.dim(3) && (k & 1) == 1, "conv2d: filter must be K x K with K odd: " + w);
        require(w.dim(1) == ci, "conv2d: filter " + w + " does not take " + ci + " input channels (input " + x + ")");
        require(
                y.dim(0) == x.dim(0) && y.dim(1) == w.dim(0) && y.dim(2) == x.dim(2) && y.dim(3) == x.dim(3),
                "conv2d: output " + y + " does not fit input " + x + " and filter " + w);
    }

    // ---------------------------------------------------------------- element-wise and resampling

    @Override
    public void reluForward(Tensor x, Tensor y) {
        JavaTensor a = own(x), b = own(y);
        sameShape(a, b);
        chunks(a.elements(), (s, e) -> EltLoops.relu(a.seg, b.seg, s, e));
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        JavaTensor a = own(y), g = own(dy), d = own(dx);
        sameShape(a, g);
        sameShape(a, d);
        chunks(a.elements(), (s, e) -> EltLoops.reluBackward(a.seg, g.seg, d.seg, s, e));
    }

    @Override
    public void maxPool2Forward(Tensor x, Tensor y) {
        JavaTensor a = own(x), b = own(y);
        int planes = checkHalf(a, b), h = a.dim(2), w = a.dim(3), ho = h / 2, wo = w / 2;
        rows(
                planes,
                ho,
                (pl, r) ->
                        EltLoops.poolRow(a.seg, ((long) pl * h + 2L * r) * w, w, b.seg, ((long) pl * ho + r) * wo, wo));
    }

    @Override
    public void maxPool2Backward(Tensor x, Tensor dy, Tensor dx) {
        JavaTensor a = own(x), g = own(dy), d = own(dx);
        int planes = checkHalf(a, g), h = a.dim(2), w = a.dim(3), ho = h / 2, wo = w / 2;
        sameShape(a, d);
        rows(
                planes,
                ho,
                (pl, r) -> EltLoops.poolBackwardRow(
                        a.seg, g.seg, d.seg, ((long) pl * h + 2L * r) * w, w, ((long) pl * ho + r) * wo, wo));
    }

    @Override
    public void upsample2Forward(Tensor x, Tensor y) {
        JavaTensor a = own(x), b = own(y);
        int planes = checkHalf(b, a), h = a.dim(2), w = a.dim(3);
        rows(
                planes,
                h,
                (pl, r) ->
                        EltLoops.upRow(a.seg, ((long) pl * h + r) * w, w, b.seg, ((long) pl * h * 2 + 2L * r) * 2 * w));
    }

    @Override
    public void upsample2Backward(Tensor dy, Tensor dx) {
        JavaTensor g = own(dy), d = own(dx);
        int planes = checkHalf(g, d), h = d.dim(2), w = d.dim(3);
        rows(
                planes,
                h,
                (pl, r) -> EltLoops.upBackwardRow(
                        g.seg, ((long) pl * h * 2 + 2L * r) * 2 * w, w, d.seg, ((long) pl * h + r) * w));
    }

    private interface RowBody {
        void run(int plane, int row);
    }

    /**
     * Runs {@code body(plane, row)} for every row of {@code planes} planes of {@code rows} rows, in up to 16 contiguous
     * blocks of rows per thread (each output element is written once by an exact operation: any split gives the same
     * result).
     */
    private void rows(int planes, int rows, RowBody body) {
        long total = (long) planes * rows;
        int parts = (int) Math.max(1, Math.min(16L * threads, total));
        parallelFor(parts, q -> {
            for (long t = total * q / parts, e = total * (q + 1) / parts; t < e; t++)
                body.run((int) (t / rows), (int) (t % rows));
        });
    }

    /** Checks {@code big} [N,C,2h,2w] against {@code small} [N,C,h,w]; returns N * C. */
    private static int checkHalf(JavaTensor big, JavaTensor small) {
        require(big.shape().length == 4 && small.shape().length == 4, "pool/upsample: tensors must be 4-d");
        require(big.dim(2) % 2 == 0 && big.dim(3) % 2 == 0, "pool/upsample: H and W must be even: " + big);
        require(
                big.dim(0) == small.dim(0)
                        && big.dim(1) == small.dim(1)
                        && big.dim(2) == 2 * small.dim(2)
                        && big.dim(3) == 2 * small.dim(3),
                "pool/upsample: " + big + " is not twice " + small);
        return big.dim(0) * big.dim(1);
    }

    @Override
    public void concatChannels(Tensor a, Tensor b, Tensor y) {
        JavaTensor at = own(a), bt = own(b), yt = own(y);
        checkConcat(at, bt, yt);
        long sa = at.elements() / at.dim(0) * 4, sb = bt.elements() / bt.dim(0) * 4;
        copies(at.dim(0), sa, sb, (n, s, e) -> {
            if (s < sa) MemorySegment.copy(at.seg, n * sa + s, yt.seg, n * (sa + sb) + s, Math.min(e, sa) - s);
            if (e > sa)
                MemorySegment.copy(
                        bt.seg,
                        n * sb + Math.max(s, sa) - sa,
                        yt.seg,
                        n * (sa + sb) + Math.max(s, sa),
                        e - Math.max(s, sa));
        });
    }

    @Override
    public void splitChannels(Tensor dy, Tensor da, Tensor db) {
        JavaTensor yt = own(dy), at = own(da), bt = own(db);
        checkConcat(at, bt, yt);
        long sa = at.elements() / at.dim(0) * 4, sb = bt.elements() / bt.dim(0) * 4;
        copies(at.dim(0), sa, sb, (n, s, e) -> {
            if (s < sa) MemorySegment.copy(yt.seg, n * (sa + sb) + s, at.seg, n * sa + s, Math.min(e, sa) - s);
            if (e > sa)
                MemorySegment.copy(
                        yt.seg,
                        n * (sa + sb) + Math.max(s, sa),
                        bt.seg,
                        n * sb + Math.max(s, sa) - sa,
                        e - Math.max(s, sa));
        });
    }

    private interface CopyBody {
        void run(int image, long start, long end);
    }

    /**
     * Splits the {@code sa + sb} bytes of each of {@code n} images into pieces of at most 256 KiB (a multiple of 4
     * bytes), copied in parallel by {@code body(image, start, end)}.
     */
    private void copies(int n, long sa, long sb, CopyBody body) {
        long per = sa + sb;
        int pieces = (int) Math.max(1, (per + (1 << 18) - 1) >> 18);
        parallelFor(n * pieces, t -> {
            int img = t / pieces, q = t % pieces;
            long s = per / 4 * q / pieces * 4, e = per / 4 * (q + 1) / pieces * 4;
            if (e > s) body.run(img, s, e);
        });
    }

    private static void checkConcat(JavaTensor a, JavaTensor b, JavaTensor y) {
        require(a.shape().length == 4 && b.shape().length == 4 && y.shape().length == 4, "concat: tensors must be 4-d");
        require(
                a.dim(0) == b.dim(0)
                        && a.dim(0) == y.dim(0)
                        && a.dim(2) == b.dim(2)
                        && a.dim(2) == y.dim(2)
                        && a.dim(3) == b.dim(3)
                        && a.dim(3) == y.dim(3)
                        && y.dim(1) == a.dim(1) + b.dim(1),
                "concat: " + a + " + " + b + " does not make " + y);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor y) {
        JavaTensor at = own(a), bt = own(b), yt = own(y);
        sameShape(at, bt);
        sameShape(at, yt);
        chunks(at.elements(), (s, e) -> {
            for (long i = s; i < e; i++) yt.set(i, at.get(i) + bt.get(i));
        });
    }

    // ---------------------------------------------------------------- loss and optimiser

    @Override
    public double l1Loss(Tensor pred, Tensor target, Tensor mask, Tensor dPred) {
        JavaTensor p = own(pred), t = own(target), m = own(mask), d = own(dPred);
        sameShape(p, t);
        sameShape(p, m);
        sameShape(p, d);
        long n = p.elements();
        int parts = (int) Math.min(n, 64);
        double[] sumMask = new double[parts], sumAbs = new double[parts];
        parallelFor(parts, q -> {
            double sm = 0, sa = 0;
            for (long i = n * q / parts, e = n * (q + 1) / parts; i < e; i++) {
                float mk = m.get(i);
                sm += mk;
                sa += mk * Math.abs((double) p.get(i) - t.get(i));
            }
            sumMask[q] = sm;
            sumAbs[q] = sa;
        });
        double sm = 0, sa = 0;
        for (int q = 0; q < parts; q++) {
            sm += sumMask[q];
            sa += sumAbs[q];
        }
        double norm = Math.max(1.0, sm);
        float scale = (float) (1.0 / norm);
        chunks(n, (s, e) -> {
            for (long i = s; i < e; i++) {
                float diff = p.get(i) - t.get(i);
                d.set(i, diff == 0f ? 0f : Math.signum(diff) * m.get(i) * scale);
            }
        });
        return sa / norm;
    }

    @Override
    public void adamStep(
            Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, int step) {
        JavaTensor p = own(param), g = own(grad), mt = own(m), vt = own(v);
        sameShape(p, g);
        sameShape(p, mt);
        sameShape(p, vt);
        require(step >= 1, "adam: step counts from 1: " + step);
        float bc1 = (float) (1 - Math.pow(beta1, step)), bc2 = (float) (1 - Math.pow(beta2, step));
        float c1 = 1 - beta1, c2 = 1 - beta2;
        chunks(p.elements(), (s, e) -> {
            for (long i = s; i < e; i++) {
                float gi = g.get(i);
                float mi = beta1 * mt.get(i) + c1 * gi;
                float vi = beta2 * vt.get(i) + c2 * gi * gi;
                mt.set(i, mi);
                vt.set(i, vi);
                p.set(i, p.get(i) - lr * (mi / bc1) / ((float) Math.sqrt(vi / bc2) + eps));
            }
        });
    }

    // ---------------------------------------------------------------- plumbing

    private JavaTensor own(Tensor t) {
        if (closed) throw new IllegalStateException("java NN backend is closed");
        if (!(t instanceof JavaTensor j) || j.owner != this)
            throw new IllegalArgumentException("tensor " + t + " does not belong to this Java backend");
        if (!j.isOpen()) throw new IllegalStateException("tensor " + t + " is closed");
        return j;
    }

    private static void sameShape(JavaTensor a, JavaTensor b) {
        require(Arrays.equals(a.shape(), b.shape()), "shape mismatch: " + a + " vs " + b);
    }

    private static void require(boolean ok, String msg) {
        if (!ok) throw new IllegalArgumentException(msg);
    }

    private interface Range {
        void run(long start, long end);
    }

    /** Splits {@code [0, n)} into a fixed number of contiguous ranges, run in parallel. */
    private void chunks(long n, Range body) {
        int parts = (int) Math.max(1, Math.min(4L * threads, n / 16384 + 1));
        parallelFor(parts, q -> body.run(n * q / parts, n * (q + 1) / parts));
    }

    /** Runs {@code body(0..n-1)} on the pool, tasks claimed one at a time. */
    void parallelFor(int n, IntConsumer body) {
        pool.parallelFor(n, body);
    }

    /**
     * Frees the tensors still open and reports them ({@link Memory#reportOpenTensors}), then stops the worker
     * threads. Idempotent.
     */
    @Override
    public void close() {
        int n = 0;
        long bytes = 0;
        synchronized (this) {
            if (closed) return;
            closed = true;
            for (JavaTensor t : live) {
                long b = t.byteSize();
                if (t.free()) {
                    n++;
                    bytes += b;
                }
            }
            live.clear();
        }
        pool.close();
        Memory.reportOpenTensors(name(), n, bytes);
    }
}
