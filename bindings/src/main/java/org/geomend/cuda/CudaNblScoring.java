package org.geomend.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import org.geomend.kernels.Backends;
import org.geomend.kernels.nbl.NblBatch;
import org.geomend.kernels.nbl.NblMapArrays;
import org.geomend.kernels.nbl.NblModel;
import org.geomend.kernels.nbl.NblOptions;
import org.geomend.kernels.nbl.NblResult;
import org.geomend.kernels.nbl.NblScoring;

/**
 * NBL batch scoring on CUDA: kernel {@code geomend_nbl_score} of {@code cuda-src/nbl.cu}, one thread per
 * record, launched through the JCuda driver API on the device's primary context. Same rules as
 * {@link NblModel}; the math is float64 like {@link org.geomend.kernels.nbl.NblReference} (device
 * {@code erfc} instead of the Java table), the inputs float32 as in {@link NblMapArrays} and
 * {@link NblBatch}. Expected agreement with the float64 reference: identical candidate counts, weighted
 * average within 0.05 m, MLE identical except for near-ties (the conformance suite's tolerances).
 *
 * <p><b>Unverified:</b> this class and the kernel compile on every build but have never run on a GPU
 * (the session that wrote them had none); {@code CudaNblConformanceTest} is skipped without a device.
 *
 * <p>The map's arrays are uploaded once per {@link NblMapArrays} instance (by identity: do not change a
 * map's arrays while a backend uses it); batches are copied per call into device buffers that grow on
 * demand. Calls are serialised; CUDA errors surface as {@link IllegalStateException} with one line.
 */
public final class CudaNblScoring implements NblScoring {

    private static final int BLOCK = 128;

    private final CudaModule cuda;
    private final CUfunction fScore;
    private final DeviceBuffer dCellStart = new DeviceBuffer("nbl.cellStart"),
            dEntTile = new DeviceBuffer("nbl.entTile"),
            dMuR = new DeviceBuffer("nbl.muR"),
            dIsR = new DeviceBuffer("nbl.isR"),
            dMuQ = new DeviceBuffer("nbl.muQ"),
            dIsQ = new DeviceBuffer("nbl.isQ"),
            dTileX = new DeviceBuffer("nbl.tileX"),
            dTileY = new DeviceBuffer("nbl.tileY"),
            dTileScale = new DeviceBuffer("nbl.tileScale"),
            dTileDens = new DeviceBuffer("nbl.tileDens"),
            dCellX = new DeviceBuffer("nbl.cellX"),
            dCellY = new DeviceBuffer("nbl.cellY"),
            dFpd = new DeviceBuffer("nbl.fpd"),
            dRecStart = new DeviceBuffer("nbl.recStart"),
            dCell = new DeviceBuffer("nbl.cell"),
            dRsrp = new DeviceBuffer("nbl.rsrp"),
            dRssi = new DeviceBuffer("nbl.rssi"),
            dTa = new DeviceBuffer("nbl.ta"),
            dEst = new DeviceBuffer("nbl.est"),
            dCand = new DeviceBuffer("nbl.cand");
    private final List<DeviceBuffer> buffers = List.of(
            dCellStart,
            dEntTile,
            dMuR,
            dIsR,
            dMuQ,
            dIsQ,
            dTileX,
            dTileY,
            dTileScale,
            dTileDens,
            dCellX,
            dCellY,
            dFpd,
            dRecStart,
            dCell,
            dRsrp,
            dRssi,
            dTa,
            dEst,
            dCand);
    private NblMapArrays uploaded;
    private double[] est = new double[0];
    private boolean closed;

    private CudaNblScoring(int ordinal, byte[] fatbin) {
        this.cuda = new CudaModule(ordinal);
        try {
            cuda.load(fatbin, false);
            fScore = cuda.function("geomend_nbl_score");
        } catch (RuntimeException e) {
            throw CudaModule.afterClosing(e, this::close);
        }
    }

    /**
     * Opens device {@code ordinal}.
     *
     * @throws CudaUnavailableException with a one-line reason (no fatbin, no driver, no device, ...)
     */
    public static CudaNblScoring open(int ordinal) throws CudaUnavailableException {
        byte[] fatbin = CudaModule.requireFatbin();
        return CudaModule.start(ordinal, () -> new CudaNblScoring(ordinal, fatbin));
    }

    @Override
    public String name() {
        return "cuda";
    }

    public String deviceName() {
        return cuda.deviceName();
    }

    private static CUdeviceptr up(DeviceBuffer b, int[] a, int n) {
        CUdeviceptr p = b.ensure(4L * n);
        if (n > 0) cuMemcpyHtoD(p, Pointer.to(a), 4L * n);
        return p;
    }

    private static CUdeviceptr up(DeviceBuffer b, float[] a, int n) {
        CUdeviceptr p = b.ensure(4L * n);
        if (n > 0) cuMemcpyHtoD(p, Pointer.to(a), 4L * n);
        return p;
    }

    private static CUdeviceptr up(DeviceBuffer b, double[] a, int n) {
        CUdeviceptr p = b.ensure(8L * n);
        if (n > 0) cuMemcpyHtoD(p, Pointer.to(a), 8L * n);
        return p;
    }

    private void uploadMap(NblMapArrays m) {
        uploaded = null;
        int ne = m.numEntries(), nt = m.numTiles(), nc = m.numCells();
        up(dCellStart, m.cellStart(), nc + 1);
        up(dEntTile, m.entTile(), ne);
        up(dMuR, m.entMuR(), ne);
        up(dIsR, m.entInvSdR(), ne);
        up(dMuQ, m.entMuQ(), ne);
        up(dIsQ, m.entInvSdQ(), ne);
        up(dTileX, m.tileX(), nt);
        up(dTileY, m.tileY(), nt);
        up(dTileScale, m.tileScale(), nt);
        up(dTileDens, m.tileDensity(), nt);
        up(dCellX, m.cellX(), nc);
        up(dCellY, m.cellY(), nc);
        up(dFpd, m.fpd() == null ? new float[0] : m.fpd(), m.fpd() == null ? 0 : m.fpd().length);
        uploaded = m;
    }

    private static Pointer p(CUdeviceptr d) {
        return Pointer.to(d);
    }

    private static Pointer p(int v) {
        return Pointer.to(new int[] {v});
    }

    private static Pointer p(double v) {
        return Pointer.to(new double[] {v});
    }

    @Override
    public synchronized void score(NblMapArrays map, NblBatch batch, NblOptions opt, NblResult out) {
        if (closed) throw new IllegalStateException("cuda nbl backend is closed");
        int n = batch.numRecords;
        if (n == 0) return;
        int rows = batch.numRows();
        try {
            cuda.makeCurrent();
            if (uploaded != map) uploadMap(map);
            CUdeviceptr rs = up(dRecStart, batch.recStart, n + 1),
                    ce = up(dCell, batch.cell, rows),
                    rp = up(dRsrp, batch.rsrp, rows),
                    rq = up(dRssi, batch.rssi, rows),
                    ta = up(dTa, batch.ta, rows);
            CUdeviceptr e = dEst.ensure(40L * n), c = dCand.ensure(4L * n);
            int fpdLen = map.fpd() == null ? 0 : map.fpd().length;
            Pointer params = Pointer.to(
                    p(dCellStart.ensure(0)),
                    p(dEntTile.ensure(0)),
                    p(dMuR.ensure(0)),
                    p(dIsR.ensure(0)),
                    p(dMuQ.ensure(0)),
                    p(dIsQ.ensure(0)),
                    p(dTileX.ensure(0)),
                    p(dTileY.ensure(0)),
                    p(dTileScale.ensure(0)),
                    p(dTileDens.ensure(0)),
                    p(dCellX.ensure(0)),
                    p(dCellY.ensure(0)),
                    p(dFpd.ensure(0)),
                    p(fpdLen),
                    p(map.fpdMin()),
                    p(map.fpdBin()),
                    p(map.fpdFloor()),
                    p(opt.miss()),
                    p(opt.density() ? 1 : 0),
                    p(opt.densityPower()),
                    p(opt.temperature()),
                    p(opt.rssi() ? 1 : 0),
                    p(opt.pd() ? 1 : 0),
                    p(opt.candidates() == NblOptions.Candidates.ALL ? 1 : 0),
                    p(opt.cutoff()),
                    p(opt.laplace() ? 1 : 0),
                    p(opt.power()),
                    p(opt.shift()),
                    p(opt.shiftIters()),
                    p(opt.shiftFromMle() ? 1 : 0),
                    p(opt.shiftRelative() ? 1 : 0),
                    p(rs),
                    p(ce),
                    p(rp),
                    p(rq),
                    p(ta),
                    p(n),
                    p(e),
                    p(c));
            cuLaunchKernel(fScore, (n + BLOCK - 1) / BLOCK, 1, 1, BLOCK, 1, 1, 0, null, params, null);
            cuCtxSynchronize();
            if (est.length < 5 * n) est = new double[5 * n];
            cuMemcpyDtoH(Pointer.to(est), e, 40L * n);
            cuMemcpyDtoH(Pointer.to(out.candidates), c, 4L * n);
        } catch (RuntimeException ex) {
            throw new IllegalStateException("cuda nbl score failed: " + Backends.oneLine(ex), ex);
        }
        for (int r = 0; r < n; r++) {
            out.mleX[r] = est[5 * r];
            out.mleY[r] = est[5 * r + 1];
            out.waX[r] = est[5 * r + 2];
            out.waY[r] = est[5 * r + 3];
            out.spread[r] = est[5 * r + 4];
        }
    }

    /** Frees the device buffers and the module and releases the primary context. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        RuntimeException first = cuda.close(buffers);
        if (first != null) throw new IllegalStateException("cuda close failed: " + Backends.oneLine(first), first);
    }
}
