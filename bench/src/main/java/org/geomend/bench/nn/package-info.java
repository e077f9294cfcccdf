/**
 * The U-Net operations on the GPU: a naive float64 reference of every {@link org.geomend.kernels.nn.NnKernels}
 * operation ({@link org.geomend.kernels.nn.NnReference}), the conformance run of a backend against it on random
 * tensors of odd sizes ({@link org.geomend.bench.nn.NnConformance}, used by the JUnit suite and by the GPU check),
 * timings of each operation and of a whole U-Net training step and inference ({@link org.geomend.bench.nn.NnBench}),
 * and the one-shot GPU report ({@link org.geomend.bench.nn.NnGpuCheck}, run by {@code bench/gpu-check.sh}).
 * They live here, not in test scope, so that the shaded bench jar runs them on a GPU machine without Maven.
 * For the Java backend: direct against Winograd per layer shape ({@link org.geomend.bench.nn.WinogradRule}), the
 * U-Net inference split by operation ({@link org.geomend.bench.nn.UNetProfile}), and two or more builds' inference
 * interleaved in one process ({@link org.geomend.bench.nn.UNetJarAB}), for ratios on a machine that drifts.
 */
package org.geomend.bench.nn;
