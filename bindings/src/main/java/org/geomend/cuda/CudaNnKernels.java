package org.geomend.cuda;

import static jcuda.driver.JCudaDriver.*;
import static org.geomend.cuda.CudaModule.params;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import jcuda.Pointer;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;
import org.geomend.kernels.Backends;
import org.geomend.kernels.Memory;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;

/**
 * The U-Net operations ({@link NnKernels}) on CUDA: the {@code geomend_nn_*} kernels of {@code cuda-src/unet.cu},
 * launched through the JCuda driver API on the device's primary context and the legacy default stream, on
 * {@link CudaTensor}s in device memory. With {@link ConvLibrary#CUDNN} the three convolutions run on cuDNN 9 instead
 * ({@link CudnnConvolutions}, Panama downcalls; backend name {@code cudnn}); everything else stays hand-written.
 *
 * <p>Work is queued asynchronously: {@link #download}, {@link #l1Loss} (it reads the loss back) and
 * {@link #synchronize()} wait for it. With {@code GEOMEND_NN_SYNC=1} every operation waits and names itself in
 * any error, for debugging. Calls are serialised ({@code synchronized}); any CUDA or cuDNN error surfaces as an
 * {@link IllegalStateException} with a one-line message naming the operation; bad shapes or foreign tensors as
 * {@link IllegalArgumentException}. Reductions (L1 loss, bias and filter gradients) use no floating-point
 * atomics: results repeat bit for bit.
 *
 * <p><b>Unverified:</b> compiled but never run on a GPU (none where it was written); {@code CudaNnConformanceTest}
 * checks every operation against a float64 reference once a device is present.
 */
public final class CudaNnKernels implements NnKernels {

    /** Who runs the convolutions. */
    public enum ConvLibrary {
        CUDA,
        CUDNN
    }

    private static final int THREADS = 256;
    private static final int MAX_BLOCKS = 65535; // cap of element-wise grids (they are grid-stride)
    private static final int L1_MAX_PARTS = 1024;
    private static final long COPY_CHUNK = 1L << 28;
    private static final long WGRAD_SCRATCH_LIMIT = 1L << 30; // bytes of split-K partial sums

    private final int ordinal;
    private final ConvLibrary conv;
    private final CudaModule cuda;
    private final int smCount;
    private final boolean syncEachOp;
    private final CUfunction fFill,
            fReluF,
            fReluB,
            fPoolF,
            fPoolB,
            fUpF,
            fUpB,
            fConcat,
            fSplit,
            fL1Part,
            fL1Final,
            fL1Grad,
            fAdam,
            fWgradReduce,
            fBiasPart,
            fBiasFinal,
            fAdd;
    private final CUfunction[] fConv = new CUfunction[3], fWgrad = new CUfunction[3]; // 64x64, 32x128, 16x256
    private final DeviceBuffer l1Parts = new DeviceBuffer("l1.partials"),
            l1Out = new DeviceBuffer("l1.out"),
            biasParts = new DeviceBuffer("bias.partials"),
            wgradParts = new DeviceBuffer("wgrad.partials");
    private final Set<CudaTensor> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private CudnnConvolutions cudnn;
    private boolean closed;

    private CudaNnKernels(int ordinal, byte[] fatbin, ConvLibrary conv, CudnnLibrary cudnnLib, boolean tf32) {
        this.ordinal = ordinal;
        this.conv = conv;
        this.syncEachOp = org.geomend.kernels.Setting.NN_SYNC.isOn();
        this.cuda = new CudaModule(ordinal);
        try {
            int[] sm = {0};
            cuDeviceGetAttribute(sm, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, cuda.device());
            smCount = Math.max(1, sm[0]);
            cuda.load(fatbin, false);
            fFill = function("geomend_nn_fill");
            fReluF = function("geomend_nn_relu_fwd");
            fReluB = function("geomend_nn_relu_bwd");
            fPoolF = function("geomend_nn_maxpool2_fwd");
            fPoolB = function("geomend_nn_maxpool2_bwd");
            fUpF = function("geomend_nn_upsample2_fwd");
            fUpB = function("geomend_nn_upsample2_bwd");
            fConcat = function("geomend_nn_concat");
            fSplit = function("geomend_nn_split");
            fL1Part = function("geomend_nn_l1_partial");
            fL1Final = function("geomend_nn_l1_final");
            fL1Grad = function("geomend_nn_l1_grad");
            fAdam = function("geomend_nn_adam");
            fWgradReduce = function("geomend_nn_wgrad_reduce");
            fBiasPart = function("geomend_nn_bias_grad_partial");
            fBiasFinal = function("geomend_nn_bias_grad_final");
            fAdd = function("geomend_nn_add");
            String[] tiles = {"64x64", "32x128", "16x256"};
            for (int i = 0; i < 3; i++) {
                fConv[i] = function("geomend_nn_conv_" + tiles[i]);
                fWgrad[i] = function("geomend_nn_wgrad_" + tiles[i]);
            }
            if (conv == ConvLibrary.CUDNN) cudnn = new CudnnConvolutions(cudnnLib, tf32);
        } catch (RuntimeException e) {
            throw CudaModule.afterClosing(e, this::close);
        }
    }

    /**
     * Opens device {@code ordinal}; with {@link ConvLibrary#CUDNN} also cuDNN 9 (FMA math, no TF32, unless
     * {@code GEOMEND_CUDNN_TF32=1}).
     *
     * @throws CudaUnavailableException with a one-line reason: no fatbin, no driver, no device, no cuDNN 9, ...
     */
    public static CudaNnKernels open(int ordinal, ConvLibrary conv) throws CudaUnavailableException {
        byte[] fatbin = CudaModule.requireFatbin();
        CudnnLibrary lib = conv == ConvLibrary.CUDNN ? CudnnLibrary.get() : null;
        return CudaModule.start(
                ordinal,
                () -> new CudaNnKernels(ordinal, fatbin, conv, lib, org.geomend.kernels.Setting.CUDNN_TF32.isOn()));
    }

    private CUfunction function(String name) {
        return cuda.function(name);
    }

    /** The cuDNN algorithms chosen so far per convolution shape (empty for the hand-written backend), for tests and reports. */
    synchronized java.util.Map<CudnnConvolutions.Shape, String> cudnnAlgorithms() {
        return cudnn == null ? java.util.Map.of() : cudnn.chosenAlgorithms();
    }

    @Override
    public String name() {
        return conv == ConvLibrary.CUDNN ? "cudnn" : "cuda";
    }

    public String deviceName() {
        return cuda.deviceName();
    }

    public int ordinal() {
        return ordinal;
    }

    public ConvLibrary conv() {
        return conv;
    }

    /** One line for reports: device, SM count, convolution path. */
    public String describe() {
        return cuda.deviceName() + " (" + smCount + " SMs), convolutions: "
                + (cudnn == null ? "hand-written CUDA" : cudnn.describe());
    }

    // ---------------------------------------------------------------- tensors

    @Override
    public synchronized Tensor allocate(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        enter();
        DevicePtr p = new DevicePtr();
        long bytes = Math.max(4, 4 * n);
        try {
            cuMemAlloc(p, bytes);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "cuda allocate " + Arrays.toString(shape) + " (" + bytes + " bytes) failed: " + Backends.oneLine(e),
                    e);
        }
        try {
            cuMemsetD8(p, (byte) 0, bytes);
        } catch (RuntimeException e) {
            cuMemFree(p);
            throw failure("allocate", e);
        }
        CudaTensor t = new CudaTensor(this, shape, n, p);
        live.add(t);
        return t;
    }

    synchronized void free(CudaTensor t) {
        if (t.isClosed()) return;
        t.markClosed();
        if (closed) return; // freed with the backend
        live.remove(t);
        try {
            cuda.makeCurrent();
            cuMemFree(t.ptr);
        } catch (RuntimeException e) {
            throw failure("free", e);
        }
    }

    @Override
    public synchronized void upload(MemorySegment src, Tensor dst) {
        CudaTensor d = own(dst, "dst");
        long bytes = 4 * d.elements();
        if (src.byteSize() < bytes)
            throw new IllegalArgumentException(
                    "upload: source holds " + src.byteSize() + " bytes, " + d + " needs " + bytes);
        enter();
        try {
            if (src.isNative()) {
                for (long done = 0; done < bytes; done += COPY_CHUNK) {
                    long n = Math.min(COPY_CHUNK, bytes - done);
                    cuMemcpyHtoD(d.ptr.withByteOffset(done), CudaKernels.host(src, done, n), n);
                }
            } else {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment stage = a.allocate(Math.min(COPY_CHUNK, Math.max(1, bytes)));
                    for (long done = 0; done < bytes; done += COPY_CHUNK) {
                        long n = Math.min(COPY_CHUNK, bytes - done);
                        MemorySegment.copy(src, done, stage, 0, n);
                        cuMemcpyHtoD(
                                d.ptr.withByteOffset(done),
                                Pointer.to(stage.asSlice(0, n).asByteBuffer()),
                                n);
                    }
                }
            }
            after("upload");
        } catch (RuntimeException e) {
            throw failure("upload", e);
        }
    }

    @Override
    public synchronized void download(Tensor src, MemorySegment dst) {
        CudaTensor s = own(src, "src");
        long bytes = 4 * s.elements();
        if (dst.byteSize() < bytes)
            throw new IllegalArgumentException(
                    "download: destination holds " + dst.byteSize() + " bytes, " + s + " needs " + bytes);
        if (dst.isReadOnly()) throw new IllegalArgumentException("download: destination is read-only");
        enter();
        try {
            if (dst.isNative()) {
                for (long done = 0; done < bytes; done += COPY_CHUNK) {
                    long n = Math.min(COPY_CHUNK, bytes - done);
                    cuMemcpyDtoH(CudaKernels.host(dst, done, n), s.ptr.withByteOffset(done), n);
                }
            } else {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment stage = a.allocate(Math.min(COPY_CHUNK, Math.max(1, bytes)));
                    for (long done = 0; done < bytes; done += COPY_CHUNK) {
                        long n = Math.min(COPY_CHUNK, bytes - done);
                        cuMemcpyDtoH(Pointer.to(stage.asSlice(0, n).asByteBuffer()), s.ptr.withByteOffset(done), n);
                        MemorySegment.copy(stage, 0, dst, done, n);
                    }
                }
            }
        } catch (RuntimeException e) {
            throw failure("download", e);
        }
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public synchronized void fill(Tensor t, float v) {
        CudaTensor d = own(t, "t");
        run("fill", () -> launch(fFill, d.elements(), d.ptr, d.elements(), v));
    }

    /** {@code y = a + b} on the device: one copy when {@code y} is neither input, then {@code y += other}. */
    @Override
    public synchronized void add(Tensor a, Tensor b, Tensor y) {
        CudaTensor ta = own(a, "a"), tb = own(b, "b"), ty = own(y, "y");
        sameShape("add", ta, tb);
        sameShape("add", ta, ty);
        if (ty == ta && ty == tb) {
            run("add", () -> launch(fAdd, ty.elements(), ty.ptr, ty.ptr, ty.elements()));
            return;
        }
        if (ty != ta && ty != tb) run("add", () -> JCudaDriver.cuMemcpyDtoD(ty.ptr, ta.ptr, ta.elements() * 4L));
        CudaTensor src = ty == ta ? tb : ty == tb ? ta : tb;
        run("add", () -> launch(fAdd, src.elements(), src.ptr, ty.ptr, src.elements()));
    }

    @Override
    public synchronized void reluForward(Tensor x, Tensor y) {
        CudaTensor a = own(x, "x"), b = own(y, "y");
        sameShape("reluForward", a, b);
        run("reluForward", () -> launch(fReluF, a.elements(), a.ptr, b.ptr, a.elements()));
    }

    @Override
    public synchronized void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        CudaTensor a = own(y, "y"), g = own(dy, "dy"), d = own(dx, "dx");
        sameShape("reluBackward", a, g);
        sameShape("reluBackward", a, d);
        run("reluBackward", () -> launch(fReluB, a.elements(), a.ptr, g.ptr, d.ptr, a.elements()));
    }

    @Override
    public synchronized void maxPool2Forward(Tensor x, Tensor y) {
        CudaTensor a = own(x, "x"), b = own(y, "y");
        int[] s = pooled("maxPool2Forward", a, b);
        run("maxPool2Forward", () -> launch(fPoolF, b.elements(), a.ptr, b.ptr, (long) s[0] * s[1], s[2], s[3]));
    }

    @Override
    public synchronized void maxPool2Backward(Tensor x, Tensor dy, Tensor dx) {
        CudaTensor a = own(x, "x"), g = own(dy, "dy"), d = own(dx, "dx");
        int[] s = pooled("maxPool2Backward", a, g);
        sameShape("maxPool2Backward", a, d);
        run(
                "maxPool2Backward",
                () -> launch(fPoolB, g.elements(), a.ptr, g.ptr, d.ptr, (long) s[0] * s[1], s[2], s[3]));
    }

    /** Checks big [N,C,H,W] (H, W even) against small [N,C,H/2,W/2]; returns big's shape. */
    private static int[] pooled(String op, CudaTensor big, CudaTensor small) {
        int[] s = rank4(op, big), t = rank4(op, small);
        if (s[2] % 2 != 0 || s[3] % 2 != 0) throw new IllegalArgumentException(op + ": H and W must be even: " + big);
        if (t[0] != s[0] || t[1] != s[1] || t[2] != s[2] / 2 || t[3] != s[3] / 2)
            throw new IllegalArgumentException(op + ": " + small + " is not " + big + " pooled by 2");
        return s;
    }

    @Override
    public synchronized void upsample2Forward(Tensor x, Tensor y) {
        CudaTensor a = own(x, "x"), b = own(y, "y");
        int[] s = upsampled("upsample2Forward", a, b);
        run("upsample2Forward", () -> launch(fUpF, b.elements(), a.ptr, b.ptr, (long) s[0] * s[1], s[2], s[3]));
    }

    @Override
    public synchronized void upsample2Backward(Tensor dy, Tensor dx) {
        CudaTensor g = own(dy, "dy"), d = own(dx, "dx");
        int[] s = upsampled("upsample2Backward", d, g);
        run("upsample2Backward", () -> launch(fUpB, d.elements(), g.ptr, d.ptr, (long) s[0] * s[1], s[2], s[3]));
    }

    /** Checks small [N,C,H,W] against big [N,C,2H,2W]; returns small's shape. */
    private static int[] upsampled(String op, CudaTensor small, CudaTensor big) {
        int[] s = rank4(op, small), t = rank4(op, big);
        if (t[0] != s[0] || t[1] != s[1] || t[2] != 2L * s[2] || t[3] != 2L * s[3])
            throw new IllegalArgumentException(op + ": " + big + " is not " + small + " up-sampled by 2");
        return s;
    }

    @Override
    public synchronized void concatChannels(Tensor a, Tensor b, Tensor y) {
        CudaTensor ta = own(a, "a"), tb = own(b, "b"), ty = own(y, "y");
        int[] s = concatShape("concatChannels", ta, tb, ty);
        run(
                "concatChannels",
                () -> launch(fConcat, ty.elements(), ta.ptr, tb.ptr, ty.ptr, s[0], s[1], s[2], (long) s[3]));
    }

    @Override
    public synchronized void splitChannels(Tensor dy, Tensor da, Tensor db) {
        CudaTensor ty = own(dy, "dy"), ta = own(da, "da"), tb = own(db, "db");
        int[] s = concatShape("splitChannels", ta, tb, ty);
        run(
                "splitChannels",
                () -> launch(fSplit, ty.elements(), ty.ptr, ta.ptr, tb.ptr, s[0], s[1], s[2], (long) s[3]));
    }

    /** {N, Ca, Cb, H*W} after checking a [N,Ca,H,W], b [N,Cb,H,W], y [N,Ca+Cb,H,W]. */
    private static int[] concatShape(String op, CudaTensor a, CudaTensor b, CudaTensor y) {
        int[] sa = rank4(op, a), sb = rank4(op, b), sy = rank4(op, y);
        if (sb[0] != sa[0]
                || sb[2] != sa[2]
                || sb[3] != sa[3]
                || sy[0] != sa[0]
                || sy[2] != sa[2]
                || sy[3] != sa[3]
                || sy[1] != (long) sa[1] + sb[1])
            throw new IllegalArgumentException(op + ": " + a + " and " + b + " do not concatenate to " + y);
        return new int[] {sa[0], sa[1], sb[1], Math.multiplyExact(sa[2], sa[3])};
    }

    // ---------------------------------------------------------------- convolutions

    /** Shape of x [N,Ci,H,W], w [Co,Ci,K,K] (K odd), y [N,Co,H,W]. */
    private static CudnnConvolutions.Shape convShape(String op, CudaTensor x, CudaTensor w, CudaTensor y) {
        int[] sx = rank4(op, x), sw = rank4(op, w), sy = rank4(op, y);
        if (sw[2] != sw[3] || sw[2] % 2 == 0)
            throw new IllegalArgumentException(op + ": kernel must be square with an odd size: " + w);
        if (sw[1] != sx[1] || sy[0] != sx[0] || sy[1] != sw[0] || sy[2] != sx[2] || sy[3] != sx[3])
            throw new IllegalArgumentException(op + ": shapes do not match: x " + x + ", w " + w + ", y " + y);
        return new CudnnConvolutions.Shape(sx[0], sx[1], sw[0], sx[2], sx[3], sw[2]);
    }

    private static void biasShape(String op, CudaTensor b, int co) {
        int[] s = b.shape();
        if (s.length != 1 || s[0] != co)
            throw new IllegalArgumentException(op + ": bias " + b + " is not [" + co + "]");
    }

    @Override
    public synchronized void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y) {
        conv2dForward(x, w, b, y, false);
    }

    /**
     * {@link #conv2dForward} followed by ReLU, fused into one kernel on the hand-written path (on cuDNN: the
     * convolution, then the ReLU kernel).
     */
    @Override
    public synchronized void conv2dForwardRelu(Tensor x, Tensor w, Tensor b, Tensor y) {
        conv2dForward(x, w, b, y, true);
    }

    private void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y, boolean relu) {
        CudaTensor tx = own(x, "x"), tw = own(w, "w"), tb = own(b, "b"), ty = own(y, "y");
        CudnnConvolutions.Shape s = convShape("conv2dForward", tx, tw, ty);
        biasShape("conv2dForward", tb, s.co());
        run("conv2dForward", () -> {
            if (cudnn != null) {
                cudnn.forward(s, tx.ptr, tw.ptr, tb.ptr, ty.ptr);
                if (relu) launch(fReluF, ty.elements(), ty.ptr, ty.ptr, ty.elements());
            } else {
                launchConv(tx.ptr, tw.ptr, tb.ptr, ty.ptr, s.n(), s.ci(), s.co(), s.h(), s.w(), s.k(), false, relu);
            }
        });
    }

    @Override
    public synchronized void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx) {
        CudaTensor tdy = own(dy, "dy"), tw = own(w, "w"), tdx = own(dx, "dx");
        CudnnConvolutions.Shape s = convShape("conv2dBackwardData", tdx, tw, tdy);
        run("conv2dBackwardData", () -> {
            if (cudnn != null) cudnn.backwardData(s, tdy.ptr, tw.ptr, tdx.ptr);
            else launchConv(tdy.ptr, tw.ptr, null, tdx.ptr, s.n(), s.co(), s.ci(), s.h(), s.w(), s.k(), true, false);
        });
    }

    @Override
    public synchronized void conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db) {
        CudaTensor tx = own(x, "x"), tdy = own(dy, "dy"), tdw = own(dw, "dw"), tdb = own(db, "db");
        CudnnConvolutions.Shape s = convShape("conv2dBackwardFilter", tx, tdw, tdy);
        biasShape("conv2dBackwardFilter", tdb, s.co());
        run("conv2dBackwardFilter", () -> {
            if (cudnn != null) {
                cudnn.backwardFilter(s, tx.ptr, tdy.ptr, tdw.ptr, tdb.ptr);
            } else {
                launchWgrad(tx.ptr, tdy.ptr, tdw.ptr, s);
                launchBiasGrad(tdy.ptr, tdb.ptr, s.n(), s.co(), (long) s.h() * s.w());
            }
        });
    }

    /** Tile of the implicit GEMMs for {@code m} output rows: 0 = 64x64, 1 = 32x128, 2 = 16x256. */
    private static int tile(int m) {
        return m >= 64 ? 0 : m >= 32 ? 1 : 2;
    }

    private static final int[] TILE_M = {64, 32, 16}, TILE_N = {64, 128, 256};

    private void launchConv(
            DevicePtr src,
            DevicePtr w,
            DevicePtr bias,
            DevicePtr out,
            int n,
            int cr,
            int m,
            int h,
            int wd,
            int k,
            boolean flip,
            boolean relu) {
        int t = tile(m);
        long pixels = (long) n * h * wd;
        long gx = (pixels + TILE_N[t] - 1) / TILE_N[t];
        long gy = ((long) m + TILE_M[t] - 1) / TILE_M[t];
        if (gx > Integer.MAX_VALUE || gy > MAX_BLOCKS)
            throw new IllegalArgumentException("convolution too large for one launch");
        if (gx == 0 || gy == 0) return;
        cuLaunchKernel(
                fConv[t],
                (int) gx,
                (int) gy,
                1,
                THREADS,
                1,
                1,
                0,
                null,
                params(src, w, bias, out, n, cr, m, h, wd, k, flip ? 1 : 0, relu ? 1 : 0),
                null);
    }

    private void launchWgrad(DevicePtr x, DevicePtr dy, DevicePtr dw, CudnnConvolutions.Shape s) {
        int t = tile(s.co());
        long cols = (long) s.ci() * s.k() * s.k();
        long gx = (cols + TILE_N[t] - 1) / TILE_N[t];
        long gy = ((long) s.co() + TILE_M[t] - 1) / TILE_M[t];
        if (gx > Integer.MAX_VALUE || gy > MAX_BLOCKS)
            throw new IllegalArgumentException("filter gradient too large for one launch");
        long rows = (long) s.n() * s.h();
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("batch too large: " + rows + " image rows");
        long weights = (long) s.co() * cols;
        if (gx == 0 || gy == 0 || weights == 0) return;
        if (rows == 0) { // an empty batch: the sums are empty
            launch(fFill, weights, dw, weights, 0f);
            return;
        }
        // split-K over image rows until the grid covers the GPU about four times, within the scratch limit
        long tiles = gx * gy;
        long splits = Math.max(1, Math.min(rows, (4L * smCount + tiles - 1) / tiles));
        splits = Math.min(splits, Math.max(1, WGRAD_SCRATCH_LIMIT / (4 * weights)));
        splits = Math.min(splits, 1024);
        int rowsPerSplit = (int) ((rows + splits - 1) / splits);
        splits = (rows + rowsPerSplit - 1) / rowsPerSplit;
        CUdeviceptr target = splits == 1 ? dw : wgradParts.ensureExact(4 * weights * splits);
        cuLaunchKernel(
                fWgrad[t],
                (int) gx,
                (int) gy,
                (int) splits,
                THREADS,
                1,
                1,
                0,
                null,
                params(x, dy, target, s.n(), s.ci(), s.co(), s.h(), s.w(), s.k(), rowsPerSplit),
                null);
        if (splits > 1) launch(fWgradReduce, weights, target, (int) splits, weights, dw);
    }

    private void launchBiasGrad(DevicePtr dy, DevicePtr db, int n, int c, long hw) {
        if (c == 0) return;
        if (c > MAX_BLOCKS) throw new IllegalArgumentException("too many channels for the bias gradient: " + c);
        long total = n * hw;
        int parts = (int) Math.max(1, Math.min(1024, (total + 16383) / 16384));
        CUdeviceptr partial = biasParts.ensureExact(8L * c * parts);
        cuLaunchKernel(fBiasPart, parts, c, 1, THREADS, 1, 1, 0, null, params(dy, n, c, hw, parts, partial), null);
        launch(fBiasFinal, c, partial, c, parts, db);
    }

    // ---------------------------------------------------------------- loss and optimiser

    @Override
    public synchronized double l1Loss(Tensor pred, Tensor target, Tensor mask, Tensor dPred) {
        CudaTensor p = own(pred, "pred"), t = own(target, "target"), m = own(mask, "mask"), d = own(dPred, "dPred");
        sameShape("l1Loss", p, t);
        sameShape("l1Loss", p, m);
        sameShape("l1Loss", p, d);
        long n = p.elements();
        if (n == 0) return 0;
        enter();
        try {
            int parts = (int) Math.min(L1_MAX_PARTS, (n + THREADS - 1) / THREADS);
            CUdeviceptr partials = l1Parts.ensureExact(16L * parts), out = l1Out.ensureExact(16);
            cuLaunchKernel(
                    fL1Part, parts, 1, 1, THREADS, 1, 1, 0, null, params(p.ptr, t.ptr, m.ptr, n, partials), null);
            cuLaunchKernel(fL1Final, 1, 1, 1, THREADS, 1, 1, 0, null, params(partials, parts, out), null);
            launch(fL1Grad, n, p.ptr, t.ptr, m.ptr, n, out, d.ptr);
            double[] host = new double[2];
            cuMemcpyDtoH(Pointer.to(host), out, 16);
            return host[0];
        } catch (RuntimeException e) {
            throw failure("l1Loss", e);
        }
    }

    @Override
    public synchronized void adamStep(
            Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, int step) {
        CudaTensor p = own(param, "param"), g = own(grad, "grad"), tm = own(m, "m"), tv = own(v, "v");
        sameShape("adamStep", p, g);
        sameShape("adamStep", p, tm);
        sameShape("adamStep", p, tv);
        if (step < 1) throw new IllegalArgumentException("adamStep: step counts from 1: " + step);
        float c1 = (float) (1.0 / (1.0 - Math.pow(beta1, step)));
        float c2 = (float) (1.0 / (1.0 - Math.pow(beta2, step)));
        run(
                "adamStep",
                () -> launch(
                        fAdam,
                        p.elements(),
                        p.ptr,
                        g.ptr,
                        tm.ptr,
                        tv.ptr,
                        p.elements(),
                        lr,
                        beta1,
                        beta2,
                        eps,
                        c1,
                        c2));
    }

    @Override
    public synchronized void synchronize() {
        if (closed) throw new IllegalStateException(name() + " backend is closed");
        try {
            cuda.makeCurrent();
            cuCtxSynchronize();
        } catch (RuntimeException e) {
            throw failure("synchronize", e);
        }
    }

    // ---------------------------------------------------------------- plumbing

    private void enter() {
        if (closed) throw new IllegalStateException(name() + " backend is closed");
        cuda.makeCurrent();
    }

    private void after(String op) {
        if (syncEachOp) {
            try {
                cuCtxSynchronize();
            } catch (RuntimeException e) {
                throw failure(op + " (kernel)", e);
            }
        }
    }

    /** Runs queued device work for {@code op}, wrapping CUDA errors in one line that names it. */
    private void run(String op, Runnable work) {
        enter();
        try {
            work.run();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(op, e);
        }
        after(op);
    }

    private IllegalStateException failure(String op, RuntimeException e) {
        if (e instanceof IllegalStateException s
                && s.getMessage() != null
                && s.getMessage().startsWith(name() + " ")) return s;
        return new IllegalStateException(name() + " " + op + " failed: " + Backends.oneLine(e), e);
    }

    private CudaTensor own(Tensor t, String what) {
        if (closed) throw new IllegalStateException(name() + " backend is closed");
        if (t == null) throw new IllegalArgumentException(what + " is null");
        if (!(t instanceof CudaTensor c) || c.owner() != this)
            throw new IllegalArgumentException(what + " (" + t + ") belongs to another backend than " + name());
        if (c.isClosed()) throw new IllegalStateException(what + " (" + t + ") is closed");
        return c;
    }

    private static int[] rank4(String op, CudaTensor t) {
        int[] s = t.shape();
        if (s.length != 4) throw new IllegalArgumentException(op + ": " + t + " is not [N,C,H,W]");
        return s;
    }

    private static void sameShape(String op, CudaTensor a, CudaTensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException(op + ": shapes differ: " + a + " and " + b);
    }

    /** An element-wise (grid-stride) launch over {@code n} items. */
    private static void launch(CUfunction f, long n, Object... args) {
        if (n <= 0) return;
        int blocks = (int) Math.min(MAX_BLOCKS, (n + THREADS - 1) / THREADS);
        cuLaunchKernel(f, blocks, 1, 1, THREADS, 1, 1, 0, null, params(args), null);
    }

    /**
     * Frees every tensor still open, the scratch buffers, cuDNN and the module, and releases the context; then reports
     * the tensors that were still open ({@link Memory#reportOpenTensors}: one warning line with their count and bytes,
     * an exception in strict mode). Idempotent; any later use of the backend or its tensors throws
     * {@link IllegalStateException}.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        List<AutoCloseable> owned = new ArrayList<>();
        int open = 0;
        long openBytes = 0;
        for (CudaTensor t : live) {
            t.markClosed();
            open++;
            openBytes += Math.max(4, 4 * t.elements());
            owned.add(() -> cuMemFree(t.ptr));
        }
        live.clear();
        owned.addAll(List.of(l1Parts, l1Out, biasParts, wgradParts));
        if (cudnn != null) owned.add(cudnn);
        RuntimeException first = cuda.close(owned);
        if (first != null) throw new IllegalStateException(name() + " close failed: " + Backends.oneLine(first), first);
        Memory.reportOpenTensors(name(), open, openBytes);
    }
}
