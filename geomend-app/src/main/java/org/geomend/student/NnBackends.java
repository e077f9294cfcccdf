package org.geomend.student;

import java.io.PrintStream;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.java.JavaNnKernels;

/**
 * Picks the {@link NnKernels} backend of the U-Net for {@code --backend} (and {@code --conv}) through the kernel
 * module's {@link org.geomend.kernels.nn.NnBackends}: {@code auto} is CUDA when a device starts, else Java with a
 * one-line notice; {@code cuda} / {@code cudnn} named explicitly fail with a one-line reason when no device starts.
 */
public final class NnBackends {

    private NnBackends() {}

    public static NnKernels open(String backend, int threads, PrintStream notices) {
        return open(backend, null, threads, notices);
    }

    public static NnKernels open(String backend, String conv, int threads, PrintStream notices) {
        return org.geomend.kernels.nn.NnBackends.select(backend, conv, () -> new JavaNnKernels(threads), notices);
    }
}
