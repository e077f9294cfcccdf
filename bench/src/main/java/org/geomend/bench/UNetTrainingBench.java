package org.geomend.bench;

import java.util.List;
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
 * One U-Net training step on the Java backend, direct against Winograd convolutions ({@link JavaNnKernels.ConvAlgorithm}:
 * the forward and backward data passes; backward filter is direct either way): the paper's network (6 levels, 32
 * filters halving per level, 5 x 5, one convolution per level), batch 8 of 160 x 160 random inputs and targets, full
 * mask; {@code step} is forward + L1 loss + backward + Adam, {@code forwardBackward} the same without Adam. Run:
 * {@code java -jar bench/target/geomend-bench.jar UNetTrainingBench} (both ways in one run; {@code -p conv=direct}
 * for one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-modules=jdk.incubator.vector",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-Xmx4g"
        })
public class UNetTrainingBench {

    @Param({"direct", "auto"})
    public String conv;

    @Param({"0"})
    public int threads;

    @Param({"8"})
    public int batch;

    @Param({"160"})
    public int side;

    JavaNnKernels nn;
    UNet net;
    Tensor target, mask;
    List<UNet.Param> params;
    Tensor[] m, v;
    int step;

    @Setup(Level.Trial)
    public void setUp() {
        nn = new JavaNnKernels(threads, JavaNnKernels.ConvAlgorithm.valueOf(conv.toUpperCase(java.util.Locale.ROOT)));
        UNetConfig cfg = UNetConfig.paper();
        net = new UNet(nn, cfg, 1);
        HostIo.upload(nn, UNetBench.random((long) batch * 3 * side * side, 2), net.input(batch, side, side));
        target = nn.allocate(batch, 1, side, side);
        mask = nn.allocate(batch, 1, side, side);
        HostIo.upload(nn, UNetBench.random((long) batch * side * side, 3), target);
        nn.fill(mask, 1f);
        params = net.params();
        m = new Tensor[params.size()];
        v = new Tensor[params.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = nn.allocate(params.get(i).value().shape());
            v[i] = nn.allocate(params.get(i).value().shape());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (int i = 0; i < m.length; i++) {
            m[i].close();
            v[i].close();
        }
        target.close();
        mask.close();
        net.close();
        nn.close();
    }

    @Benchmark
    public double forwardBackward() {
        double loss = nn.l1Loss(net.forward(), target, mask, net.outputGradient());
        net.backward();
        return loss;
    }

    @Benchmark
    public double step() {
        double loss = forwardBackward();
        step++;
        for (int i = 0; i < m.length; i++)
            nn.adamStep(params.get(i).value(), params.get(i).grad(), m[i], v[i], 1e-4f, 0.9f, 0.999f, 1e-7f, step);
        return loss;
    }
}
