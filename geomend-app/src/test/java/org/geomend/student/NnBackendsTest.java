package org.geomend.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.geomend.kernels.nn.NnBackends;
import org.geomend.kernels.nn.NnKernels;
import org.junit.jupiter.api.Test;

/** A GPU backend asked for by name never fails for want of a GPU: it runs, or Java runs after one notice. */
class NnBackendsTest {

    @Test
    void namedGpuBackendsFallBackToJava() {
        for (String[] bc : new String[][] {{"cuda", null}, {"cuda", "cudnn"}, {"auto", null}}) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
                    NnKernels nn = NnBackends.open(bc[0], bc[1], 1, ps)) {
                String err = buf.toString(StandardCharsets.UTF_8);
                if (nn.name().equals("java")) {
                    if (!bc[0].equals("auto") || !err.isEmpty())
                        assertEquals(
                                1,
                                err.lines()
                                        .filter(l -> l.endsWith("using java"))
                                        .count(),
                                err);
                } else {
                    assertTrue(err.isEmpty(), err);
                }
            }
        }
        try (NnKernels nn = NnBackends.open("java", 1, null)) {
            assertEquals("java", nn.name());
        }
        assertThrows(IllegalArgumentException.class, () -> NnBackends.open("tpu", 1, null));
        assertThrows(IllegalArgumentException.class, () -> NnBackends.open("java", "cudnn", 1, null));
    }
}
