package org.geomend.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.geomend.cuda.CudaNnKernelsProvider;
import org.geomend.cuda.CudnnNnKernelsProvider;
import org.geomend.kernels.Memory;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;
import org.geomend.kernels.nn.java.JavaNnKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same tensor ownership rule on every NN backend (cuda and cudnn on the CUDA emulator where no GPU is): closing
 * the backend frees the tensors still open and reports them in one warning line (an exception in strict mode), and a
 * tensor used after the backend closed, or after it closed itself, throws {@link IllegalStateException}.
 */
class TensorOwnershipTest {

    private static NnKernels open(String name) {
        Object v;
        try {
            v = switch (name) {
                case "java" -> new JavaNnKernels(1);
                case "cuda" -> new CudaNnKernelsProvider().create();
                case "cudnn" -> new CudnnNnKernelsProvider().create();
                default -> throw new IllegalArgumentException(name);
            };
        } catch (Throwable t) {
            String m = t.getMessage() == null ? t.toString() : t.getMessage();
            v = name + " backend unavailable: " + m.lines().findFirst().orElse(m);
        }
        Object r = v;
        TestBackends.assumeBackend(r instanceof NnKernels, () -> (String) r);
        return (NnKernels) v;
    }

    private static String closeCapturing(NnKernels k, boolean strict) {
        String was = System.getProperty(Memory.STRICT_PROPERTY);
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setProperty(Memory.STRICT_PROPERTY, Boolean.toString(strict));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            if (strict) {
                IllegalStateException e = assertThrows(IllegalStateException.class, k::close);
                return e.getMessage();
            }
            k.close();
        } finally {
            System.setErr(saved);
            if (was == null) System.clearProperty(Memory.STRICT_PROPERTY);
            else System.setProperty(Memory.STRICT_PROPERTY, was);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"java", "cuda", "cudnn"})
    void openTensorsAreFreedAndReportedAtCloseAndUseAfterCloseThrows(String name) {
        NnKernels k = open(name);
        Tensor done = k.allocate(3);
        Tensor a = k.allocate(1, 2, 4, 4), b = k.allocate(1, 2, 4, 4);
        k.fill(a, 1f);
        done.close();
        IllegalStateException own = assertThrows(IllegalStateException.class, () -> k.fill(done, 1f));
        assertTrue(own.getMessage().contains("closed"), own.getMessage());
        String err = closeCapturing(k, false);
        assertEquals(
                "geomend: warning: " + name + " NN backend closed with 2 tensors still open (256 bytes); freed them\n",
                err);
        assertThrows(IllegalStateException.class, () -> k.fill(a, 2f));
        assertThrows(IllegalStateException.class, () -> k.add(a, b, b));
        assertThrows(IllegalStateException.class, () -> k.allocate(1));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(128);
            assertThrows(IllegalStateException.class, () -> k.upload(host, a));
            assertThrows(IllegalStateException.class, () -> k.download(b, host));
        }
        a.close(); // harmless after the backend
        k.close(); // idempotent: nothing more to report
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"java", "cuda"})
    void strictModeThrowsOnceEverythingIsFreed(String name) {
        NnKernels k = open(name);
        k.allocate(10);
        String msg = closeCapturing(k, true);
        assertTrue(msg.contains(name + " NN backend closed with 1 tensor still open (40 bytes)"), msg);
        assertThrows(IllegalStateException.class, () -> k.allocate(1));
    }
}
