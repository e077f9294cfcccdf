package org.geomend.cuda;

import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.NnKernelsProvider;

/**
 * Registers {@link CudaNnKernels} with cuDNN 9 convolutions as neural-network backend {@code cudnn} ({@code --conv
 * cudnn}). Priority 90, below {@code cuda}, so {@code --backend auto} never picks it: cuDNN is a comparison to ask
 * for. Needs {@code libcudnn.so.9} (see {@link CudnnLibrary} for where it is looked for). Unverified on a GPU.
 */
public final class CudnnNnKernelsProvider implements NnKernelsProvider {

    @Override
    public String name() {
        return "cudnn";
    }

    @Override
    public int priority() {
        return 90;
    }

    /** A comparison to ask for: {@code auto} never picks it. */
    @Override
    public boolean inAuto() {
        return false;
    }

    @Override
    public NnKernels create() throws CudaUnavailableException {
        return CudaNnKernels.open(CudaModule.deviceOrdinal(), CudaNnKernels.ConvLibrary.CUDNN);
    }
}
