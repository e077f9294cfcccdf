package org.geomend.bench.nn;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Java U-Net inference of two or more builds of geomend in one process, interleaved: each shaded jar (say
 * {@code bench/target/geomend-bench.jar} of two commits) gets its own class loader, its own
 * {@code JavaNnKernels} and the paper's network ({@code UNetConfig.paper()}, one 608 x 608 window, the same random
 * input), and every round runs one inference ({@code UNet.infer}, or {@code forward} in builds before it) of each
 * in turn. On a machine whose speed drifts between runs by more
 * than the change under test, the per-round ratio to the first jar is the trustworthy number: both builds see the
 * same drift. Prints per jar the min and median ms and the median and quartiles of the per-round ratio.
 *
 * <p>Run: {@code java --add-modules=jdk.incubator.vector -cp bench/target/geomend-bench.jar
 * org.geomend.bench.nn.UNetJarAB [--threads N] [--rounds R] [--warmup W] A.jar B.jar ...}; the system properties
 * of this JVM (e.g. {@code -Dgeomend.nn.winograd.tile=8x1}) reach every build. Only public API is called, by
 * reflection, so any build since the U-Net landed can be compared.
 */
public final class UNetJarAB {

    private UNetJarAB() {}

    /** One build: its network and how to run one forward. */
    private record Build(String name, Object net, Method forward) {
        double forwardMs() throws Exception {
            long t0 = System.nanoTime();
            forward.invoke(net);
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        int threads = 0, rounds = 20, warmup = 3;
        List<Path> jars = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> {
                    Path p = Path.of(args[i]);
                    if (!Files.isRegularFile(p)) throw new IllegalArgumentException("not a jar: " + p);
                    jars.add(p);
                }
            }
        }
        if (jars.size() < 2)
            throw new IllegalArgumentException(
                    "usage: UNetJarAB [--threads N] [--rounds R] [--warmup W] A.jar B.jar ...");
        List<Build> builds = new ArrayList<>();
        for (Path jar : jars) builds.add(load(jar, threads));
        int nb = builds.size();
        double[][] ms = new double[nb][rounds];
        for (int r = 0; r < warmup + rounds; r++)
            for (int b = 0; b < nb; b++) {
                double t = builds.get(b).forwardMs();
                if (r >= warmup) ms[b][r - warmup] = t;
            }
        System.out.printf(
                Locale.ROOT,
                "U-Net forward, paper network, one 608 x 608 window, threads %s, %d rounds after %d warm-up, interleaved%n",
                threads <= 0 ? "all (" + Runtime.getRuntime().availableProcessors() + ")" : threads,
                rounds,
                warmup);
        System.out.println(
                "| build | min ms | median ms | ratio to the first, median (quartiles) |\n|---|---|---|---|");
        for (int b = 0; b < nb; b++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) ratio[r] = ms[b][r] / ms[0][r];
            double[] t = ms[b].clone(), q = ratio.clone();
            Arrays.sort(t);
            Arrays.sort(q);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.1f | %.1f | %.3f (%.3f - %.3f) |%n",
                    builds.get(b).name(),
                    t[0],
                    t[rounds / 2],
                    q[rounds / 2],
                    q[rounds / 4],
                    q[(3 * rounds) / 4]);
        }
    }

    /** The Java convolution algorithm enum: {@code JavaNnKernels$ConvAlgorithm}, {@code $Conv} in jars before 2026-12-07. */
    private static Class<?> convClass(ClassLoader cl) throws ClassNotFoundException {
        try {
            return cl.loadClass("org.geomend.kernels.nn.java.JavaNnKernels$ConvAlgorithm");
        } catch (ClassNotFoundException e) {
            return cl.loadClass("org.geomend.kernels.nn.java.JavaNnKernels$Conv");
        }
    }

    private static Build load(Path jar, int threads) throws Exception {
        URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Class<?> nnI = cl.loadClass("org.geomend.kernels.nn.NnKernels");
        Class<?> tensor = cl.loadClass("org.geomend.kernels.nn.Tensor");
        Class<?> javaNn = cl.loadClass("org.geomend.kernels.nn.java.JavaNnKernels");
        Class<?> conv = convClass(cl);
        Class<?> cfgC = cl.loadClass("org.geomend.student.UNetConfig");
        Class<?> unetC = cl.loadClass("org.geomend.student.UNet");
        Class<?> io = cl.loadClass("org.geomend.student.HostIo");
        Object auto = conv.getMethod("valueOf", String.class).invoke(null, "AUTO");
        Object nn = javaNn.getConstructor(int.class, conv).newInstance(threads, auto);
        Object cfg = cfgC.getMethod("paper").invoke(null);
        Constructor<?> mk = unetC.getConstructor(nnI, cfgC, long.class);
        Object net = mk.newInstance(nn, cfg, 1L);
        int s = (int) cfgC.getMethod("padded", int.class).invoke(cfg, 600);
        Object in = unetC.getMethod("input", int.class, int.class, int.class).invoke(net, 1, s, s);
        float[] x = new float[3 * s * s];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        io.getMethod("upload", nnI, float[].class, tensor).invoke(null, nn, x, in);
        Method run;
        try {
            run = unetC.getMethod("infer");
        } catch (NoSuchMethodException e) { // builds before UNet.infer
            run = unetC.getMethod("forward");
        }
        return new Build(jar.toString(), net, run);
    }
}
