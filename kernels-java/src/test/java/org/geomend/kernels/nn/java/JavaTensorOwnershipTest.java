package org.geomend.kernels.nn.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.geomend.kernels.Memory;
import org.geomend.kernels.nn.Tensor;
import org.junit.jupiter.api.Test;

/** The Java NN backend tracks its open tensors: closing it frees and reports them, and any later use throws. */
class JavaTensorOwnershipTest {

    /** Runs {@code body} with strict mode {@code strict} and stderr captured; what it printed. */
    private static String captured(boolean strict, Runnable body) {
        String was = System.getProperty(Memory.STRICT_PROPERTY);
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setProperty(Memory.STRICT_PROPERTY, Boolean.toString(strict));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            body.run();
        } finally {
            System.setErr(saved);
            if (was == null) System.clearProperty(Memory.STRICT_PROPERTY);
            else System.setProperty(Memory.STRICT_PROPERTY, was);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tensorsLeftOpenAreFreedAndReportedAtCloseAndThrowWhenUsedAfter() {
        JavaNnKernels nn = new JavaNnKernels(1);
        Tensor closedByHand = nn.allocate(2, 3);
        closedByHand.close();
        Tensor a = nn.allocate(1, 2, 4, 4), b = nn.allocate(1, 2, 4, 4);
        nn.fill(a, 1f);
        assertEquals(2, nn.openTensors());
        String err = captured(false, nn::close);
        assertEquals(
                "geomend: warning: java NN backend closed with 2 tensors still open (256 bytes); freed them\n", err);
        assertEquals(0, nn.openTensors());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> nn.fill(a, 2f));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> nn.reluForward(a, b));
        assertThrows(IllegalStateException.class, () -> nn.allocate(1));
        try (Arena arena = Arena.ofConfined()) {
            var dst = arena.allocate(128);
            assertThrows(IllegalStateException.class, () -> nn.download(a, dst));
        }
        // the tensor's own memory is gone too: zero-copy access throws instead of reading freed memory
        assertThrows(
                IllegalStateException.class, () -> ((JavaTensor) a).segment().get(ValueLayout.JAVA_FLOAT, 0));
        a.close(); // closing after the backend is harmless
        nn.close(); // idempotent, reports nothing more
    }

    @Test
    void aClosedTensorThrowsWhileTheBackendIsOpen() {
        try (JavaNnKernels nn = new JavaNnKernels(1)) {
            Tensor a = nn.allocate(4), b = nn.allocate(4);
            a.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> nn.add(a, b, b));
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
            b.close();
            assertEquals(0, nn.openTensors());
        }
    }

    @Test
    void strictModeThrowsAfterFreeing() {
        JavaNnKernels nn = new JavaNnKernels(1);
        nn.allocate(10);
        String err = captured(true, () -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, nn::close);
            assertTrue(e.getMessage().contains("1 tensor still open (40 bytes)"), e.getMessage());
        });
        assertEquals("", err);
        assertEquals(0, nn.openTensors());
        assertThrows(IllegalStateException.class, () -> nn.allocate(1));
    }

    @Test
    void noTensorsOpenNoReport() {
        String err = captured(true, () -> {
            JavaNnKernels nn = new JavaNnKernels(1);
            try (Tensor t = nn.allocate(3)) {
                nn.fill(t, 1f);
            }
            nn.close();
        });
        assertEquals("", err);
    }
}
