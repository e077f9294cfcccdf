package org.geomend.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;
import org.geomend.kernels.nn.java.JavaNnKernels;
import org.geomend.student.HostIo;
import org.geomend.student.UNet;
import org.geomend.student.UNetConfig;

/**
 * A bench harness (not JMH: one run of a few repetitions) for the U-Net student on the Java backend: inference time
 * per BS at a given config on one padded window, and one training step (forward + L1 + backward + Adam).
 * <pre>java ... org.geomend.bench.UNetBench [threads] [side] [trainBatch] [trainSide] [reps] [convs] [conv]</pre>
 * Defaults: all cores, the paper's network on a 600 x 600 window (608 padded), training batch 8 at 150 x 150 (160),
 * forward convolutions {@code auto} (Winograd where it pays; {@code direct} or {@code winograd}: see
 * {@link JavaNnKernels.ConvAlgorithm}). JMH {@link UNetInferenceBench} times inference both ways in one run.
 */
public final class UNetBench {

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int side = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int trainSide = args.length > 3 ? Integer.parseInt(args[3]) : 150;
        int reps = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        int convs = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        JavaNnKernels.ConvAlgorithm conv =
                JavaNnKernels.ConvAlgorithm.valueOf((args.length > 6 ? args[6] : "auto").toUpperCase(Locale.ROOT));
        UNetConfig p = UNetConfig.paper();
        UNetConfig cfg = new UNetConfig(p.depth(), p.filters(), p.factor(), p.kernel(), convs, p.features(), side, 100);
        try (NnKernels nn = new JavaNnKernels(threads, conv);
                UNet net = new UNet(nn, cfg, 1)) {
            System.out.printf(
                    Locale.ROOT,
                    "U-Net %d levels, %d filters, factor %s, %dx%d kernels, %d conv(s)/level: %d parameters; %s threads; forward convolutions %s%n",
                    cfg.depth(),
                    cfg.filters(),
                    cfg.factor(),
                    cfg.kernel(),
                    cfg.kernel(),
                    convs,
                    net.parameterCount(),
                    threads <= 0 ? "all " + Runtime.getRuntime().availableProcessors() : threads,
                    conv.name().toLowerCase(Locale.ROOT));
            int ps = cfg.padded(side);
            HostIo.upload(nn, random(3L * ps * ps, 1), net.input(1, ps, ps));
            for (int r = 0; r <= reps; r++) {
                long t0 = System.nanoTime();
                net.infer();
                double ms = (System.nanoTime() - t0) / 1e6;
                System.out.printf(
                        Locale.ROOT,
                        "inference %s %dx%d (padded %d): %.1f ms per BS%n",
                        r == 0 ? "(warm-up)" : "",
                        side,
                        side,
                        ps,
                        ms);
            }
            int ts = cfg.padded(trainSide);
            HostIo.upload(nn, random((long) batch * 3 * ts * ts, 2), net.input(batch, ts, ts));
            try (Tensor target = nn.allocate(batch, 1, ts, ts);
                    Tensor mask = nn.allocate(batch, 1, ts, ts)) {
                HostIo.upload(nn, random((long) batch * ts * ts, 3), target);
                nn.fill(mask, 1f);
                var params = net.params();
                Tensor[] m = new Tensor[params.size()], v = new Tensor[params.size()];
                for (int i = 0; i < m.length; i++) {
                    m[i] = nn.allocate(params.get(i).value().shape());
                    v[i] = nn.allocate(params.get(i).value().shape());
                }
                for (int r = 0; r <= reps; r++) {
                    long t0 = System.nanoTime();
                    Tensor out = net.forward();
                    long t1 = System.nanoTime();
                    nn.l1Loss(out, target, mask, net.outputGradient());
                    net.backward();
                    long t2 = System.nanoTime();
                    for (int i = 0; i < m.length; i++)
                        nn.adamStep(
                                params.get(i).value(),
                                params.get(i).grad(),
                                m[i],
                                v[i],
                                1e-4f,
                                0.9f,
                                0.999f,
                                1e-7f,
                                r + 1);
                    long t3 = System.nanoTime();
                    System.out.printf(
                            Locale.ROOT,
                            "training step %s batch %d at %dx%d: %.0f ms (forward %.0f, backward %.0f, adam %.1f)%n",
                            r == 0 ? "(warm-up)" : "",
                            batch,
                            ts,
                            ts,
                            (t3 - t0) / 1e6,
                            (t1 - t0) / 1e6,
                            (t2 - t1) / 1e6,
                            (t3 - t2) / 1e6);
                }
                for (int i = 0; i < m.length; i++) {
                    m[i].close();
                    v[i].close();
                }
            }
        }
    }

    /** {@code n} floats uniform in [0, 1) from {@code SplittableRandom(seed)}. */
    public static float[] random(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
        return a;
    }
}
