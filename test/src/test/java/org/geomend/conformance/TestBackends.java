package org.geomend.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.cuda.CudaKernelsProvider;
import org.geomend.kernels.GeoKernels;
import org.geomend.kernels.Memory;
import org.geomend.kernels.java.JavaKernels;

/** The backends under test, opened once per JVM and closed at exit; cuda is skipped with its reason when it cannot start. */
final class TestBackends {

    static final BufferAllocator ALLOCATOR = Memory.child("TestBackends");
    private static final Map<String, Object> OPEN = new ConcurrentHashMap<>(); // GeoKernels or a String reason

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> OPEN.values().forEach(v -> {
                    if (v instanceof GeoKernels k) k.close();
                })));
    }

    private TestBackends() {}

    /** Names for {@code @MethodSource}. */
    static Stream<String> names() {
        return Stream.of("java", "cuda");
    }

    /** The backend {@code name}, or a skipped test (JUnit assumption) saying why it cannot start. */
    static GeoKernels get(String name) {
        Object v = OPEN.computeIfAbsent(name, n -> {
            try {
                return switch (n) {
                    case "java" -> new JavaKernels(2);
                    case "cuda" -> new CudaKernelsProvider().create();
                    default -> "unknown backend " + n;
                };
            } catch (Throwable t) {
                String m = t.getMessage() == null ? t.toString() : t.getMessage();
                return n + " backend unavailable: " + m.lines().findFirst().orElse(m);
            }
        });
        assumeBackend(v instanceof GeoKernels, () -> (String) v);
        return (GeoKernels) v;
    }

    /**
     * A JUnit assumption that a CUDA backend started: skipped with {@code why} when it did not, unless
     * {@code GEOMEND_REQUIRE_CUDA=1} (set by {@code .ci/run}, where the CUDA emulator must run): then a failure, so that
     * a broken emulator or GPU setup cannot pass as skipped.
     */
    static void assumeBackend(boolean started, java.util.function.Supplier<String> why) {
        if (!started && org.geomend.kernels.Setting.REQUIRE_CUDA.isOn())
            throw new AssertionError("GEOMEND_REQUIRE_CUDA=1 but " + why.get());
        assumeTrue(started, why);
    }
}
