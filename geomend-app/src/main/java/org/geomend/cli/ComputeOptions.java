package org.geomend.cli;

import org.geomend.kernels.Backends;
import org.geomend.kernels.GeoKernels;
import picocli.CommandLine.Option;

/** Options every compute command shares: the backend and the CPU threads. */
final class ComputeOptions {

    @Option(names = "--backend", defaultValue = "auto", description = "auto|java|cuda (auto = CUDA when a device is present). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads for the java backend (0 = all cores).")
    int threads;

    GeoKernels open() {
        if (!backend.equals("auto") && !backend.equals("java") && !backend.equals("cuda"))
            throw new IllegalArgumentException("--backend must be auto, java or cuda: '" + backend + "'");
        return Backends.select(backend, threads, System.err);
    }
}
