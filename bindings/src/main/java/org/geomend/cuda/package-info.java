/**
 * The CUDA backend of geomend: {@link org.geomend.cuda.CudaKernels} implements
 * {@link org.geomend.kernels.GeoKernels} on the JCuda driver API with the kernels of {@code cuda-src/}
 * (compiled by the {@code native-build} module into the {@code org/geomend/cuda/geomend.fatbin}
 * resource). {@link org.geomend.cuda.CudaKernelsProvider} registers it as backend {@code cuda}; without
 * a driver, a device, the JCuda natives or the fatbin, {@code create()} throws with a one-line reason
 * and never touches the JVM's stability. The JCuda backends share {@code CudaModule} (driver checks, device,
 * primary context, fatbin module, release) and {@code DeviceBuffer} (grow-only device allocations).
 */
package org.geomend.cuda;
