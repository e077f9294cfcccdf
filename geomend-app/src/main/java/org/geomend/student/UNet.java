package org.geomend.student;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;

/**
 * A U-Net on {@link NnKernels} (NCHW float32, input side a multiple of {@code 2^(depth-1)}):
 * <pre>
 * encoder level l = 0 .. depth-2:  convs x (conv K x K + ReLU) -> skip_l;  2 x 2 max-pool
 * bottleneck level depth-1:        convs x (conv K x K + ReLU)
 * decoder level l = depth-2 .. 0:  2 x nearest up-sampling; conv K x K + ReLU (to level l's channels);
 *                                  concat(skip_l, that); convs x (conv K x K + ReLU)
 * head:                            conv 1 x 1, linear, to one channel
 * </pre>
 * Weights: He-normal (std sqrt(2 / fan_in)) from a seeded {@link Random}, biases 0. The activations of the last
 * {@link #forward} are kept for {@link #backward}; they are (re)allocated when the input shape changes.
 * Not thread-safe; close it to free every tensor.
 */
public final class UNet implements AutoCloseable {

    /** One convolution: weights, bias and their gradients. */
    public static final class ConvLayer implements AutoCloseable {
        public final String name;
        public final int cin, cout, k;
        public final Tensor w, b, dw, db;

        ConvLayer(NnKernels nn, String name, int cin, int cout, int k) {
            this.name = name;
            this.cin = cin;
            this.cout = cout;
            this.k = k;
            w = nn.allocate(cout, cin, k, k);
            b = nn.allocate(cout);
            dw = nn.allocate(cout, cin, k, k);
            db = nn.allocate(cout);
        }

        @Override
        public void close() {
            w.close();
            b.close();
            dw.close();
            db.close();
        }
    }

    /** A trainable tensor, its gradient and its name in the weight file. */
    public record Param(String name, Tensor value, Tensor grad) {}

    private final NnKernels nn;
    private final UNetConfig cfg;
    private final int depth, convs;
    private final ConvLayer[][] enc, dec;
    private final ConvLayer[] up;
    private final ConvLayer head;
    private final List<Param> params = new ArrayList<>();

    // activations and their gradients for the current input shape
    private int n = -1, h = -1, w = -1;
    private Tensor in, out, gOut;
    private Tensor[][] encOut, gEncOut, decOut, gDecOut;
    private Tensor[] pooled, gPooled, ups, gUps, upOut, gUpOut, cat, gCat, gSkip, gPoolTmp;
    private final List<Tensor> acts = new ArrayList<>();

    /** A freshly initialised network ({@code seed} drives the He initialisation). */
    public UNet(NnKernels nn, UNetConfig cfg, long seed) {
        this.nn = nn;
        this.cfg = cfg;
        this.depth = cfg.depth();
        this.convs = cfg.convs();
        int k = cfg.kernel();
        enc = new ConvLayer[depth][convs];
        dec = new ConvLayer[Math.max(0, depth - 1)][convs];
        up = new ConvLayer[Math.max(0, depth - 1)];
        int cin = cfg.inputChannels();
        for (int l = 0; l < depth; l++)
            for (int j = 0; j < convs; j++) {
                enc[l][j] = add(
                        new ConvLayer(nn, "enc." + l + "." + j, j == 0 ? cin : cfg.channels(l), cfg.channels(l), k));
                if (j == convs - 1) cin = cfg.channels(l);
            }
        for (int l = depth - 2; l >= 0; l--) {
            up[l] = add(new ConvLayer(nn, "up." + l, cfg.channels(l + 1), cfg.channels(l), k));
            for (int j = 0; j < convs; j++)
                dec[l][j] = add(new ConvLayer(
                        nn, "dec." + l + "." + j, j == 0 ? 2 * cfg.channels(l) : cfg.channels(l), cfg.channels(l), k));
        }
        head = add(new ConvLayer(nn, "head", cfg.channels(0), 1, 1));
        Random r = new Random(seed);
        for (Param p : params) {
            if (!p.name().endsWith(".weight")) continue;
            int[] s = p.value().shape();
            int fanIn = s[1] * s[2] * s[3];
            float[] v = new float[(int) p.value().elements()];
            double std = Math.sqrt(2.0 / fanIn);
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * std);
            HostIo.upload(nn, v, p.value());
        }
    }

    private ConvLayer add(ConvLayer c) {
        params.add(new Param(c.name + ".weight", c.w, c.dw));
        params.add(new Param(c.name + ".bias", c.b, c.db));
        return c;
    }

    public UNetConfig config() {
        return cfg;
    }

    public NnKernels kernels() {
        return nn;
    }

    /** Every trainable tensor, in a fixed order (the weight file's order). */
    public List<Param> params() {
        return List.copyOf(params);
    }

    public long parameterCount() {
        long s = 0;
        for (Param p : params) s += p.value().elements();
        return s;
    }

    /** The input tensor [n, 3, h, w] for the next {@link #forward} (allocated on first use of a shape). */
    public Tensor input(int n, int h, int w) {
        shape(n, h, w);
        return in;
    }

    /**
     * Runs the network on {@link #input} and keeps every activation for {@link #backward}; returns the output
     * [n, 1, h, w] (owned by the network).
     */
    public Tensor forward() {
        return forward(true);
    }

    /**
     * Runs the network on {@link #input} for inference: the same output as {@link #forward} (bit for bit on the Java
     * backend), but each decoder level's first convolution reads the skip and the up-convolution in place
     * ({@link NnKernels#concatConv2dForwardRelu}) instead of concatenating them first; {@link #backward} must not
     * follow it.
     */
    public Tensor infer() {
        return forward(false);
    }

    private Tensor forward(boolean train) {
        Tensor cur = in;
        for (int l = 0; l < depth; l++) {
            if (l > 0) {
                nn.maxPool2Forward(encOut[l - 1][convs - 1], pooled[l - 1]);
                cur = pooled[l - 1];
            }
            for (int j = 0; j < convs; j++) {
                convRelu(cur, enc[l][j], encOut[l][j]);
                cur = encOut[l][j];
            }
        }
        for (int l = depth - 2; l >= 0; l--) {
            nn.upsample2Forward(cur, ups[l]);
            convRelu(ups[l], up[l], upOut[l]);
            if (train) {
                nn.concatChannels(encOut[l][convs - 1], upOut[l], cat[l]);
                convRelu(cat[l], dec[l][0], decOut[l][0]);
            } else
                nn.concatConv2dForwardRelu(
                        encOut[l][convs - 1], upOut[l], cat[l], dec[l][0].w, dec[l][0].b, decOut[l][0]);
            cur = decOut[l][0];
            for (int j = 1; j < convs; j++) {
                convRelu(cur, dec[l][j], decOut[l][j]);
                cur = decOut[l][j];
            }
        }
        nn.conv2dForward(cur, head.w, head.b, out);
        return out;
    }

    private void convRelu(Tensor x, ConvLayer c, Tensor y) {
        nn.conv2dForwardRelu(x, c.w, c.b, y);
    }

    /** The gradient of the loss with respect to the output, to be filled before {@link #backward} ([n, 1, h, w]). */
    public Tensor outputGradient() {
        return gOut;
    }

    /** Back-propagates {@link #outputGradient()} through the last forward pass into every parameter's gradient. */
    public void backward() {
        Tensor top = depth > 1 ? decOut[0][convs - 1] : encOut[0][convs - 1];
        Tensor gTop = depth > 1 ? gDecOut[0][convs - 1] : gEncOut[0][convs - 1];
        nn.conv2dBackwardFilter(top, gOut, head.dw, head.db);
        nn.conv2dBackwardData(gOut, head.w, gTop);
        for (int l = 0; l < depth - 1; l++) {
            for (int j = convs - 1; j >= 0; j--) {
                Tensor x = j > 0 ? decOut[l][j - 1] : cat[l], gx = j > 0 ? gDecOut[l][j - 1] : gCat[l];
                convReluBackward(x, dec[l][j], decOut[l][j], gDecOut[l][j], gx);
            }
            nn.splitChannels(gCat[l], gSkip[l], gUpOut[l]);
            convReluBackward(ups[l], up[l], upOut[l], gUpOut[l], gUps[l]);
            nn.upsample2Backward(gUps[l], l == depth - 2 ? gEncOut[depth - 1][convs - 1] : gDecOut[l + 1][convs - 1]);
        }
        for (int l = depth - 1; l >= 0; l--) {
            if (l < depth - 1) {
                nn.maxPool2Backward(encOut[l][convs - 1], gPooled[l], gPoolTmp[l]);
                nn.add(gSkip[l], gPoolTmp[l], gEncOut[l][convs - 1]);
            }
            for (int j = convs - 1; j >= 0; j--) {
                Tensor x = j > 0 ? encOut[l][j - 1] : l > 0 ? pooled[l - 1] : in;
                Tensor gx = j > 0 ? gEncOut[l][j - 1] : l > 0 ? gPooled[l - 1] : null;
                convReluBackward(x, enc[l][j], encOut[l][j], gEncOut[l][j], gx);
            }
        }
    }

    /** ReLU backward in place on {@code gy}, then the filter gradient and (unless {@code gx} is null) the input's. */
    private void convReluBackward(Tensor x, ConvLayer c, Tensor y, Tensor gy, Tensor gx) {
        nn.reluBackward(y, gy, gy);
        nn.conv2dBackwardFilter(x, gy, c.dw, c.db);
        if (gx != null) nn.conv2dBackwardData(gy, c.w, gx);
    }

    private void shape(int n, int h, int w) {
        int m = 1 << (depth - 1);
        if (h % m != 0 || w % m != 0)
            throw new IllegalArgumentException("U-Net input " + h + " x " + w + " is not a multiple of " + m);
        if (n == this.n && h == this.h && w == this.w) return;
        freeActivations();
        this.n = n;
        this.h = h;
        this.w = w;
        in = act(n, cfg.inputChannels(), h, w);
        encOut = new Tensor[depth][convs];
        gEncOut = new Tensor[depth][convs];
        decOut = new Tensor[depth][convs];
        gDecOut = new Tensor[depth][convs];
        pooled = new Tensor[depth];
        gPooled = new Tensor[depth];
        ups = new Tensor[depth];
        gUps = new Tensor[depth];
        upOut = new Tensor[depth];
        gUpOut = new Tensor[depth];
        cat = new Tensor[depth];
        gCat = new Tensor[depth];
        gSkip = new Tensor[depth];
        gPoolTmp = new Tensor[depth];
        for (int l = 0; l < depth; l++) {
            int hl = h >> l, wl = w >> l, c = cfg.channels(l);
            for (int j = 0; j < convs; j++) {
                encOut[l][j] = act(n, c, hl, wl);
                gEncOut[l][j] = act(n, c, hl, wl);
            }
            if (l < depth - 1) {
                int below = cfg.channels(l + 1);
                pooled[l] = act(n, c, hl / 2, wl / 2);
                gPooled[l] = act(n, c, hl / 2, wl / 2);
                ups[l] = act(n, below, hl, wl);
                gUps[l] = act(n, below, hl, wl);
                upOut[l] = act(n, c, hl, wl);
                gUpOut[l] = act(n, c, hl, wl);
                cat[l] = act(n, 2 * c, hl, wl);
                gCat[l] = act(n, 2 * c, hl, wl);
                gSkip[l] = act(n, c, hl, wl);
                gPoolTmp[l] = act(n, c, hl, wl);
                for (int j = 0; j < convs; j++) {
                    decOut[l][j] = act(n, c, hl, wl);
                    gDecOut[l][j] = act(n, c, hl, wl);
                }
            }
        }
        out = act(n, 1, h, w);
        gOut = act(n, 1, h, w);
    }

    private Tensor act(int... shape) {
        Tensor t = nn.allocate(shape);
        acts.add(t);
        return t;
    }

    private void freeActivations() {
        for (Tensor t : acts) t.close();
        acts.clear();
        n = h = w = -1;
    }

    @Override
    public void close() {
        freeActivations();
        for (ConvLayer[] cs : enc) for (ConvLayer c : cs) c.close();
        for (ConvLayer[] cs : dec) for (ConvLayer c : cs) c.close();
        for (ConvLayer c : up) c.close();
        head.close();
    }
}
