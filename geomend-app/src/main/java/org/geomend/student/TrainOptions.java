package org.geomend.student;

import java.nio.file.Path;

/**
 * What {@code geomend train} was asked: {@code labels} is the teacher's {@code labels.arrow} (DeepMEND) or null
 * for the dataset's ground truth (Direct); {@code valFraction} of the labelled sites (drawn with the seed) are held
 * out for the per-epoch validation KS2 against the ground truth. {@code keepBest}: {@code model.safetensors} holds the
 * epoch with the lowest validation KS2 median so far (the last epoch when there are no validation sites); false: the
 * last epoch. The checkpoint ({@code --resume}) always holds the last epoch. {@code userWeight} (lambda; the CLI's
 * default 1, 0 is the paper's plain L1) weighs each pixel's L1 term by {@code 1 + lambda * N * y} with {@code y} the
 * label's mass there and {@code N} the window's pixels ({@link Trainer#lossWeights}).
 */
public record TrainOptions(
        Path dataset,
        Path labels,
        Path out,
        UNetConfig config,
        int epochs,
        int batch,
        double lr,
        long seed,
        boolean resume,
        double valFraction,
        int maxSites,
        boolean keepBest,
        double userWeight) {

    public TrainOptions {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1: " + epochs);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1: " + batch);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0: " + lr);
        if (!(valFraction >= 0 && valFraction < 1))
            throw new IllegalArgumentException("--val-fraction must be in [0, 1): " + valFraction);
        if (!(userWeight >= 0 && userWeight <= 1e6))
            throw new IllegalArgumentException("--user-weight must be in [0, 1e6]: " + userWeight);
    }
}
