package org.geomend.cuda;

import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GeoKernelsProvider;

/**
 * Registers {@link CudaKernels} as backend {@code cuda} (priority 100, so {@code --backend auto}
 * prefers it). The device is {@code GEOMEND_CUDA_DEVICE} (default 0).
 */
public final class CudaKernelsProvider implements GeoKernelsProvider {

    @Override public String name() { return "cuda"; }

    @Override public int priority() { return 100; }

    @Override public GeoKernels create() throws CudaUnavailableException {
        return CudaKernels.open(deviceOrdinal());
    }

    /** The device of {@code GEOMEND_CUDA_DEVICE} (default 0), for every CUDA provider. */
    static int deviceOrdinal() throws CudaUnavailableException {
        String d = System.getenv("GEOMEND_CUDA_DEVICE");
        try {
            return d == null || d.isBlank() ? 0 : Integer.parseInt(d.trim());
        } catch (NumberFormatException e) {
            throw new CudaUnavailableException("GEOMEND_CUDA_DEVICE is not a device number: " + d);
        }
    }
}
