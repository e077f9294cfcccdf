package org.geomend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

/**
 * A device allocation that grows (never shrinks) on demand and is reused across calls; owned by
 * {@link CudaKernels}, freed in {@link #close()}. Not thread-safe (the owner serialises use).
 */
final class DeviceBuffer implements AutoCloseable {

    private final String name;
    private CUdeviceptr ptr;
    private long capacity;

    DeviceBuffer(String name) { this.name = name; }

    /** The device pointer, at least {@code bytes} long (contents are undefined after growing). */
    CUdeviceptr ensure(long bytes) {
        long need = Math.max(bytes, 256);
        if (ptr == null || capacity < need) {
            free();
            long cap = Math.max(need, capacity + capacity / 2);
            CUdeviceptr p = new CUdeviceptr();
            try {
                cuMemAlloc(p, cap);
            } catch (RuntimeException e) {
                // retry at the exact size before giving up (the growth slack may be what does not fit)
                if (cap == need) throw e;
                cap = need;
                cuMemAlloc(p, cap);
            }
            ptr = p;
            capacity = cap;
        }
        return ptr;
    }

    long capacity() { return capacity; }

    String name() { return name; }

    /** A pointer-to-pointer for a kernel parameter list. */
    Pointer param() { return Pointer.to(ptr); }

    private void free() {
        if (ptr != null) {
            cuMemFree(ptr);
            ptr = null;
            capacity = 0;
        }
    }

    @Override public void close() { free(); }
}
