package org.geomend.student;

import java.io.PrintStream;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.java.JavaNnKernels;

/**
 * Picks the {@link NnKernels} backend for {@code --backend}. Only the Java backend is in this module; the CUDA /
 * cuDNN backend of issue 5 lives in {@code bindings} and plugs in here when it lands (until then {@code auto} means
 * Java and {@code cuda} says so on stderr and uses Java).
 */
public final class NnBackends {

    private NnBackends() {}

    public static NnKernels open(String backend, int threads, PrintStream notices) {
        if (backend.equals("cuda"))
            notices.println("geomend: note: no CUDA NN backend in this build; the U-Net runs on the Java backend");
        return new JavaNnKernels(threads);
    }
}
