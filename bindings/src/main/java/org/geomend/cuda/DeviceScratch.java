package org.geomend.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

/**
 * Like {@link DeviceBuffer} (a device allocation that grows on demand and is reused), but on a {@link DevicePtr}
 * so that its raw address can be handed to cuDNN. Owned by {@link CudaNnKernels}; not thread-safe.
 */
final class DeviceScratch implements AutoCloseable {

    private final String name;
    private DevicePtr ptr;
    private long capacity;

    DeviceScratch(String name) { this.name = name; }

    /** The pointer, at least {@code bytes} long (contents undefined after growing). */
    DevicePtr ensure(long bytes) {
        long need = Math.max(bytes, 256);
        if (ptr == null || capacity < need) {
            free();
            DevicePtr p = new DevicePtr();
            cuMemAlloc(p, need);
            ptr = p;
            capacity = need;
        }
        return ptr;
    }

    String name() { return name; }

    private void free() {
        if (ptr != null) {
            cuMemFree(ptr);
            ptr = null;
            capacity = 0;
        }
    }

    @Override public void close() { free(); }
}
