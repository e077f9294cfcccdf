package org.geomend.cli;

import java.util.Locale;
import org.geomend.dataset.Dataset;
import org.geomend.student.UNetConfig;
import picocli.CommandLine.Option;

/**
 * The U-Net's shape, the grid it trains on and who runs its convolutions: shared by {@code geomend train} and the
 * per-fold training of {@code deepmend} / {@code direct} in {@code geomend eval}.
 */
final class UNetOptions {

    @Option(names = "--window", description = "U-Net: window side in pixels to train on (default: the dataset's).")
    Integer window;

    @Option(
            names = "--resolution",
            description =
                    "U-Net: pixel side in metres to train on (default: the dataset's); labels are resampled by summing.")
    Double resolution;

    @Option(names = "--depth", defaultValue = "6", description = "U-Net levels (default ${DEFAULT-VALUE}).")
    int depth;

    @Option(
            names = "--filters",
            defaultValue = "32",
            description = "U-Net filters at the first level (default ${DEFAULT-VALUE}).")
    int filters;

    @Option(
            names = "--factor",
            defaultValue = "0.5",
            description =
                    "U-Net filter factor from one level to the next (default ${DEFAULT-VALUE}: the paper's text).")
    double factor;

    @Option(
            names = "--kernel",
            defaultValue = "5",
            description = "U-Net convolution kernel side, odd (default ${DEFAULT-VALUE}).")
    int kernel;

    @Option(
            names = "--convs",
            defaultValue = "1",
            description = "U-Net convolutions per level (default ${DEFAULT-VALUE}: the paper's text).")
    int convs;

    @Option(
            names = "--features",
            defaultValue = "paper",
            description =
                    "U-Net input: paper (NN1, NN2, NN3) or repo (NN1, NN2, mean NN1..NN5); default ${DEFAULT-VALUE}.")
    String features;

    @Option(
            names = "--conv",
            defaultValue = "cuda",
            description =
                    "Who runs the U-Net's convolutions on the GPU: cuda (hand-written kernels) or cudnn (cuDNN 9); default ${DEFAULT-VALUE}.")
    String conv;

    /** The network these options describe, on the dataset's grid unless --window / --resolution say otherwise. */
    UNetConfig config(Dataset d) {
        return new UNetConfig(
                depth,
                filters,
                factor,
                kernel,
                convs,
                features.toLowerCase(Locale.ROOT),
                window == null ? d.window() : window,
                resolution == null ? d.resolution() : resolution);
    }
}
