package org.geomend.cuda;

import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.NnKernelsProvider;

/**
 * Registers {@link CudaNnKernels} with hand-written convolutions as neural-network backend {@code cuda} (priority
 * 100: {@code --backend auto} prefers it). The device is {@code GEOMEND_CUDA_DEVICE} (default 0). Unverified on a GPU.
 */
public final class CudaNnKernelsProvider implements NnKernelsProvider {

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public NnKernels create() throws CudaUnavailableException {
        return CudaNnKernels.open(CudaModule.deviceOrdinal(), CudaNnKernels.ConvLibrary.CUDA);
    }
}
