/**
 * The U-Net student of DeepMEND (issue 5): the network ({@link org.geomend.student.UNet}, built only on
 * {@link org.geomend.kernels.nn.NnKernels}, configured by {@link org.geomend.student.UNetConfig}), its weights in
 * safetensors ({@link org.geomend.student.Safetensors}), the input features and target transform
 * ({@link org.geomend.student.Features}, {@link org.geomend.student.TargetTransform}), the training loop
 * ({@link org.geomend.student.Trainer}, L1 in the target space weighted to follow the users, {@code --user-weight}) and
 * inference ({@link org.geomend.student.StudentModel}).
 */
package org.geomend.student;
