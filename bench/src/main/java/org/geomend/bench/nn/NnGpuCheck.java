package org.geomend.bench.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.geomend.cuda.CudaNnKernels;
import org.geomend.io.AtomicFiles;

/**
 * The one-shot GPU check of the U-Net kernels ({@code bench/gpu-check.sh} runs it): for the hand-written CUDA
 * convolutions and for cuDNN, every operation against the float64 reference ({@link NnConformance}), then the
 * U-Net training step and inference timings ({@link NnBench}) for the paper's filters (32 halving per level, as
 * section IV-B of the paper states) and the classic doubling ones. Writes a markdown report to {@code --out}
 * (temp name, then renamed) and one JSON line per timing to stdout. Exit status 0 when every comparison passed,
 * 1 when one failed, 3 when no backend started.
 *
 * <p>Run: {@code java -cp geomend-bench.jar org.geomend.bench.nn.NnGpuCheck --out report.md [--steps 3] [--size 640]}.
 */
public final class NnGpuCheck {

    private NnGpuCheck() {}

    public static void main(String[] args) throws IOException {
        Path out = null;
        int steps = 3, size = 640;
        for (int i = 0; i + 1 < args.length; i += 2)
            switch (args[i]) {
                case "--out" -> out = Path.of(args[i + 1]);
                case "--steps" -> steps = Integer.parseInt(args[i + 1]);
                case "--size" -> size = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("NnGpuCheck: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        if (out == null) {
            System.err.println("NnGpuCheck: --out FILE is required");
            System.exit(2);
        }
        StringBuilder md = new StringBuilder();
        md.append("# U-Net CUDA / cuDNN check (")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(")\n\n");
        md.append("Java ")
                .append(System.getProperty("java.version"))
                .append(", ")
                .append(System.getProperty("os.name"))
                .append(' ')
                .append(System.getProperty("os.arch"))
                .append(". Tolerances: relative 2-norm error ")
                .append(NnConformance.TOL)
                .append(" (")
                .append(NnConformance.TOL_SUMS)
                .append(
                        " for the filter and bias gradients); `repeat` rows must be exactly 0 (bit-for-bit repeatable).\n\n");
        boolean anyStarted = false, allOk = true;
        List<NnBench.Config> configs =
                List.of(new NnBench.Config(6, 32, 0.5, 5, 8, size, 3), new NnBench.Config(6, 32, 2.0, 5, 8, size, 3));
        for (CudaNnKernels.ConvLibrary conv : CudaNnKernels.ConvLibrary.values()) {
            String name = conv == CudaNnKernels.ConvLibrary.CUDNN ? "cudnn" : "cuda";
            md.append("## backend `").append(name).append("`\n\n");
            CudaNnKernels k;
            try {
                k = CudaNnKernels.open(0, conv);
            } catch (Exception e) {
                md.append("Did not start: ").append(e.getMessage()).append("\n\n");
                continue;
            }
            anyStarted = true;
            try (k) {
                md.append("Device: ").append(k.describe()).append("\n\n");
                List<NnConformance.Result> results = new ArrayList<>();
                try {
                    results = NnConformance.run(k, 20260101L);
                } catch (RuntimeException e) {
                    allOk = false;
                    md.append("Conformance run failed: ").append(e).append("\n\n");
                }
                md.append("| op | shape | error | tolerance | ok |\n|---|---|---|---|---|\n");
                for (NnConformance.Result r : results) {
                    allOk &= r.ok();
                    md.append(String.format(
                            Locale.ROOT,
                            "| %s | %s | %.3e | %.0e | %s |%n",
                            r.op(),
                            r.shape(),
                            r.error(),
                            r.tolerance(),
                            r.ok() ? "ok" : "**FAIL**"));
                }
                md.append('\n');
                for (NnBench.Config c : configs) {
                    try {
                        NnBench.Timing t = NnBench.run(k, c, steps, 1);
                        System.out.println(t.json());
                        md.append(String.format(
                                Locale.ROOT,
                                "U-Net (%s; %,d parameters): training step %.2f ms, inference %.2f ms"
                                        + " per batch of %d = %.3f ms per map; loss %.4g%n%n",
                                c.describe(),
                                t.parameters(),
                                t.trainStepMs(),
                                t.inferenceBatchMs(),
                                c.batch(),
                                t.inferenceMsPerMap(),
                                t.loss()));
                        md.append("| profiled step: op | ms |\n|---|---|\n");
                        t.profileMs()
                                .forEach((op, ms) -> md.append(String.format(Locale.ROOT, "| %s | %.2f |%n", op, ms)));
                        md.append('\n');
                    } catch (RuntimeException e) {
                        md.append("U-Net timing (")
                                .append(c.describe())
                                .append(") failed: ")
                                .append(e)
                                .append("\n\n");
                    }
                }
            }
        }
        AtomicFiles.writeString(out, md.toString());
        System.exit(!anyStarted ? 3 : allOk ? 0 : 1);
    }
}
