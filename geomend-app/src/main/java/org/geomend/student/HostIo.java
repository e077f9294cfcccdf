package org.geomend.student;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;

/** Copies between heap float arrays and backend tensors (through a temporary native buffer). */
public final class HostIo {

    private HostIo() {}

    public static void upload(NnKernels nn, float[] src, Tensor dst) {
        if (src.length != dst.elements())
            throw new IllegalArgumentException("upload: " + src.length + " values for " + dst.elements());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(src.length * 4L, 4);
            MemorySegment.copy(src, 0, s, ValueLayout.JAVA_FLOAT, 0, src.length);
            nn.upload(s, dst);
        }
    }

    public static float[] download(NnKernels nn, Tensor src) {
        float[] out = new float[Math.toIntExact(src.elements())];
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(out.length * 4L, 4);
            nn.download(src, s);
            MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        }
        return out;
    }
}
