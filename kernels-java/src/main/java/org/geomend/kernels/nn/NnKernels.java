package org.geomend.kernels.nn;

import java.lang.foreign.MemorySegment;

/**
 * The operations a U-Net needs for training and inference, on one backend. Tensors are float32 NCHW and belong
 * to the backend that allocated them; passing a tensor of another backend is an error. Outputs are destination
 * arguments, overwritten (never accumulated) unless the method says otherwise. Convolutions are stride 1 with
 * zero "same" padding ({@code K} odd, pad {@code K/2}); pooling is 2 x 2 stride 2 (H, W even); up-sampling is
 * nearest-neighbour by 2.
 */
public interface NnKernels extends AutoCloseable {

    /** Short backend name: {@code java}, {@code cuda} or {@code cudnn}. */
    String name();

    /** A zeroed tensor of {@code shape}. */
    Tensor allocate(int... shape);

    /** Copies {@code dst.elements()} float32 values from host memory {@code src} (native byte order). */
    void upload(MemorySegment src, Tensor dst);

    /** Copies {@code src.elements()} float32 values to host memory {@code dst} (native byte order). */
    void download(Tensor src, MemorySegment dst);

    /** Sets every element of {@code t} to {@code v}. */
    void fill(Tensor t, float v);

    /** {@code y[n,o] = b[o] + sum_i w[o,i] (*) x[n,i]}; x [N,Ci,H,W], w [Co,Ci,K,K], b [Co], y [N,Co,H,W]. */
    void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y);

    /**
     * {@link #conv2dForward} then {@link #reluForward} in place on {@code y}; backends fuse the two where it pays
     * (the result is the same as the two calls).
     */
    default void conv2dForwardRelu(Tensor x, Tensor w, Tensor b, Tensor y) {
        conv2dForward(x, w, b, y);
        reluForward(y, y);
    }

    /**
     * {@link #conv2dForwardRelu} of the channel concatenation of {@code a} [n, ca, h, w] and {@code b} [n, cb, h, w]
     * ({@code a}'s channels first, as {@link #concatChannels}) with filters [co, ca + cb, k, k]: the decoder's
     * convolution at inference, where the concatenation is not kept for a backward pass. Backends read the two
     * inputs in place where they can; those that cannot (this default) concatenate into {@code cat}
     * [n, ca + cb, h, w], whose content is unspecified afterwards.
     */
    default void concatConv2dForwardRelu(Tensor a, Tensor b, Tensor cat, Tensor w, Tensor bias, Tensor y) {
        concatChannels(a, b, cat);
        conv2dForwardRelu(cat, w, bias, y);
    }

    /** Gradient of the input: {@code dx} [N,Ci,H,W] from {@code dy} [N,Co,H,W] and {@code w}. */
    void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx);

    /** Gradients of the weights and bias: {@code dw} [Co,Ci,K,K], {@code db} [Co], summed over the batch. */
    void conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db);

    /** {@code y = max(x, 0)}; {@code y} may be {@code x}. */
    void reluForward(Tensor x, Tensor y);

    /** {@code dx = dy where y > 0, else 0} ({@code y} the forward output); {@code dx} may be {@code dy}. */
    void reluBackward(Tensor y, Tensor dy, Tensor dx);

    /** 2 x 2 max-pool, stride 2: x [N,C,H,W] to y [N,C,H/2,W/2]; ties go to the first element in row-major order. */
    void maxPool2Forward(Tensor x, Tensor y);

    /** Routes each {@code dy} element to the position of its window's maximum in {@code x} (same tie rule); others 0. */
    void maxPool2Backward(Tensor x, Tensor dy, Tensor dx);

    /** Nearest-neighbour up-sampling by 2: x [N,C,H,W] to y [N,C,2H,2W]. */
    void upsample2Forward(Tensor x, Tensor y);

    /** Sum of the four {@code dy} elements each {@code dx} element was copied to. */
    void upsample2Backward(Tensor dy, Tensor dx);

    /** Channel concatenation: a [N,Ca,H,W], b [N,Cb,H,W] to y [N,Ca+Cb,H,W] (a first). */
    void concatChannels(Tensor a, Tensor b, Tensor y);

    /** The inverse of {@link #concatChannels}: splits {@code dy} into {@code da} and {@code db}. */
    void splitChannels(Tensor dy, Tensor da, Tensor db);

    /**
     * Masked L1 loss {@code sum(mask * |pred - target|) / max(1, sum(mask))} (all [N,1,H,W]; {@code target} is
     * already in the transformed space y' = -1/log10(y); {@code mask} holds non-negative weights: 0 outside the window,
     * 1 for the paper's plain L1, {@code 1 + lambda N y} for the trainer's user weights). Writes d loss / d pred into
     * {@code dPred} (sign(pred - target) * mask / max(1, sum(mask)), 0 where pred == target) and returns the loss.
     */
    double l1Loss(Tensor pred, Tensor target, Tensor mask, Tensor dPred);

    /**
     * One Adam step (Kingma and Ba, bias-corrected) on {@code param} from {@code grad}, updating the moments
     * {@code m} and {@code v} in place; {@code step} counts from 1.
     */
    void adamStep(
            Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, int step);

    /**
     * Element-wise {@code y = a + b} (all the same shape; {@code y} may be {@code a} or {@code b}): sums the two
     * gradients that reach a U-Net skip tensor. The default goes through host memory; backends override it.
     */
    default void add(Tensor a, Tensor b, Tensor y) {
        long n = a.elements();
        if (b.elements() != n
                || y.elements() != n
                || !java.util.Arrays.equals(a.shape(), b.shape())
                || !java.util.Arrays.equals(a.shape(), y.shape()))
            throw new IllegalArgumentException("add: shapes differ");
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment ha = arena.allocate(n * 4, 4), hb = arena.allocate(n * 4, 4);
            download(a, ha);
            download(b, hb);
            for (long i = 0; i < n; i++)
                ha.setAtIndex(
                        java.lang.foreign.ValueLayout.JAVA_FLOAT,
                        i,
                        ha.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i)
                                + hb.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i));
            upload(ha, y);
        }
    }

    /** Waits until every queued operation has finished (a no-op on synchronous backends). */
    default void synchronize() {}

    @Override
    void close();
}
