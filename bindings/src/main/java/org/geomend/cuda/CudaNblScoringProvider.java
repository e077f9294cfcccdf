package org.geomend.cuda;

import org.geomend.kernels.nbl.NblScoring;
import org.geomend.kernels.nbl.NblScoringProvider;

/**
 * Registers {@link CudaNblScoring} as NBL backend {@code cuda} (priority 100: {@code --backend auto}
 * prefers it). The device is {@code GEOMEND_CUDA_DEVICE} (default 0). Unverified on a GPU.
 */
public final class CudaNblScoringProvider implements NblScoringProvider {

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public NblScoring create() throws CudaUnavailableException {
        return CudaNblScoring.open(CudaModule.deviceOrdinal());
    }
}
