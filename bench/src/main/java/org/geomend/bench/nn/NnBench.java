package org.geomend.bench.nn;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.geomend.cuda.CudaNnKernels;
import org.geomend.cuda.CudaUnavailableException;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;
import org.geomend.kernels.nn.java.JavaNnKernels;

/**
 * Times a U-Net training step (forward + backward + Adam) and batched inference on a CUDA backend (or, with
 * {@code --backend java}, on {@link JavaNnKernels} for a same-machine CPU comparison), with the
 * network of {@code bench/pytorch_unet.py} so that both run the same work on the same device: {@code levels}
 * resolution levels, {@code filters * factor^l} filters at level l, two K x K conv + ReLU per level, 2 x 2 max-pool
 * down, nearest up-sampling x 2 + conv + ReLU, concatenation of the skip (skip first), two conv + ReLU, a 1 x 1
 * linear head, masked L1 loss, Adam. Random inputs, targets and weights (the timing does not depend on them).
 *
 * <p>This is a benchmark schedule of {@link NnKernels} calls, not the geomend U-Net model (that lives with the
 * training loop). Gradients meeting at a skip are summed with {@link NnKernels#add}. A profiled step (synchronising after every operation) gives the time per operation kind.
 *
 * <p>Run: {@code java -cp geomend-bench.jar org.geomend.bench.nn.NnBench [--backend cuda|cudnn|java] [--threads N]
 * [--levels 6] [--filters 32] [--factor 2] [--kernel 5] [--batch 8] [--size 640] [--channels 3] [--steps 5]
 * [--inference-only]}; prints JSON. {@code --threads} (java only; 0 = all cores) sizes the Java kernels' pool;
 * {@code --inference-only} skips the training steps and the profile. The ReLU after a convolution is
 * {@link NnKernels#conv2dForwardRelu} (fused on every backend) and the skip sums use {@link NnKernels#add}.
 * <b>Unverified on CUDA:</b> never run there (written without a GPU); the Java backend has run
 * ({@code bench/results/2026-11-29-unet-cpu-vs-pytorch.md}).
 */
public final class NnBench {

    /** The network and problem size. */
    public record Config(int levels, int filters, double factor, int kernel, int batch, int size, int channels) {
        public Config {
            if (levels < 1 || size % (1 << (levels - 1)) != 0)
                throw new IllegalArgumentException(
                        "size " + size + " is not a multiple of 2^(levels-1) = " + (1 << (levels - 1)));
        }

        int filtersAt(int l) {
            return Math.max(1, (int) Math.round(filters * Math.pow(factor, l)));
        }

        String describe() {
            StringBuilder f = new StringBuilder();
            for (int l = 0; l < levels; l++) f.append(l == 0 ? "" : ",").append(filtersAt(l));
            return levels + " levels, filters " + f + ", " + kernel + "x" + kernel + ", batch " + batch + ", " + size
                    + "x" + size + ", " + channels + " input channels";
        }
    }

    /**
     * Milliseconds per training step and per inference batch, the profiled split by operation kind and, for the
     * convolutions, by operation kind and layer ({@code "conv backward-filter 16->32 k5 160x160"}, summed over the
     * layers of that shape).
     */
    public record Timing(
            Config config,
            String backend,
            double trainStepMs,
            double inferenceBatchMs,
            double inferenceMsPerMap,
            double loss,
            Map<String, Double> profileMs,
            Map<String, Double> layerMs,
            long parameters) {
        public String json() {
            return String.format(
                    Locale.ROOT,
                    "{\"impl\": \"geomend-%s\", \"config\": \"%s\", \"parameters\": %d, "
                            + "\"train_step_ms\": %s, \"inference_batch_ms\": %.3f, \"inference_ms_per_map\": %.3f, "
                            + "\"loss\": %s, \"profile_ms\": {%s}, \"layer_ms\": {%s}}",
                    backend,
                    config.describe(),
                    parameters,
                    num("%.3f", trainStepMs),
                    inferenceBatchMs,
                    inferenceMsPerMap,
                    num("%.6g", loss),
                    entries(profileMs),
                    entries(layerMs));
        }

        private static String entries(Map<String, Double> m) {
            StringBuilder p = new StringBuilder();
            m.forEach((k, v) -> p.append(p.isEmpty() ? "" : ", ")
                    .append('"')
                    .append(k)
                    .append("\": ")
                    .append(String.format(Locale.ROOT, "%.3f", v)));
            return p.toString();
        }

        /** {@code v} formatted, or JSON null when it is NaN (not measured). */
        private static String num(String fmt, double v) {
            return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, fmt, v);
        }
    }

    /** One convolution layer: weights, bias, their gradients and Adam moments. */
    private static final class Conv {
        final int ci, co, k;
        final boolean relu;
        final Tensor w, b, dw, db, mw, vw, mb, vb;

        Conv(Net net, int ci, int co, int k, boolean relu, Random rnd) {
            this.ci = ci;
            this.co = co;
            this.k = k;
            this.relu = relu;
            w = net.param(rnd, Math.sqrt(2.0 / (ci * k * k)), co, ci, k, k);
            b = net.zeros(co);
            dw = net.zeros(co, ci, k, k);
            db = net.zeros(co);
            mw = net.zeros(co, ci, k, k);
            vw = net.zeros(co, ci, k, k);
            mb = net.zeros(co);
            vb = net.zeros(co);
        }
    }

    /** The layers and every activation and gradient buffer of one configuration. */
    private static final class Net implements AutoCloseable {
        final NnKernels k;
        final CudaNnKernels cuda; // null on the Java backend
        final Config c;
        final List<Tensor> all = new ArrayList<>();
        final Arena arena = Arena.ofConfined();
        final int L;
        final Conv[][] enc, dec;
        final Conv head;
        final Tensor input, target, mask, out, dOut;
        final Tensor[] a0, a1, pool, up, upc, cat, d0, d1; // activations (post-ReLU)
        final Tensor[] ga0, ga1, gpool, gup, gupc, gcat, gd0, gd1, gskip; // their gradients
        final Map<String, Double> profile = new LinkedHashMap<>();
        final Map<String, Double> layers = new LinkedHashMap<>();
        boolean profiling;
        int step;

        Net(NnKernels k, Config c, long seed) {
            if (!(k instanceof CudaNnKernels) && !(k instanceof JavaNnKernels))
                throw new IllegalArgumentException(
                        "the U-Net step benchmark needs a CUDA or the Java backend, not " + k.name());
            this.k = k;
            this.cuda = k instanceof CudaNnKernels cu ? cu : null;
            this.c = c;
            L = c.levels();
            Random rnd = new Random(seed);
            int B = c.batch(), K = c.kernel();
            enc = new Conv[L][2];
            dec = new Conv[L][3];
            a0 = new Tensor[L];
            a1 = new Tensor[L];
            pool = new Tensor[L];
            up = new Tensor[L];
            upc = new Tensor[L];
            cat = new Tensor[L];
            d0 = new Tensor[L];
            d1 = new Tensor[L];
            ga0 = new Tensor[L];
            ga1 = new Tensor[L];
            gpool = new Tensor[L];
            gup = new Tensor[L];
            gupc = new Tensor[L];
            gcat = new Tensor[L];
            gd0 = new Tensor[L];
            gd1 = new Tensor[L];
            gskip = new Tensor[L];
            for (int l = 0; l < L; l++) {
                int f = c.filtersAt(l), s = c.size() >> l, in = l == 0 ? c.channels() : c.filtersAt(l - 1);
                enc[l][0] = new Conv(this, in, f, K, true, rnd);
                enc[l][1] = new Conv(this, f, f, K, true, rnd);
                a0[l] = zeros(B, f, s, s);
                a1[l] = zeros(B, f, s, s);
                ga0[l] = zeros(B, f, s, s);
                ga1[l] = zeros(B, f, s, s);
                if (l < L - 1) {
                    pool[l] = zeros(B, f, s / 2, s / 2);
                    gpool[l] = zeros(B, f, s / 2, s / 2);
                    int fUp = c.filtersAt(l + 1);
                    dec[l][0] = new Conv(this, fUp, f, K, true, rnd);
                    dec[l][1] = new Conv(this, 2 * f, f, K, true, rnd);
                    dec[l][2] = new Conv(this, f, f, K, true, rnd);
                    up[l] = zeros(B, fUp, s, s);
                    upc[l] = zeros(B, f, s, s);
                    cat[l] = zeros(B, 2 * f, s, s);
                    d0[l] = zeros(B, f, s, s);
                    d1[l] = zeros(B, f, s, s);
                    gup[l] = zeros(B, fUp, s, s);
                    gupc[l] = zeros(B, f, s, s);
                    gcat[l] = zeros(B, 2 * f, s, s);
                    gd0[l] = zeros(B, f, s, s);
                    gd1[l] = zeros(B, f, s, s);
                    gskip[l] = zeros(B, f, s, s);
                }
            }
            head = new Conv(this, c.filtersAt(0), 1, 1, false, rnd);
            input = param(rnd, 1, B, c.channels(), c.size(), c.size());
            target = param(rnd, 1, B, 1, c.size(), c.size());
            mask = zeros(B, 1, c.size(), c.size());
            k.fill(mask, 1f);
            out = zeros(B, 1, c.size(), c.size());
            dOut = zeros(B, 1, c.size(), c.size());
        }

        Tensor zeros(int... shape) {
            Tensor t = k.allocate(shape);
            all.add(t);
            return t;
        }

        Tensor param(Random rnd, double scale, int... shape) {
            Tensor t = zeros(shape);
            int n = Math.toIntExact(t.elements());
            MemorySegment s = arena.allocate(4L * n, 4);
            for (int i = 0; i < n; i++) s.setAtIndex(JAVA_FLOAT, i, (float) ((rnd.nextDouble() * 2 - 1) * scale));
            k.upload(s, t);
            return t;
        }

        long parameters() {
            long n = head.w.elements() + head.b.elements();
            for (Conv[] level : enc) for (Conv v : level) n += v.w.elements() + v.b.elements();
            for (Conv[] level : dec) for (Conv v : level) if (v != null) n += v.w.elements() + v.b.elements();
            return n;
        }

        private void timed(String op, Runnable r) {
            timed(op, null, r);
        }

        /** Times {@code r} into the profile under {@code op}, and under {@code op + " " + layer} when layer is set. */
        private void timed(String op, String layer, Runnable r) {
            if (!profiling) {
                r.run();
                return;
            }
            k.synchronize();
            long t0 = System.nanoTime();
            r.run();
            k.synchronize();
            double ms = (System.nanoTime() - t0) / 1e6;
            profile.merge(op, ms, Double::sum);
            if (layer != null) layers.merge(op + " " + layer, ms, Double::sum);
        }

        private static String layer(Conv v, Tensor x) {
            return v.ci + "->" + v.co + " k" + v.k + " " + x.shape()[2] + "x" + x.shape()[3];
        }

        private void fwd(Conv v, Tensor x, Tensor y) {
            timed("conv forward", layer(v, x), () -> {
                if (v.relu) k.conv2dForwardRelu(x, v.w, v.b, y);
                else k.conv2dForward(x, v.w, v.b, y);
            });
        }

        /** dy is the gradient w.r.t. v's (post-ReLU) output y; dx null skips the data gradient. */
        private void bwd(Conv v, Tensor x, Tensor y, Tensor dy, Tensor dx) {
            String layer = layer(v, x);
            if (v.relu) timed("relu backward", () -> k.reluBackward(y, dy, dy));
            timed("conv backward-filter", layer, () -> k.conv2dBackwardFilter(x, dy, v.dw, v.db));
            if (dx != null) timed("conv backward-data", layer, () -> k.conv2dBackwardData(dy, v.w, dx));
        }

        void forward() {
            Tensor cur = input;
            for (int l = 0; l < L; l++) {
                fwd(enc[l][0], cur, a0[l]);
                fwd(enc[l][1], a0[l], a1[l]);
                if (l < L - 1) {
                    int ll = l;
                    timed("max-pool forward", () -> k.maxPool2Forward(a1[ll], pool[ll]));
                    cur = pool[l];
                }
            }
            cur = a1[L - 1];
            for (int l = L - 2; l >= 0; l--) {
                Tensor from = cur;
                int ll = l;
                timed("upsample forward", () -> k.upsample2Forward(from, up[ll]));
                fwd(dec[l][0], up[l], upc[l]);
                timed("concat", () -> k.concatChannels(a1[ll], upc[ll], cat[ll]));
                fwd(dec[l][1], cat[l], d0[l]);
                fwd(dec[l][2], d0[l], d1[l]);
                cur = d1[l];
            }
            fwd(head, cur, out);
        }

        double trainStep() {
            forward();
            double[] loss = {0};
            timed("l1 loss", () -> loss[0] = k.l1Loss(out, target, mask, dOut));
            Tensor top = L > 1 ? d1[0] : a1[0];
            Tensor gTop = L > 1 ? gd1[0] : ga1[0];
            bwd(head, top, out, dOut, gTop);
            for (int l = 0; l < L - 1; l++) {
                bwd(dec[l][2], d0[l], d1[l], gd1[l], gd0[l]);
                bwd(dec[l][1], cat[l], d0[l], gd0[l], gcat[l]);
                int ll = l;
                timed("split", () -> k.splitChannels(gcat[ll], gskip[ll], gupc[ll]));
                bwd(dec[l][0], up[l], upc[l], gupc[l], gup[l]);
                Tensor gBelow = l + 1 < L - 1 ? gd1[l + 1] : ga1[L - 1];
                timed("upsample backward", () -> k.upsample2Backward(gup[ll], gBelow));
            }
            for (int l = L - 1; l >= 0; l--) {
                int ll = l;
                if (l < L - 1) {
                    timed("max-pool backward", () -> k.maxPool2Backward(a1[ll], gpool[ll], ga1[ll]));
                    if (cuda != null) timed("add (skip)", () -> cuda.add(ga1[ll], gskip[ll], ga1[ll]));
                    else timed("add (skip)", () -> k.add(ga1[ll], gskip[ll], ga1[ll]));
                }
                bwd(enc[l][1], a0[l], a1[l], ga1[l], ga0[l]);
                bwd(enc[l][0], l == 0 ? input : pool[l - 1], a0[l], ga0[l], l == 0 ? null : gpool[l - 1]);
            }
            step++;
            timed("adam", () -> {
                for (Conv[] level : enc) for (Conv v : level) adam(v);
                for (Conv[] level : dec) for (Conv v : level) if (v != null) adam(v);
                adam(head);
            });
            return loss[0];
        }

        private void adam(Conv v) {
            k.adamStep(v.w, v.dw, v.mw, v.vw, 1e-4f, 0.9f, 0.999f, 1e-7f, step);
            k.adamStep(v.b, v.db, v.mb, v.vb, 1e-4f, 0.9f, 0.999f, 1e-7f, step);
        }

        @Override
        public void close() {
            for (Tensor t : all) t.close();
            arena.close();
        }
    }

    private NnBench() {}

    /** Warms up, times {@code steps} training steps and {@code steps} inference batches, then profiles one step. */
    public static Timing run(NnKernels k, Config c, int steps, long seed) {
        return run(k, c, steps, seed, false);
    }

    /**
     * As {@link #run(NnKernels, Config, int, long)}; {@code inferenceOnly} skips the training steps and the profile
     * (train step NaN), after one warm-up forward.
     */
    public static Timing run(NnKernels k, Config c, int steps, long seed, boolean inferenceOnly) {
        try (Net net = new Net(k, c, seed)) {
            double train = Double.NaN, loss = Double.NaN;
            long t0;
            if (!inferenceOnly) {
                for (int i = 0; i < 2; i++) net.trainStep();
                k.synchronize();
                t0 = System.nanoTime();
                for (int i = 0; i < steps; i++) loss = net.trainStep();
                k.synchronize();
                train = (System.nanoTime() - t0) / 1e6 / steps;
            }
            net.forward();
            k.synchronize();
            t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) net.forward();
            k.synchronize();
            double infer = (System.nanoTime() - t0) / 1e6 / steps;
            if (!inferenceOnly) {
                net.profiling = true;
                net.trainStep();
                net.profiling = false;
            }
            return new Timing(
                    c, k.name(), train, infer, infer / c.batch(), loss, net.profile, net.layers, net.parameters());
        }
    }

    public static void main(String[] args) throws CudaUnavailableException {
        String backend = "cuda";
        int levels = 6, filters = 32, kernel = 5, batch = 8, size = 640, channels = 3, steps = 5, threads = 0;
        double factor = 2;
        boolean inferenceOnly = false;
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--inference-only")) {
                inferenceOnly = true;
                i--;
                continue;
            }
            if (i + 1 >= args.length) usage("missing value for " + args[i]);
            String v = args[i + 1];
            switch (args[i]) {
                case "--backend" -> backend = v;
                case "--levels" -> levels = Integer.parseInt(v);
                case "--filters" -> filters = Integer.parseInt(v);
                case "--factor" -> factor = Double.parseDouble(v);
                case "--kernel" -> kernel = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--size" -> size = Integer.parseInt(v);
                case "--channels" -> channels = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                default -> usage("unknown option " + args[i]);
            }
        }
        Config config = new Config(levels, filters, factor, kernel, batch, size, channels);
        if (backend.equals("java")) {
            try (JavaNnKernels k = new JavaNnKernels(threads)) {
                String json = run(k, config, steps, 1, inferenceOnly).json();
                System.out.println(json.substring(0, json.length() - 1) + ", \"threads\": " + k.threads() + "}");
            }
            return;
        }
        CudaNnKernels.ConvLibrary conv = switch (backend) {
            case "cuda" -> CudaNnKernels.ConvLibrary.CUDA;
            case "cudnn" -> CudaNnKernels.ConvLibrary.CUDNN;
            default -> {
                usage("--backend is cuda, cudnn or java");
                yield null;
            }
        };
        try (CudaNnKernels k = CudaNnKernels.open(0, conv)) {
            System.out.println(run(k, config, steps, 1, inferenceOnly).json());
        }
    }

    private static void usage(String why) {
        System.err.println("NnBench: " + why);
        System.exit(2);
    }
}
