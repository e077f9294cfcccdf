package org.geomend.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import jcuda.Pointer;

/**
 * A device allocation that grows (never shrinks) on demand and is reused across calls; owned by one backend
 * ({@link CudaKernels}, {@link CudaNblScoring}, {@link CudaNnKernels}, {@link CudnnConvolutions}), freed in
 * {@link #close()}. Its pointer is a {@link DevicePtr}, so its raw address can be handed to cuDNN. Not thread-safe
 * (the owner serialises use).
 */
final class DeviceBuffer implements AutoCloseable {

    private final String name;
    private DevicePtr ptr;
    private long capacity;

    DeviceBuffer(String name) {
        this.name = name;
    }

    /**
     * The device pointer, at least {@code bytes} long (contents are undefined after growing). Grows with half again
     * as much slack, falling back to the exact size when the slack does not fit.
     */
    DevicePtr ensure(long bytes) {
        long need = Math.max(bytes, 256);
        return grow(need, Math.max(need, capacity + capacity / 2));
    }

    /** Like {@link #ensure}, but grows to exactly {@code bytes} (at least 256): scratch whose size settles at once. */
    DevicePtr ensureExact(long bytes) {
        long need = Math.max(bytes, 256);
        return grow(need, need);
    }

    private DevicePtr grow(long need, long cap) {
        if (ptr == null || capacity < need) {
            free();
            DevicePtr p = new DevicePtr();
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

    long capacity() {
        return capacity;
    }

    String name() {
        return name;
    }

    /** A pointer-to-pointer for a kernel parameter list. */
    Pointer param() {
        return Pointer.to(ptr);
    }

    private void free() {
        if (ptr != null) {
            cuMemFree(ptr);
            ptr = null;
            capacity = 0;
        }
    }

    @Override
    public void close() {
        free();
    }
}
