/**
 * The Java backend of {@link org.geomend.kernels.nn.NnKernels}: off-heap float32 tensors
 * ({@link org.geomend.kernels.nn.java.JavaTensor}, each in its own shared {@link java.lang.foreign.Arena} each),
 * the operations ({@link org.geomend.kernels.nn.java.JavaNnKernels}) spread over a fixed thread pool, and the
 * convolution loop nests on the Vector API: direct ({@link org.geomend.kernels.nn.java.ConvLoops}) and, for the
 * forward pass of 5 x 5 and 3 x 3 filters, Winograd F(4 x 4, K x K) ({@link org.geomend.kernels.nn.java.Winograd}).
 */
package org.geomend.kernels.nn.java;
