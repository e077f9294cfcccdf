package org.geomend.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.geomend.bench.nn.NnConformance;
import org.geomend.cuda.CudaNnKernelsProvider;
import org.geomend.cuda.CudnnNnKernelsProvider;
import org.geomend.kernels.nn.NnBackends;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.NnKernelsProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The U-Net operations of the {@code cuda} and {@code cudnn} backends against the float64 reference
 * ({@link NnConformance}: relative error 1e-5, 1e-4 for the filter and bias gradients, TF32 off), skipped with the
 * reason when the backend cannot start here (no GPU, no cuDNN 9); the same suite on the Java backend and the backend
 * selection, which run everywhere.
 */
class CudaNnConformanceTest {

    private static final Map<String, Object> OPEN = new ConcurrentHashMap<>(); // NnKernels or the reason

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> OPEN.values().forEach(v -> {
                    if (v instanceof NnKernels k) k.close();
                })));
    }

    static NnKernels backend(String name) {
        Object v = OPEN.computeIfAbsent(name, n -> {
            try {
                return switch (n) {
                    case "cuda" -> new CudaNnKernelsProvider().create();
                    case "cudnn" -> new CudnnNnKernelsProvider().create();
                    default -> "unknown backend " + n;
                };
            } catch (Throwable t) {
                String m = t.getMessage() == null ? t.toString() : t.getMessage();
                return n + " backend unavailable: " + m.lines().findFirst().orElse(m);
            }
        });
        TestBackends.assumeBackend(v instanceof NnKernels, () -> (String) v);
        return (NnKernels) v;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cuda", "cudnn"})
    void everyOperationMatchesTheFloat64Reference(String name) {
        NnKernels k = backend(name);
        assertEquals(name, k.name());
        List<NnConformance.Result> results = NnConformance.run(k, 20260101L);
        assertTrue(results.size() > 40, "too few comparisons: " + results.size());
        String failures =
                results.stream().filter(r -> !r.ok()).map(Object::toString).collect(Collectors.joining("\n"));
        assertTrue(failures.isEmpty(), () -> name + " disagrees with the float64 reference:\n" + failures);
    }

    /**
     * The same suite on the Java backend, which runs everywhere: it proves the harness (every case, the references,
     * the tolerances) in CI, so that a GPU run fails only on the GPU's kernels.
     */
    @Test
    void theJavaBackendPassesTheSameSuite() {
        try (NnKernels k = new org.geomend.kernels.nn.java.JavaNnKernels(2)) {
            List<NnConformance.Result> results = NnConformance.run(k, 20260101L);
            assertTrue(results.size() > 40, "too few comparisons: " + results.size());
            assertTrue(
                    results.stream().anyMatch(r -> r.toString().startsWith("concatConv2dForwardRelu")),
                    "the concat case runs");
            String failures =
                    results.stream().filter(r -> !r.ok()).map(Object::toString).collect(Collectors.joining("\n"));
            assertTrue(failures.isEmpty(), () -> "java disagrees with the float64 reference:\n" + failures);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cuda", "cudnn"})
    void foreignTensorsAndBadShapesAreRefusedInOneLine(String name) {
        NnKernels k = backend(name);
        try (var x = k.allocate(1, 2, 5, 5);
                var w = k.allocate(3, 2, 4, 4);
                var b = k.allocate(3);
                var y = k.allocate(1, 3, 5, 5)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> k.conv2dForward(x, w, b, y));
            assertTrue(e.getMessage().contains("odd"), e.getMessage());
            try (var odd = k.allocate(1, 2, 5, 5);
                    var half = k.allocate(1, 2, 2, 2)) {
                assertThrows(IllegalArgumentException.class, () -> k.maxPool2Forward(odd, half));
            }
        }
    }

    @Test
    void providersAreRegisteredAndAutoFallsBackToJavaInOneLine() {
        List<NnKernelsProvider> ps = NnBackends.providers();
        assertEquals(
                List.of("cuda", "cudnn"),
                ps.stream()
                        .map(NnKernelsProvider::name)
                        .filter(n -> !n.equals("java"))
                        .toList());
        assertEquals(
                100,
                ps.stream()
                        .filter(p -> p.name().equals("cuda"))
                        .findFirst()
                        .orElseThrow()
                        .priority());
        assertEquals(
                List.of("cuda", "cudnn", "java"),
                ps.stream().map(NnKernelsProvider::name).toList());
        assertEquals(
                0,
                ps.stream()
                        .filter(p -> p.name().equals("java"))
                        .findFirst()
                        .orElseThrow()
                        .priority());
        String reason;
        try (NnKernels k = new CudaNnKernelsProvider().create()) {
            reason = null;
            assertEquals("cuda", k.name());
        } catch (Exception e) {
            reason = e.getMessage();
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (NnKernels chosen = NnBackends.select("auto", 1, new PrintStream(buf, true, StandardCharsets.UTF_8))) {
            if (reason == null) {
                assertEquals("cuda", chosen.name());
                assertEquals("", buf.toString(StandardCharsets.UTF_8));
            } else {
                assertEquals("java", chosen.name());
                String notice = buf.toString(StandardCharsets.UTF_8);
                assertTrue(
                        notice.startsWith("geomend: cuda backend unavailable (")
                                && notice.strip().lines().count() == 1,
                        notice);
                assertTrue(notice.strip().endsWith("; using java"), notice);
                assertFalse(reason.contains("\n"), reason);
                IllegalStateException x =
                        assertThrows(IllegalStateException.class, () -> NnBackends.select("cuda", 1, null));
                assertTrue(x.getMessage().startsWith("cuda backend unavailable: "), x.getMessage());
            }
        }
        try (NnKernels j = NnBackends.select("java", 1, null)) {
            assertEquals("java", j.name());
        }
        IllegalArgumentException u =
                assertThrows(IllegalArgumentException.class, () -> NnBackends.select("tpu", 1, null));
        assertEquals("unknown backend 'tpu' (known: auto, cuda, cudnn, java)", u.getMessage());
    }

    @Test
    void convFlagMapsToTheCudnnBackend() {
        assertEquals("cudnn", NnBackends.effectiveBackend("auto", "cudnn"));
        assertEquals("cudnn", NnBackends.effectiveBackend("cuda", "cudnn"));
        assertEquals("cudnn", NnBackends.effectiveBackend(null, "cudnn"));
        assertEquals("cuda", NnBackends.effectiveBackend("cuda", "cuda"));
        assertEquals("auto", NnBackends.effectiveBackend("auto", null));
        assertThrows(IllegalArgumentException.class, () -> NnBackends.effectiveBackend("java", "cudnn"));
        assertThrows(IllegalArgumentException.class, () -> NnBackends.effectiveBackend("auto", "winograd"));
    }
}
