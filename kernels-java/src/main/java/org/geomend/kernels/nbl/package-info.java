/**
 * Batch scoring kernel of Network-Based Localization (NBL, "Can you find me now?", eq. 1-7): the
 * {@link org.geomend.kernels.nbl.NblScoring} interface, its multi-threaded Java implementation
 * {@link org.geomend.kernels.nbl.JavaNblScoring} and the float64 reference
 * {@link org.geomend.kernels.nbl.NblReference} it is tested against.
 *
 * <p>Data are flat primitive arrays: the coverage map ({@link org.geomend.kernels.nbl.NblMapArrays}), a
 * batch of records in CSR form ({@link org.geomend.kernels.nbl.NblBatch}) and the estimates
 * ({@link org.geomend.kernels.nbl.NblResult}, with the uncertainty radius). The scoring rules shared by
 * every implementation are in {@link org.geomend.kernels.nbl.NblModel}, the choices among them (candidate
 * rule, miss weight, RSSI / PD / density terms, exponents) in {@link org.geomend.kernels.nbl.NblOptions}.
 *
 * <p>{@link org.geomend.kernels.nbl.NblBackends} picks a backend by name ({@code auto}, {@code java},
 * {@code cuda}); other backends register an {@link org.geomend.kernels.nbl.NblScoringProvider}. The
 * CUDA one ({@code org.geomend.cuda.CudaNblScoring}, kernel {@code cuda-src/nbl.cu}) lives in
 * {@code geomend-bindings}; it is checked on the CUDA emulator and has never run on a GPU.
 */
package org.geomend.kernels.nbl;
