package org.geomend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.geomend.kernels.Backends;

/**
 * The three convolutions of {@link CudaNnKernels} on cuDNN 9's legacy API: {@code cudnnConvolutionForward} +
 * {@code cudnnAddTensor} (bias), {@code cudnnConvolutionBackwardData}, {@code cudnnConvolutionBackwardFilter} +
 * {@code cudnnConvolutionBackwardBias}. NCHW float32, cross-correlation, pad K/2, stride 1, float compute.
 *
 * <p>Math: {@code CUDNN_FMA_MATH} (plain FP32, no TF32 tensor cores), so results compare with the hand-written
 * kernels and with PyTorch under {@code allow_tf32 = False}; {@code tf32 = true} sets {@code CUDNN_DEFAULT_MATH},
 * which lets cuDNN use TF32 on Ampere and newer. Algorithms come from the {@code *_v7} heuristics (first
 * result that succeeded, fits the workspace limit, is deterministic (the {@code NnKernels} contract: bit-for-bit
 * repeatable) and, without TF32, is not a tensor-op result), chosen once per shape and cached with the descriptors.
 *
 * <p>The handle runs on the legacy default stream ({@code cudnnSetStream(handle, NULL)}), the stream JCuda's
 * launches and copies use, on whatever context is current: the caller makes the device's primary context
 * current first, and the CUDA runtime inside cuDNN adopts it. Not thread-safe (the owner serialises calls).
 * <b>Unverified:</b> never run (no GPU where it was written).
 */
final class CudnnConvolutions implements AutoCloseable {

    private static final long WORKSPACE_LIMIT = 2L << 30;
    private static final int REQUESTED_ALGOS = 16;

    private final CudnnLibrary lib;
    private final boolean tf32;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private final MemorySegment one, zero, count, size, perf;
    private final DeviceBuffer workspace = new DeviceBuffer("cudnn.workspace");
    private final Map<Shape, Plan> plans = new HashMap<>();
    private boolean handleCreated, closed;

    /** A convolution problem: x [n, ci, h, w], w [co, ci, k, k]. */
    record Shape(int n, int ci, int co, int h, int w, int k) {}

    /** Descriptors of one shape and, once chosen, its algorithms (-1 before) and their workspace sizes. */
    private static final class Plan {
        MemorySegment x, y, filter, bias, conv;
        int fwdAlgo = -1, dataAlgo = -1, filterAlgo = -1;
        long fwdBytes, dataBytes, filterBytes;
    }

    CudnnConvolutions(CudnnLibrary lib, boolean tf32) {
        this.lib = lib;
        this.tf32 = tf32;
        one = arena.allocateFrom(JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(JAVA_FLOAT, 0f);
        count = arena.allocate(JAVA_INT);
        size = arena.allocate(JAVA_LONG);
        perf = arena.allocate(CudnnLibrary.ALGO_PERF, REQUESTED_ALGOS);
        MemorySegment h = arena.allocate(ADDRESS);
        try {
            lib.check((int) lib.create.invokeExact(h), "cudnnCreate");
            handle = h.get(ADDRESS, 0);
            handleCreated = true;
            lib.check((int) lib.setStream.invokeExact(handle, MemorySegment.NULL), "cudnnSetStream");
        } catch (Throwable t) {
            RuntimeException e = CudnnLibrary.downcallFailure("cudnnCreate", t);
            try {
                close();
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    String describe() {
        return "cuDNN " + CudnnLibrary.versionString(lib.version) + (tf32 ? " (TF32 allowed)" : " (FMA math, no TF32)");
    }

    // ---------------------------------------------------------------- operations

    /** y = conv(x, w) + b. */
    void forward(Shape s, DevicePtr x, DevicePtr w, DevicePtr b, DevicePtr y) {
        Plan p = plan(s);
        try {
            if (p.fwdAlgo < 0) {
                p.fwdAlgo = choose(lib.fwdAlgo, "cudnnGetConvolutionForwardAlgorithm_v7", p.x, p.filter, p.conv, p.y);
                lib.check(
                        (int) lib.fwdWorkspace.invokeExact(handle, p.x, p.filter, p.conv, p.y, p.fwdAlgo, size),
                        "cudnnGetConvolutionForwardWorkspaceSize");
                p.fwdBytes = size.get(JAVA_LONG, 0);
            }
            MemorySegment ws = workspace(p.fwdBytes);
            lib.check(
                    (int) lib.forward.invokeExact(
                            handle,
                            one,
                            p.x,
                            dev(x),
                            p.filter,
                            dev(w),
                            p.conv,
                            p.fwdAlgo,
                            ws,
                            p.fwdBytes,
                            zero,
                            p.y,
                            dev(y)),
                    "cudnnConvolutionForward");
            lib.check((int) lib.addTensor.invokeExact(handle, one, p.bias, dev(b), one, p.y, dev(y)), "cudnnAddTensor");
        } catch (Throwable t) {
            throw CudnnLibrary.downcallFailure("cudnn forward", t);
        }
    }

    /** dx = conv^T(dy, w). */
    void backwardData(Shape s, DevicePtr dy, DevicePtr w, DevicePtr dx) {
        Plan p = plan(s);
        try {
            if (p.dataAlgo < 0) {
                p.dataAlgo = choose(
                        lib.bwdDataAlgo, "cudnnGetConvolutionBackwardDataAlgorithm_v7", p.filter, p.y, p.conv, p.x);
                lib.check(
                        (int) lib.bwdDataWorkspace.invokeExact(handle, p.filter, p.y, p.conv, p.x, p.dataAlgo, size),
                        "cudnnGetConvolutionBackwardDataWorkspaceSize");
                p.dataBytes = size.get(JAVA_LONG, 0);
            }
            MemorySegment ws = workspace(p.dataBytes);
            lib.check(
                    (int) lib.backwardData.invokeExact(
                            handle,
                            one,
                            p.filter,
                            dev(w),
                            p.y,
                            dev(dy),
                            p.conv,
                            p.dataAlgo,
                            ws,
                            p.dataBytes,
                            zero,
                            p.x,
                            dev(dx)),
                    "cudnnConvolutionBackwardData");
        } catch (Throwable t) {
            throw CudnnLibrary.downcallFailure("cudnn backward data", t);
        }
    }

    /** dw = sum over the batch of x (*) dy, db = sum of dy per output channel. */
    void backwardFilter(Shape s, DevicePtr x, DevicePtr dy, DevicePtr dw, DevicePtr db) {
        Plan p = plan(s);
        try {
            if (p.filterAlgo < 0) {
                p.filterAlgo = choose(
                        lib.bwdFilterAlgo, "cudnnGetConvolutionBackwardFilterAlgorithm_v7", p.x, p.y, p.conv, p.filter);
                lib.check(
                        (int) lib.bwdFilterWorkspace.invokeExact(
                                handle, p.x, p.y, p.conv, p.filter, p.filterAlgo, size),
                        "cudnnGetConvolutionBackwardFilterWorkspaceSize");
                p.filterBytes = size.get(JAVA_LONG, 0);
            }
            MemorySegment ws = workspace(p.filterBytes);
            lib.check(
                    (int) lib.backwardFilter.invokeExact(
                            handle,
                            one,
                            p.x,
                            dev(x),
                            p.y,
                            dev(dy),
                            p.conv,
                            p.filterAlgo,
                            ws,
                            p.filterBytes,
                            zero,
                            p.filter,
                            dev(dw)),
                    "cudnnConvolutionBackwardFilter");
            lib.check(
                    (int) lib.backwardBias.invokeExact(handle, one, p.y, dev(dy), zero, p.bias, dev(db)),
                    "cudnnConvolutionBackwardBias");
        } catch (Throwable t) {
            throw CudnnLibrary.downcallFailure("cudnn backward filter", t);
        }
    }

    /** The algorithms chosen so far, for reports: shape -> "fwd=1 data=1 filter=3" (-1 = not chosen yet). */
    Map<Shape, String> chosenAlgorithms() {
        Map<Shape, String> m = new HashMap<>();
        plans.forEach((s, p) -> m.put(s, "fwd=" + p.fwdAlgo + " data=" + p.dataAlgo + " filter=" + p.filterAlgo));
        return m;
    }

    // ---------------------------------------------------------------- plumbing

    private static MemorySegment dev(DevicePtr p) {
        return MemorySegment.ofAddress(p.address());
    }

    private MemorySegment workspace(long bytes) {
        return bytes == 0 ? MemorySegment.NULL : dev(workspace.ensureExact(bytes));
    }

    /** The first heuristic result that succeeded, fits {@link #WORKSPACE_LIMIT} and respects the math setting. */
    private int choose(
            MethodHandle heuristic, String fn, MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d)
            throws Throwable {
        count.set(JAVA_INT, 0, 0);
        lib.check((int) heuristic.invokeExact(handle, a, b, c, d, REQUESTED_ALGOS, count, perf), fn);
        int n = Math.min(REQUESTED_ALGOS, count.get(JAVA_INT, 0));
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < n; i++) {
            long off = i * CudnnLibrary.ALGO_PERF.byteSize();
            int algo = perf.get(JAVA_INT, off + CudnnLibrary.PERF_ALGO);
            int status = perf.get(JAVA_INT, off + CudnnLibrary.PERF_STATUS);
            long memory = perf.get(JAVA_LONG, off + CudnnLibrary.PERF_MEMORY);
            int math = perf.get(JAVA_INT, off + CudnnLibrary.PERF_MATH);
            int determinism = perf.get(JAVA_INT, off + CudnnLibrary.PERF_DETERMINISM);
            seen.append(' ')
                    .append(algo)
                    .append('/')
                    .append(status)
                    .append('/')
                    .append(math)
                    .append('/')
                    .append(determinism);
            if (status != CudnnLibrary.STATUS_SUCCESS || memory > WORKSPACE_LIMIT) continue;
            // NnKernels promises bit-for-bit repeatable results: no algorithm that accumulates in a racy order
            if (determinism != CudnnLibrary.DETERMINISTIC) continue;
            if (!tf32 && (math == CudnnLibrary.TENSOR_OP_MATH || math == CudnnLibrary.TENSOR_OP_MATH_ALLOW_CONVERSION))
                continue;
            return algo;
        }
        throw new IllegalStateException(fn + ": no usable algorithm (algo/status/math/determinism:" + seen + ")");
    }

    private Plan plan(Shape s) {
        if (closed) throw new IllegalStateException("cudnn convolutions are closed");
        Plan p = plans.get(s);
        if (p != null) return p;
        p = new Plan();
        try {
            p.x = tensor(s.n(), s.ci(), s.h(), s.w());
            p.y = tensor(s.n(), s.co(), s.h(), s.w());
            p.bias = tensor(1, s.co(), 1, 1);
            MemorySegment out = arena.allocate(ADDRESS);
            lib.check((int) lib.createFilter.invokeExact(out), "cudnnCreateFilterDescriptor");
            p.filter = out.get(ADDRESS, 0);
            lib.check(
                    (int) lib.setFilter4d.invokeExact(
                            p.filter, CudnnLibrary.DATA_FLOAT, CudnnLibrary.TENSOR_NCHW, s.co(), s.ci(), s.k(), s.k()),
                    "cudnnSetFilter4dDescriptor");
            lib.check((int) lib.createConv.invokeExact(out), "cudnnCreateConvolutionDescriptor");
            p.conv = out.get(ADDRESS, 0);
            int pad = s.k() / 2;
            lib.check(
                    (int) lib.setConv2d.invokeExact(
                            p.conv, pad, pad, 1, 1, 1, 1, CudnnLibrary.CROSS_CORRELATION, CudnnLibrary.DATA_FLOAT),
                    "cudnnSetConvolution2dDescriptor");
            lib.check(
                    (int) lib.setConvMath.invokeExact(p.conv, tf32 ? CudnnLibrary.DEFAULT_MATH : CudnnLibrary.FMA_MATH),
                    "cudnnSetConvolutionMathType");
        } catch (Throwable t) {
            destroy(p);
            throw CudnnLibrary.downcallFailure("cudnn descriptors", t);
        }
        plans.put(s, p);
        return p;
    }

    private MemorySegment tensor(int n, int c, int h, int w) throws Throwable {
        MemorySegment out = arena.allocate(ADDRESS);
        lib.check((int) lib.createTensor.invokeExact(out), "cudnnCreateTensorDescriptor");
        MemorySegment d = out.get(ADDRESS, 0);
        int st = (int) lib.setTensor4d.invokeExact(d, CudnnLibrary.TENSOR_NCHW, CudnnLibrary.DATA_FLOAT, n, c, h, w);
        if (st != CudnnLibrary.STATUS_SUCCESS) {
            int ignored = (int) lib.destroyTensor.invokeExact(d);
            lib.check(st, "cudnnSetTensor4dDescriptor");
        }
        return d;
    }

    /** Destroys a plan's descriptors; returns the first failure's message or null. */
    private String destroy(Plan p) {
        List<String> errors = new ArrayList<>();
        try {
            if (p.x != null) errors.add(status((int) lib.destroyTensor.invokeExact(p.x), "x"));
            if (p.y != null) errors.add(status((int) lib.destroyTensor.invokeExact(p.y), "y"));
            if (p.bias != null) errors.add(status((int) lib.destroyTensor.invokeExact(p.bias), "bias"));
            if (p.filter != null) errors.add(status((int) lib.destroyFilter.invokeExact(p.filter), "filter"));
            if (p.conv != null) errors.add(status((int) lib.destroyConv.invokeExact(p.conv), "conv"));
        } catch (Throwable t) {
            errors.add(Backends.oneLine(t));
        }
        return errors.stream().filter(e -> e != null).findFirst().orElse(null);
    }

    private static String status(int st, String what) {
        return st == CudnnLibrary.STATUS_SUCCESS ? null : "destroying the " + what + " descriptor: status " + st;
    }

    /** Destroys every descriptor and the handle and frees the workspace. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        String first = null;
        for (Plan p : plans.values()) {
            String e = destroy(p);
            if (first == null) first = e;
        }
        plans.clear();
        try {
            workspace.close();
        } catch (RuntimeException e) {
            if (first == null) first = Backends.oneLine(e);
        }
        if (handleCreated) {
            try {
                int st = (int) lib.destroy.invokeExact(handle);
                if (st != CudnnLibrary.STATUS_SUCCESS && first == null) first = "cudnnDestroy: status " + st;
            } catch (Throwable t) {
                if (first == null) first = Backends.oneLine(t);
            }
        }
        arena.close();
        if (first != null) throw new IllegalStateException("cudnn close failed: " + first);
    }
}
