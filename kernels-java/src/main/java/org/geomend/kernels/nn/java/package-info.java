/**
 * The Java backend of {@link org.geomend.kernels.nn.NnKernels}: off-heap float32 tensors
 * ({@link org.geomend.kernels.nn.java.JavaTensor}, each in its own shared {@link java.lang.foreign.Arena} each),
 * the operations ({@link org.geomend.kernels.nn.java.JavaNnKernels}) spread over a fixed thread pool, and the
 * convolution loop nests on the Vector API ({@link org.geomend.kernels.nn.java.ConvLoops}).
 */
package org.geomend.kernels.nn.java;
