package org.geomend.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.geomend.bench.BenchData;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.KnnRaster;
import org.geomend.kernels.Memory;
import org.geomend.kernels.SitePositions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A kernel handed a closed {@link GridBuffer} throws {@link IllegalStateException} on every backend (cuda on the CUDA
 * emulator where no GPU is) instead of reading or writing freed memory: the Java kernels through the segment's
 * arena, the CUDA copies because a closed segment refuses to give the driver its address.
 */
class ClosedBufferTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.geomend.conformance.TestBackends#names")
    void kernelsOnAClosedBufferThrow(String name) {
        GeoKernels k = TestBackends.get(name);
        SitePositions sites = BenchData.clustered(50, 5_000, 3);
        GridSpec w = GridSpec.window(sites.x()[0], sites.y()[0], 32, 100);
        try (BufferAllocator alloc = Memory.child("ClosedBufferTest")) {
            GridBuffer knnBuf = GridBuffer.allocate(alloc, GridBuffer.Type.INT32, w.pixels() * 3);
            KnnRaster knn = new KnnRaster(w, 3, knnBuf);
            k.nearestSites(sites, knn); // open: fine
            knnBuf.close();
            assertThrows(IllegalStateException.class, () -> k.nearestSites(sites, knn), "writing a closed buffer");
            GridBuffer p = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, w.pixels());
            GridBuffer q = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, w.pixels());
            p.fill(1f / w.pixels());
            q.fill(1f / w.pixels());
            assertTrue(Double.isFinite(k.ks2(p, 0, q, 0, w.width(), w.height())));
            q.close();
            assertThrows(
                    IllegalStateException.class,
                    () -> k.ks2(p, 0, q, 0, w.width(), w.height()),
                    "reading a closed buffer");
            p.close();
        }
    }
}
