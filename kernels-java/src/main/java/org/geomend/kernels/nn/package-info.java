/**
 * The neural-network operations of the U-Net student (issue 5): one interface, {@link org.geomend.kernels.nn.NnKernels},
 * over backend-owned float32 tensors ({@link org.geomend.kernels.nn.Tensor}, NCHW), implemented by the Java backend
 * here and by the CUDA / cuDNN backend in {@code bindings}. Every backward is checked by finite differences on the
 * Java backend; other backends are checked against Java.
 */
package org.geomend.kernels.nn;
