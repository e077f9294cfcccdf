package org.geomend.student;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;

/**
 * Inference with a U-Net student: features of each site on its padded window ({@link Features}), the network,
 * then crop, inverse transform, mask and normalise ({@link TargetTransform#toMap}). Sites go through the network
 * {@code batch} at a time. Owns the network; the kernels and allocator are the caller's.
 */
public final class StudentModel implements AutoCloseable {

    private final UNet net;
    private final GeoKernels geo;
    private final BufferAllocator alloc;
    private final int batch;

    public StudentModel(UNet net, GeoKernels geo, BufferAllocator alloc, int batch) {
        this.net = net;
        this.geo = geo;
        this.alloc = alloc;
        this.batch = Math.max(1, batch);
    }

    /** Loads a model directory (or its weights file) written by {@code geomend train}. */
    public static StudentModel load(Path model, NnKernels nn, GeoKernels geo, BufferAllocator alloc, int batch)
            throws IOException {
        return new StudentModel(ModelFiles.load(nn, model), geo, alloc, batch);
    }

    public UNetConfig config() {
        return net.config();
    }

    public UNet network() {
        return net;
    }

    /**
     * Maps of {@code targets} (indices into {@code sites}) on {@code windows} (all the same size), written one after
     * another into {@code dst} (window pixels each, row 0 south); {@code masks} (per target, window layout) may be
     * null. Returns, per map, the mass before normalisation (0: nothing left after masking).
     */
    public double[] predict(
            SitePositions sites, int[] targets, GridSpec[] windows, byte[][] masks, float[] dst, int dstOff) {
        UNetConfig cfg = net.config();
        int w = windows[0].width(), h = windows[0].height();
        int pw = cfg.padded(w), ph = cfg.padded(h), ppx = pw * ph;
        double[] sums = new double[targets.length];
        for (int s = 0; s < targets.length; s += batch) {
            int n = Math.min(batch, targets.length - s);
            float[] x = new float[n * 3 * ppx];
            for (int b = 0; b < n; b++) {
                GridSpec win = windows[s + b];
                if (win.width() != w || win.height() != h)
                    throw new IllegalArgumentException("windows of different sizes");
                Features.compute(
                        geo, alloc, sites, targets[s + b], Features.padded(win, cfg), cfg.features(), x, b * 3 * ppx);
            }
            Tensor in = net.input(n, ph, pw);
            HostIo.upload(net.kernels(), x, in);
            float[] out = HostIo.download(net.kernels(), net.infer());
            for (int b = 0; b < n; b++)
                sums[s + b] = TargetTransform.toMap(
                        out,
                        b * ppx,
                        pw,
                        Features.offset(pw, w),
                        Features.offset(ph, h),
                        w,
                        h,
                        masks == null ? null : masks[s + b],
                        dst,
                        dstOff + (s + b) * w * h);
        }
        return sums;
    }

    @Override
    public void close() {
        net.close();
    }
}
