package org.geomend.cuda;

import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GeoKernelsProvider;

/**
 * Registers {@link CudaKernels} as backend {@code cuda} (priority 100, so {@code --backend auto}
 * prefers it). The device is {@code GEOMEND_CUDA_DEVICE} (default 0).
 */
public final class CudaKernelsProvider implements GeoKernelsProvider {

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public GeoKernels create() throws CudaUnavailableException {
        return CudaKernels.open(CudaModule.deviceOrdinal());
    }
}
