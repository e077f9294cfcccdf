package org.geomend.student;

import java.io.PrintStream;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.java.JavaNnKernels;

/**
 * Picks the {@link NnKernels} backend of the U-Net for {@code --backend} (and {@code --conv}) through the kernel
 * module's {@link org.geomend.kernels.nn.NnBackends}: {@code auto} is CUDA when a device starts, else Java with a
 * one-line notice; {@code cuda} / {@code cudnn} named explicitly run Java after a one-line notice when no device
 * starts (never a failure for want of a GPU).
 */
public final class NnBackends {

    private NnBackends() {}

    public static NnKernels open(String backend, int threads, PrintStream notices) {
        return open(backend, null, threads, notices);
    }

    /**
     * Like {@link org.geomend.kernels.nn.NnBackends#select(String, String, java.util.function.Supplier, PrintStream)},
     * except that a GPU backend named explicitly ({@code --backend cuda}, {@code --conv cudnn}) that cannot start
     * falls back to Java with a one-line notice, as every command does for want of a GPU.
     */
    public static NnKernels open(String backend, String conv, int threads, PrintStream notices) {
        return org.geomend.kernels.Backends.orJava(
                () -> org.geomend.kernels.nn.NnBackends.select(backend, conv, () -> new JavaNnKernels(threads), notices),
                () -> new JavaNnKernels(threads), notices);
    }
}
