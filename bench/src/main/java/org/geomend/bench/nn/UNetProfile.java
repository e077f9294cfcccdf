package org.geomend.bench.nn;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;
import org.geomend.kernels.nn.java.JavaNnKernels;
import org.geomend.student.HostIo;
import org.geomend.student.UNet;
import org.geomend.student.UNetConfig;

/**
 * Where the Java U-Net inference spends its time: the paper's network ({@code UNetConfig.paper()}, one 608 x 608
 * window, random input) on {@link JavaNnKernels} behind a proxy that times every {@link NnKernels} call, summed per
 * operation and input shape over {@code --reps} inferences after {@code --warmup}. The proxy costs microseconds per
 * call (about 60 calls per inference), so the sum of the calls is the inference time.
 *
 * <p>Run: {@code java --add-modules=jdk.incubator.vector -cp bench/target/geomend-bench.jar
 * org.geomend.bench.nn.UNetProfile [--threads N] [--reps R] [--warmup W] [--train]}; {@code --train} profiles
 * {@link UNet#forward} (which keeps the concatenations for a backward pass) instead of {@link UNet#infer}.
 */
public final class UNetProfile {

    private UNetProfile() {}

    public static void main(String[] args) throws Exception {
        int threads = 0, reps = 10, warmup = 5;
        boolean train = false;
        for (int i = 0; i < args.length; i++)
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--train" -> train = true;
                default ->
                    throw new IllegalArgumentException(
                            "usage: UNetProfile [--threads N] [--reps R] [--warmup W] [--train]");
            }
        Map<String, double[]> acc = new TreeMap<>();
        boolean[] on = {false};
        try (JavaNnKernels real = new JavaNnKernels(threads, JavaNnKernels.ConvAlgorithm.AUTO)) {
            NnKernels nn = (NnKernels) Proxy.newProxyInstance(
                    NnKernels.class.getClassLoader(), new Class<?>[] {NnKernels.class}, (px, m, a) -> {
                        long t0 = System.nanoTime();
                        Object r;
                        try {
                            r = m.invoke(real, a);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        long dt = System.nanoTime() - t0;
                        if (on[0] && a != null && a.length > 0 && a[0] instanceof Tensor t) {
                            String key = m.getName() + " " + Arrays.toString(t.shape());
                            if (m.getName().contains("onv") && a.length > 2 && a[a.length - 3] instanceof Tensor w)
                                key += " w" + Arrays.toString(w.shape());
                            double[] v = acc.computeIfAbsent(key, k -> new double[2]);
                            v[0] += dt / 1e6;
                            v[1]++;
                        }
                        return r;
                    });
            UNetConfig cfg = UNetConfig.paper();
            try (UNet net = new UNet(nn, cfg, 1)) {
                int s = cfg.padded(600);
                HostIo.upload(nn, org.geomend.bench.UNetBench.random(3L * s * s, 1), net.input(1, s, s));
                for (int i = 0; i < warmup; i++) run(net, train);
                on[0] = true;
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) run(net, train);
                double total = (System.nanoTime() - t0) / 1e6 / reps;
                List<Map.Entry<String, double[]>> rows = new ArrayList<>(acc.entrySet());
                rows.sort((p, q) -> Double.compare(q.getValue()[0], p.getValue()[0]));
                System.out.printf(
                        Locale.ROOT,
                        "U-Net %s, paper network, 608 x 608, %d threads, mean of %d after %d warm-up: %.1f ms%n",
                        train ? "forward (training)" : "inference",
                        real.threads(),
                        reps,
                        warmup,
                        total);
                System.out.println("| ms | share | calls | operation, first input, filters |\n|---|---|---|---|");
                for (var e : rows) {
                    double ms = e.getValue()[0] / reps;
                    System.out.printf(
                            Locale.ROOT,
                            "| %.2f | %.1f %% | %d | %s |%n",
                            ms,
                            100 * ms / total,
                            (long) (e.getValue()[1] / reps),
                            e.getKey());
                }
            }
        }
    }

    private static void run(UNet net, boolean train) {
        if (train) net.forward();
        else net.infer();
    }
}
