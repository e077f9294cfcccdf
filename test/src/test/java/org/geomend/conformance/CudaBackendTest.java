package org.geomend.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.geomend.cuda.CudaKernels;
import org.geomend.cuda.CudaKernelsProvider;
import org.geomend.cuda.CudaUnavailableException;
import org.geomend.kernels.Backends;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.GeoKernelsProvider;
import org.junit.jupiter.api.Test;

/** The cuda provider is found, and without a GPU it fails with one clean line and auto falls back to java. */
class CudaBackendTest {

    @Test
    void providerIsRegistered() {
        GeoKernelsProvider p = Backends.providers().stream()
                .filter(x -> x.name().equals("cuda"))
                .findFirst()
                .orElseThrow();
        assertEquals(100, p.priority());
        assertTrue(p instanceof CudaKernelsProvider);
    }

    @Test
    void createEitherWorksOrSaysWhyInOneLine() {
        String reason = CudaKernels.unavailableReason();
        if (reason == null) {
            try (GeoKernels k = assertDoesNotFail()) {
                assertEquals("cuda", k.name());
                assertFalse(((CudaKernels) k).deviceName().isBlank());
            }
            return;
        }
        assertFalse(reason.isBlank());
        assertFalse(reason.contains("\n"), reason);
        CudaUnavailableException e =
                assertThrows(CudaUnavailableException.class, () -> new CudaKernelsProvider().create());
        assertEquals(reason, e.getMessage());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GeoKernels k = Backends.select("auto", 1, new PrintStream(buf, true, StandardCharsets.UTF_8))) {
            assertEquals("java", k.name());
        }
        String notice = buf.toString(StandardCharsets.UTF_8);
        assertTrue(
                notice.startsWith("geomend: cuda backend unavailable (")
                        && notice.strip().lines().count() == 1,
                notice);
        IllegalStateException x = assertThrows(IllegalStateException.class, () -> Backends.select("cuda", 1, null));
        assertTrue(x.getMessage().startsWith("cuda backend unavailable: "), x.getMessage());
    }

    private static GeoKernels assertDoesNotFail() {
        try {
            return new CudaKernelsProvider().create();
        } catch (CudaUnavailableException e) {
            throw new AssertionError("unavailableReason() said cuda works, create() says: " + e.getMessage(), e);
        }
    }

    @Test
    void jcudaNativesWithoutDriverDoNotCrash() {
        // reaching JCuda directly (skipping the libcuda probe) must fail as a Throwable, never kill the JVM
        try {
            jcuda.driver.JCudaDriver.setExceptionsEnabled(true);
            jcuda.driver.JCudaDriver.cuInit(0);
        } catch (Throwable expectedWithoutGpu) {
            assertFalse(expectedWithoutGpu.toString().isBlank());
        }
    }
}
