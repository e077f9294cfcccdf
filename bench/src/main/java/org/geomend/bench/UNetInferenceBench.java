package org.geomend.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.geomend.kernels.nn.Tensor;
import org.geomend.kernels.nn.java.JavaNnKernels;
import org.geomend.student.HostIo;
import org.geomend.student.UNet;
import org.geomend.student.UNetConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * U-Net student inference on the Java backend, direct against Winograd forward convolutions
 * ({@link JavaNnKernels.ConvAlgorithm}): {@code unet} is one forward pass of the paper's network (6 levels, 32 filters halving
 * per level, 5 x 5, one convolution per level) on one 600 x 600 window (608 padded), random He weights and inputs;
 * {@code conv48to32} is one 5 x 5 convolution 608 x 608 x 48 -> 32 channels. Run:
 * {@code java -jar bench/target/geomend-bench.jar UNetInferenceBench} (both ways in one run; {@code -p conv=direct}
 * for one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-modules=jdk.incubator.vector",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-Xmx4g"
        })
public class UNetInferenceBench {

    @Param({"direct", "auto"})
    public String conv;

    @Param({"0"})
    public int threads;

    JavaNnKernels nn;
    UNet net;
    Tensor x, w, b, y;

    @Setup(Level.Trial)
    public void setUp() {
        nn = new JavaNnKernels(threads, JavaNnKernels.ConvAlgorithm.valueOf(conv.toUpperCase(java.util.Locale.ROOT)));
        UNetConfig cfg = UNetConfig.paper();
        net = new UNet(nn, cfg, 1);
        int s = cfg.padded(600);
        HostIo.upload(nn, UNetBench.random(3L * s * s, 1), net.input(1, s, s));
        int ci = 48, co = 32, k = 5;
        x = nn.allocate(1, ci, s, s);
        w = nn.allocate(co, ci, k, k);
        b = nn.allocate(co);
        y = nn.allocate(1, co, s, s);
        float[] xv = UNetBench.random((long) ci * s * s, 2); // ReLU-like activations in [0, 1)
        HostIo.upload(nn, xv, x);
        SplittableRandom r = new SplittableRandom(3);
        float[] wv = new float[co * ci * k * k];
        double std = Math.sqrt(2.0 / (ci * k * k));
        for (int i = 0; i < wv.length; i++) wv[i] = (float) (r.nextGaussian() * std);
        HostIo.upload(nn, wv, w);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
        w.close();
        b.close();
        y.close();
        net.close();
        nn.close();
    }

    @Benchmark
    public Tensor unet() {
        return net.infer();
    }

    @Benchmark
    public Tensor conv48to32() {
        nn.conv2dForward(x, w, b, y);
        return y;
    }
}
