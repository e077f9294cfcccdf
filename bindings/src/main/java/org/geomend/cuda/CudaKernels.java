package org.geomend.cuda;

import static jcuda.driver.JCudaDriver.*;
import static org.geomend.cuda.CudaModule.params;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import org.geomend.kernels.Backends;
import org.geomend.kernels.BetaSweep;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.MapBatch;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.java.JavaKernels;
import org.geomend.kernels.java.SiteIndex;

/**
 * The CUDA backend: every {@link GeoKernels} operation as kernels of {@code cuda-src/}, launched through
 * the JCuda driver API on the device's primary context. Host buffers ({@link GridBuffer}, off-heap) are
 * copied to cached device buffers that grow on demand and are freed in {@link #close()}. Results agree
 * with {@link JavaKernels}: identical knn rasters (same candidate lists, no FMA in distances), sPDI and
 * KS2 in float64. Calls are serialised ({@code synchronized}); any CUDA error surfaces as an
 * {@link IllegalStateException} with a one-line message.
 */
public final class CudaKernels implements GeoKernels {

    /** The fatbin resource written by the native-build module, next to this class. */
    public static final String FATBIN = "geomend.fatbin";

    private static final long COPY_CHUNK = 1L << 30;
    private static final int MAX_GRID_YZ = 65535;
    private static final int KS2_STRIP = 64;
    private static final long KS2_ROWS_BUDGET = 2L << 30; // bytes of float64 row prefixes per launch

    private final int ordinal;
    private final CudaModule cuda;
    private final CUfunction fKnn, fVoronoi, fSpdi, fNormSum, fNormDiv, fKsRows, fKsCols, fKsCombine, fSweep;
    private final CUevent evStart = new CUevent(), evStop = new CUevent();
    private final DeviceBuffer dSx = new DeviceBuffer("sites.x"),
            dSy = new DeviceBuffer("sites.y"),
            dCandOff = new DeviceBuffer("knn.candOff"),
            dCandIdx = new DeviceBuffer("knn.candIdx"),
            dKnn = new DeviceBuffer("knn"),
            dMaps = new DeviceBuffer("maps"),
            dMask = new DeviceBuffer("mask"),
            dSite = new DeviceBuffer("batch.site"),
            dCol0 = new DeviceBuffer("batch.col0"),
            dRow0 = new DeviceBuffer("batch.row0"),
            dBeta = new DeviceBuffer("batch.beta"),
            dPartials = new DeviceBuffer("norm.partials"),
            dSums = new DeviceBuffer("norm.sums"),
            dKsRef = new DeviceBuffer("ks2.ref"),
            dKsCand = new DeviceBuffer("ks2.cand"),
            dKsRows = new DeviceBuffer("ks2.rows"),
            dKsPart = new DeviceBuffer("ks2.part"),
            dKsRowPart = new DeviceBuffer("ks2.rowPart"),
            dKsOut = new DeviceBuffer("ks2.out");
    private final List<DeviceBuffer> buffers = List.of(
            dSx,
            dSy,
            dCandOff,
            dCandIdx,
            dKnn,
            dMaps,
            dMask,
            dSite,
            dCol0,
            dRow0,
            dBeta,
            dPartials,
            dSums,
            dKsRef,
            dKsCand,
            dKsRows,
            dKsPart,
            dKsRowPart,
            dKsOut);
    private boolean eventsCreated, closed;
    private double lastKernelMillis;

    private CudaKernels(int ordinal, byte[] fatbin) {
        this.ordinal = ordinal;
        this.cuda = new CudaModule(ordinal);
        try {
            cuda.load(fatbin, true);
            fKnn = function("geomend_knn");
            fVoronoi = function("geomend_voronoi");
            fSpdi = function("geomend_spdi");
            fNormSum = function("geomend_normalize_sum");
            fNormDiv = function("geomend_normalize_div");
            fKsRows = function("geomend_ks2_rows");
            fKsCols = function("geomend_ks2_cols");
            fKsCombine = function("geomend_ks2_combine");
            fSweep = function("geomend_spdi_sweep");
            cuEventCreate(evStart, 0);
            cuEventCreate(evStop, 0);
            eventsCreated = true;
        } catch (RuntimeException e) {
            throw CudaModule.afterClosing(e, this::close);
        }
    }

    /**
     * Opens device {@code ordinal}.
     *
     * @throws CudaUnavailableException with a one-line reason: no fatbin resource, no libcuda.so.1, the
     *     JCuda natives do not load, no device, or the driver refuses the context or the module
     */
    public static CudaKernels open(int ordinal) throws CudaUnavailableException {
        byte[] fatbin = CudaModule.requireFatbin();
        return CudaModule.start(ordinal, () -> new CudaKernels(ordinal, fatbin));
    }

    /** Why the CUDA backend cannot start here, or null when {@link #open(int) open(0)} works (it is closed again). */
    public static String unavailableReason() {
        try (CudaKernels k = open(0)) {
            return null;
        } catch (CudaUnavailableException e) {
            return e.getMessage();
        } catch (Throwable t) {
            return Backends.oneLine(t);
        }
    }

    private CUfunction function(String name) {
        return cuda.function(name);
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The device's name (cuDeviceGetName). */
    public String deviceName() {
        return cuda.deviceName();
    }

    public int ordinal() {
        return ordinal;
    }

    /** GPU time, in milliseconds, of the kernels of the last operation (CUDA events; copies excluded). */
    public synchronized double lastKernelMillis() {
        return lastKernelMillis;
    }

    // ---------------------------------------------------------------- plumbing

    private void enter() {
        if (closed) throw new IllegalStateException("cuda backend is closed");
        cuda.makeCurrent();
    }

    private IllegalStateException failure(String op, RuntimeException e) {
        return new IllegalStateException("cuda " + op + " failed: " + Backends.oneLine(e), e);
    }

    private static void launch(CUfunction f, long gx, int gy, int gz, int block, Object... args) {
        if (gx <= 0 || gy <= 0 || gz <= 0) return;
        if (gx > Integer.MAX_VALUE) throw new IllegalArgumentException("grid too large: " + gx);
        cuLaunchKernel(f, (int) gx, gy, gz, block, 1, 1, 0, null, params(args), null);
    }

    private static void launch2d(CUfunction f, int gx, int gy, int bx, int by, Object... args) {
        if (gx <= 0 || gy <= 0) return;
        cuLaunchKernel(f, gx, gy, 1, bx, by, 1, 0, null, params(args), null);
    }

    private void timerStart() {
        cuEventRecord(evStart, null);
    }

    private void timerStop() {
        cuEventRecord(evStop, null);
        cuEventSynchronize(evStop);
        float[] ms = {0};
        cuEventElapsedTime(ms, evStart, evStop);
        lastKernelMillis = ms[0];
    }

    /**
     * {@code n} bytes of native {@code s} from byte {@code off} as a pointer for a JCuda copy. A direct buffer of a
     * segment whose arena closed (a closed {@code GridBuffer}) would still hand its dead address to the driver, so a
     * closed segment throws {@link IllegalStateException} here instead.
     */
    static Pointer host(MemorySegment s, long off, long n) {
        if (!s.scope().isAlive())
            throw new IllegalStateException("host memory already closed (" + s.byteSize() + "-byte segment)");
        return Pointer.to(s.asSlice(off, n).asByteBuffer());
    }

    /** Copies {@code bytes} bytes of {@code src} from byte {@code off} to {@code dst} (bounds-checked host side). */
    private static void toDevice(CUdeviceptr dst, MemorySegment src, long off, long bytes) {
        for (long done = 0; done < bytes; ) {
            long n = Math.min(COPY_CHUNK, bytes - done);
            cuMemcpyHtoD(dst.withByteOffset(done), host(src, off + done, n), n);
            done += n;
        }
    }

    private static void toHost(MemorySegment dst, long off, CUdeviceptr src, long bytes) {
        for (long done = 0; done < bytes; ) {
            long n = Math.min(COPY_CHUNK, bytes - done);
            cuMemcpyDtoH(host(dst, off + done, n), src.withByteOffset(done), n);
            done += n;
        }
    }

    private static CUdeviceptr upload(DeviceBuffer b, int[] a, int n) {
        CUdeviceptr p = b.ensure(4L * n);
        if (n > 0) cuMemcpyHtoD(p, Pointer.to(a), 4L * n);
        return p;
    }

    private static CUdeviceptr upload(DeviceBuffer b, double[] a, int n) {
        CUdeviceptr p = b.ensure(8L * n);
        if (n > 0) cuMemcpyHtoD(p, Pointer.to(a), 8L * n);
        return p;
    }

    private static CUdeviceptr upload(DeviceBuffer b, GridBuffer g, long byteOff, long bytes) {
        CUdeviceptr p = b.ensure(bytes);
        toDevice(p, g.segment(), byteOff, bytes);
        return p;
    }

    // ---------------------------------------------------------------- nearest sites

    @Override
    public synchronized void nearestSites(SitePositions sites, KnnRaster dst) {
        GridSpec g = dst.grid();
        int kk = dst.kk(), B = JavaKernels.BLOCK;
        int bw = (g.width() + B - 1) / B, bh = (g.height() + B - 1) / B;
        if (bh > MAX_GRID_YZ) throw new IllegalArgumentException("raster too tall for the cuda backend: " + g.height());
        // candidate lists per 16 x 16 block, exactly as JavaKernels.nearestSites builds them
        SiteIndex index = new SiteIndex(sites);
        int[][] cand = IntStream.range(0, bw * bh)
                .parallel()
                .mapToObj(b -> {
                    int bc = (b % bw) * B, br = (b / bw) * B;
                    int ce = Math.min(bc + B, g.width()), re = Math.min(br + B, g.height());
                    double cx = g.x0() + (bc + ce) * 0.5 * g.resolution(),
                            cy = g.y0() + (br + re) * 0.5 * g.resolution();
                    double h = Math.hypot(ce - bc, re - br) * 0.5 * g.resolution();
                    return JavaKernels.candidates(index, cx, cy, kk, h);
                })
                .toArray(int[][]::new);
        int[] off = new int[bw * bh + 1];
        for (int b = 0; b < cand.length; b++) off[b + 1] = Math.addExact(off[b], cand[b].length);
        int[] idx = new int[off[cand.length]];
        for (int b = 0; b < cand.length; b++) System.arraycopy(cand[b], 0, idx, off[b], cand[b].length);
        long outBytes = g.pixels() * kk * 4;
        try {
            enter();
            CUdeviceptr sx = upload(dSx, sites.x(), sites.size()), sy = upload(dSy, sites.y(), sites.size());
            CUdeviceptr co = upload(dCandOff, off, off.length), ci = upload(dCandIdx, idx, idx.length);
            CUdeviceptr out = dKnn.ensure(outBytes);
            timerStart();
            launch2d(
                    fKnn, bw, bh, B, B, sx, sy, co, ci, g.x0(), g.y0(), g.resolution(), g.width(), g.height(), kk, out);
            timerStop();
            toHost(dst.idx().segment(), 0, out, outBytes);
        } catch (RuntimeException e) {
            throw failure("nearestSites", e);
        }
    }

    // ---------------------------------------------------------------- maps

    private CUdeviceptr uploadKnn(KnnRaster knn) {
        return upload(dKnn, knn.idx(), 0, knn.grid().pixels() * knn.kk() * 4);
    }

    @Override
    public synchronized void voronoiMaps(KnnRaster knn, MapBatch batch) {
        batch.checkInside(knn.grid());
        int n = batch.count();
        long np = batch.mapPixels(), bytes = n * np * 4;
        try {
            enter();
            CUdeviceptr k = uploadKnn(knn);
            CUdeviceptr site = upload(dSite, batch.site(), n),
                    c0 = upload(dCol0, batch.col0(), n),
                    r0 = upload(dRow0, batch.row0(), n);
            CUdeviceptr maps = dMaps.ensure(bytes);
            timerStart();
            for (int base = 0; base < n; base += MAX_GRID_YZ)
                launch(
                        fVoronoi,
                        (np + 255) / 256,
                        Math.min(MAX_GRID_YZ, n - base),
                        1,
                        256,
                        k,
                        knn.grid().width(),
                        knn.kk(),
                        site,
                        c0,
                        r0,
                        base,
                        batch.width(),
                        batch.height(),
                        maps);
            timerStop();
            toHost(batch.maps().segment(), 0, maps, bytes);
        } catch (RuntimeException e) {
            throw failure("voronoiMaps", e);
        }
    }

    @Override
    public synchronized void spdiMaps(SitePositions sites, KnnRaster knn, int k, MapBatch batch) {
        if (k < 1 || k > 8) throw new IllegalArgumentException("k must be in [1, 8]: " + k);
        if (knn.kk() < k + 1)
            throw new IllegalArgumentException(
                    "raster holds " + knn.kk() + " neighbours, sPDI k=" + k + " needs " + (k + 1));
        batch.checkInside(knn.grid());
        int n = batch.count();
        for (int m = 0; m < n; m++)
            if (batch.site()[m] < 0 || batch.site()[m] >= sites.size())
                throw new IllegalArgumentException(
                        "map " + m + " names site " + batch.site()[m] + " of " + sites.size());
        GridSpec g = knn.grid();
        long np = batch.mapPixels(), bytes = n * np * 4;
        try {
            enter();
            CUdeviceptr sx = upload(dSx, sites.x(), sites.size()), sy = upload(dSy, sites.y(), sites.size());
            CUdeviceptr kn = uploadKnn(knn);
            CUdeviceptr site = upload(dSite, batch.site(), n),
                    c0 = upload(dCol0, batch.col0(), n),
                    r0 = upload(dRow0, batch.row0(), n);
            CUdeviceptr beta = upload(dBeta, batch.beta(), n);
            CUdeviceptr maps = dMaps.ensure(bytes);
            timerStart();
            for (int base = 0; base < n; base += MAX_GRID_YZ)
                launch(
                        fSpdi,
                        (np + 255) / 256,
                        Math.min(MAX_GRID_YZ, n - base),
                        1,
                        256,
                        sx,
                        sy,
                        kn,
                        g.x0(),
                        g.y0(),
                        g.resolution(),
                        g.width(),
                        knn.kk(),
                        k,
                        site,
                        c0,
                        r0,
                        beta,
                        base,
                        batch.width(),
                        batch.height(),
                        maps);
            timerStop();
            toHost(batch.maps().segment(), 0, maps, bytes);
        } catch (RuntimeException e) {
            throw failure("spdiMaps", e);
        }
    }

    @Override
    public synchronized void normalize(MapBatch batch, GridSpec raster, GridBuffer mask, double[] sums) {
        if (mask != null) {
            batch.checkInside(raster);
            if (mask.byteSize() < raster.pixels()) throw new IllegalArgumentException("mask smaller than the raster");
        }
        int n = batch.count();
        if (sums.length < n) throw new IllegalArgumentException("sums shorter than the batch");
        long np = batch.mapPixels(), bytes = n * np * 4;
        int parts = (int) Math.max(1, Math.min(64, (np + 4095) / 4096));
        try {
            enter();
            CUdeviceptr maps = upload(dMaps, batch.maps(), 0, bytes);
            CUdeviceptr mk = mask == null ? null : upload(dMask, mask, 0, raster.pixels());
            CUdeviceptr c0 = upload(dCol0, batch.col0(), n), r0 = upload(dRow0, batch.row0(), n);
            CUdeviceptr part = dPartials.ensure(8L * n * parts), sm = dSums.ensure(8L * n);
            timerStart();
            for (int base = 0; base < n; base += MAX_GRID_YZ) {
                int cnt = Math.min(MAX_GRID_YZ, n - base);
                launch(
                        fNormSum,
                        parts,
                        cnt,
                        1,
                        256,
                        maps,
                        mk,
                        raster.width(),
                        c0,
                        r0,
                        base,
                        batch.width(),
                        batch.height(),
                        parts,
                        part);
                launch(
                        fNormDiv,
                        (np + 255) / 256,
                        cnt,
                        1,
                        256,
                        maps,
                        part,
                        parts,
                        base,
                        batch.width(),
                        batch.height(),
                        sm);
            }
            timerStop();
            toHost(batch.maps().segment(), 0, maps, bytes);
            if (n > 0) cuMemcpyDtoH(Pointer.to(sums), sm, 8L * n);
        } catch (RuntimeException e) {
            throw failure("normalize", e);
        }
    }

    // ---------------------------------------------------------------- KS2

    @Override
    public double ks2(GridBuffer p, long offP, GridBuffer q, long offQ, int width, int height) {
        double[] out = new double[1];
        ks2(p, offP, q, offQ, 1, width, height, out);
        return out[0];
    }

    @Override
    public void ks2Batch(
            GridBuffer ref, long offRef, GridBuffer candidates, int count, int width, int height, double[] out) {
        ks2(ref, offRef, candidates, 0, count, width, height, out);
    }

    private synchronized void ks2(
            GridBuffer ref,
            long offRef,
            GridBuffer cand,
            long offCand,
            int count,
            int width,
            int height,
            double[] out) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("bad KS2 size " + width + "x" + height);
        long np = (long) width * height;
        if (offRef < 0 || offRef + np > ref.elements() || offCand < 0 || offCand + count * np > cand.elements())
            throw new IllegalArgumentException("KS2 maps reach past their buffers");
        if (out.length < count) throw new IllegalArgumentException("out shorter than count");
        if (count == 0) return;
        int strips = (height + KS2_STRIP - 1) / KS2_STRIP;
        int chunk = (int) Math.max(1, Math.min(MAX_GRID_YZ, KS2_ROWS_BUDGET / (np * 8)));
        double kernelMs = 0;
        try {
            enter();
            CUdeviceptr r = upload(dKsRef, ref, offRef * 4, np * 4);
            double[] res = new double[Math.min(chunk, count)];
            for (int base = 0; base < count; base += chunk) {
                int cnt = Math.min(chunk, count - base);
                CUdeviceptr c = upload(dKsCand, cand, (offCand + base * np) * 4, cnt * np * 4);
                CUdeviceptr rows = dKsRows.ensure(cnt * np * 8);
                CUdeviceptr part = dKsPart.ensure(5L * 8 * cnt * strips * (width + 1));
                CUdeviceptr rowPart = dKsRowPart.ensure(8L * cnt * strips);
                CUdeviceptr o = dKsOut.ensure(8L * cnt);
                timerStart();
                launch(fKsRows, (height + 7) / 8, cnt, 1, 256, r, c, width, height, rows);
                launch(
                        fKsCols,
                        (width + 1 + 127) / 128,
                        strips,
                        cnt,
                        128,
                        rows,
                        width,
                        height,
                        KS2_STRIP,
                        strips,
                        part,
                        rowPart);
                launch(fKsCombine, cnt, 1, 1, 256, part, rowPart, width, strips, o);
                timerStop();
                kernelMs += lastKernelMillis;
                cuMemcpyDtoH(Pointer.to(res), o, 8L * cnt);
                System.arraycopy(res, 0, out, base, cnt);
            }
            lastKernelMillis = kernelMs;
        } catch (RuntimeException e) {
            throw failure("ks2", e);
        }
    }

    // ---------------------------------------------------------------- teacher sweep

    /**
     * Per chunk of betas (bounded by the KS2 row-prefix budget): geomend_spdi_sweep draws the unnormalised maps,
     * geomend_normalize_sum/div normalise them in place (no mask) and geomend_ks2_rows/cols/combine score them
     * against the reference; only the KS2 values and sums come back to the host.
     */
    @Override
    public synchronized void spdiBetaSweep(
            SitePositions sites,
            KnnRaster knn,
            int k,
            BetaSweep sweep,
            GridBuffer ref,
            long offRef,
            double[] ks2,
            double[] sums) {
        if (k < 1 || k > 8) throw new IllegalArgumentException("k must be in [1, 8]: " + k);
        if (knn.kk() < k + 1)
            throw new IllegalArgumentException(
                    "raster holds " + knn.kk() + " neighbours, sPDI k=" + k + " needs " + (k + 1));
        sweep.check(knn.grid(), sites);
        int nb = sweep.count(), w = sweep.width(), h = sweep.height();
        if (ks2.length < nb || sums.length < nb)
            throw new IllegalArgumentException("ks2/sums shorter than the " + nb + " betas");
        long np = sweep.mapPixels();
        if (offRef < 0 || offRef + np > ref.elements())
            throw new IllegalArgumentException("reference map reaches past its buffer");
        GridSpec g = knn.grid();
        int chunk = (int) Math.max(1, Math.min(Math.min(nb, MAX_GRID_YZ), KS2_ROWS_BUDGET / (np * 8)));
        int strips = (h + KS2_STRIP - 1) / KS2_STRIP;
        int parts = (int) Math.max(1, Math.min(64, (np + 4095) / 4096));
        double kernelMs = 0;
        try {
            enter();
            CUdeviceptr sx = upload(dSx, sites.x(), sites.size()), sy = upload(dSy, sites.y(), sites.size());
            CUdeviceptr kn = uploadKnn(knn);
            CUdeviceptr r = upload(dKsRef, ref, offRef * 4, np * 4);
            CUdeviceptr beta = upload(dBeta, sweep.betas(), nb);
            double[] res = new double[chunk], sm = new double[chunk];
            for (int base = 0; base < nb; base += chunk) {
                int cnt = Math.min(chunk, nb - base);
                CUdeviceptr maps = dMaps.ensure(cnt * np * 4);
                CUdeviceptr part = dPartials.ensure(8L * cnt * parts), su = dSums.ensure(8L * cnt);
                CUdeviceptr rows = dKsRows.ensure(cnt * np * 8);
                CUdeviceptr kp = dKsPart.ensure(5L * 8 * cnt * strips * (w + 1));
                CUdeviceptr rowPart = dKsRowPart.ensure(8L * cnt * strips);
                CUdeviceptr o = dKsOut.ensure(8L * cnt);
                timerStart();
                launch(
                        fSweep,
                        (np + 255) / 256,
                        1,
                        1,
                        256,
                        sx,
                        sy,
                        kn,
                        g.x0(),
                        g.y0(),
                        g.resolution(),
                        g.width(),
                        knn.kk(),
                        k,
                        sweep.site(),
                        sweep.col0(),
                        sweep.row0(),
                        w,
                        h,
                        beta,
                        base,
                        cnt,
                        maps);
                launch(fNormSum, parts, cnt, 1, 256, maps, null, g.width(), null, null, 0, w, h, parts, part);
                launch(fNormDiv, (np + 255) / 256, cnt, 1, 256, maps, part, parts, 0, w, h, su);
                launch(fKsRows, (h + 7) / 8, cnt, 1, 256, r, maps, w, h, rows);
                launch(fKsCols, (w + 1 + 127) / 128, strips, cnt, 128, rows, w, h, KS2_STRIP, strips, kp, rowPart);
                launch(fKsCombine, cnt, 1, 1, 256, kp, rowPart, w, strips, o);
                timerStop();
                kernelMs += lastKernelMillis;
                cuMemcpyDtoH(Pointer.to(res), o, 8L * cnt);
                cuMemcpyDtoH(Pointer.to(sm), su, 8L * cnt);
                for (int i = 0; i < cnt; i++) {
                    sums[base + i] = sm[i];
                    ks2[base + i] = sm[i] > 0 ? res[i] : Double.NaN;
                }
            }
            lastKernelMillis = kernelMs;
        } catch (RuntimeException e) {
            throw failure("spdiBetaSweep", e);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Frees every device buffer, the module and events, and releases the primary context. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        List<AutoCloseable> owned = new ArrayList<>(buffers);
        owned.add(() -> {
            if (eventsCreated) {
                cuEventDestroy(evStart);
                cuEventDestroy(evStop);
            }
        });
        RuntimeException first = cuda.close(owned);
        if (first != null) throw new IllegalStateException("cuda close failed: " + Backends.oneLine(first), first);
    }
}
