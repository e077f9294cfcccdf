package org.geomend.cli;

import org.geomend.kernels.Backends;
import org.geomend.kernels.GeoKernels;
import picocli.CommandLine.Option;

/** Options every compute command shares: the backend and the CPU threads. */
final class ComputeOptions {

    @Option(
            names = "--backend",
            defaultValue = "auto",
            description = "auto|java|cuda (auto = CUDA when a device is present). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads for the java backend (0 = all cores).")
    int threads;

    /**
     * The kernels: {@code java}; {@code auto} and {@code cuda} the CUDA backend when a device starts, else Java with
     * a one-line notice on stderr (a missing GPU is never a failure; {@code nbl} does the same).
     */
    GeoKernels open() {
        return Backends.orJava(
                () -> Backends.select(backend, threads, System.err),
                () -> Backends.select("java", threads, null),
                System.err);
    }
}
