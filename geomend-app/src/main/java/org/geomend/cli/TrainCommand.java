package org.geomend.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.dataset.Dataset;
import org.geomend.io.InputException;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.Memory;
import org.geomend.kernels.nn.NnBackends;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.student.TrainOptions;
import org.geomend.student.Trainer;
import org.geomend.student.UNetConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code geomend train}: the U-Net student (DeepMEND on teacher labels, Direct on the ground truth). */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train the U-Net student on a dataset (geomend synth output): on the teacher's soft labels "
                    + "(--labels teacher:DIR, DeepMEND) or on the ground truth (--labels ground-truth, Direct). Writes --out/model.safetensors, "
                    + "config.json, checkpoint.safetensors (every epoch; --resume continues from it), train.csv and train.png."
        })
public final class TrainCommand implements Callable<Integer> {

    @Option(
            names = "--dataset",
            required = true,
            description = "Dataset directory: sites.csv and maps.arrow (ground truth).")
    Path dataset;

    @Option(
            names = "--labels",
            defaultValue = "ground-truth",
            description =
                    "teacher:DIR (DIR/labels.arrow of geomend teacher) or ground-truth (default ${DEFAULT-VALUE}).")
    String labels;

    @Option(names = "--out", required = true, description = "Model directory to write.")
    Path out;

    @Option(names = "--resume", description = "Continue from --out/checkpoint.safetensors when it exists.")
    boolean resume;

    @Option(names = "--max-sites", defaultValue = "0", description = "Use only the first N labelled sites (0 = all).")
    int maxSites;

    @Mixin
    TrainingOptions training;

    @Mixin
    UNetOptions net;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws Exception {
        Path labelFile = null;
        if (labels.startsWith("teacher:")) {
            Path d = Path.of(labels.substring("teacher:".length()));
            labelFile = Files.isDirectory(d) ? d.resolve("labels.arrow") : d;
            if (!Files.isRegularFile(labelFile))
                throw new InputException(labelFile, 0, "no teacher labels (run geomend teacher --out DIR first)");
        } else if (!labels.equals("ground-truth")) {
            throw new IllegalArgumentException("--labels must be teacher:DIR or ground-truth: '" + labels + "'");
        }
        training.check();
        Dataset d = Dataset.load(dataset);
        UNetConfig cfg = net.config(d);
        TrainOptions o = new TrainOptions(
                dataset,
                labelFile,
                out,
                cfg,
                training.epochs,
                training.batch,
                training.lr,
                training.seed,
                resume,
                training.valFraction,
                maxSites,
                training.keepBest(),
                training.userWeight);
        try (BufferAllocator alloc = Memory.child("train");
                GeoKernels geo = compute.open();
                NnKernels nn = NnBackends.open(compute.backend, net.conv, compute.threads, System.err)) {
            var h = new Trainer(o, nn, geo, alloc, System.err).run();
            var last = h.get(h.size() - 1);
            var kept = Trainer.kept(h, o.keepBest());
            System.err.printf(
                    Locale.ROOT,
                    "geomend train: %d epochs (nn backend %s), last loss %.5f, validation KS2 median %.4f; model.safetensors: epoch %d (validation KS2 median %.4f); wrote %s%n",
                    last.epoch(),
                    nn.name(),
                    last.trainLoss(),
                    last.valKs2Median(),
                    kept.epoch(),
                    kept.valKs2Median(),
                    out);
        }
        return 0;
    }
}
