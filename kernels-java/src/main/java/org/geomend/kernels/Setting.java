package org.geomend.kernels;

import java.util.Locale;

/**
 * Every knob of geomend outside the command line, in one place: each has a system property
 * ({@code -Dgeomend.cuda.device=1}) and an environment variable ({@code GEOMEND_CUDA_DEVICE=1}) spelling of the same
 * name; the property wins when both are set. The README's configuration table lists exactly these (a test checks
 * it). Values are read when a backend or command needs them, never cached here. A few are read outside the JVM
 * (scripts, the launcher, the native CUDA emulator): those have only the environment spelling.
 */
public enum Setting {
    CUDA_DEVICE("CUDA device ordinal of every CUDA backend", "0"),
    CUDA_EMULATOR(
            "run the CUDA backends on the CPU emulator: 1, on or true (the emulator of geomend.cuda.emulator.dir), "
                    + "a directory holding the emulator's libcuda.so.1, or auto (only where no NVIDIA driver is found)",
            "off"),
    CUDA_EMULATOR_DIR(
            "the emulator's directory for GEOMEND_CUDA_EMULATOR=1 or auto (the ./geomend launcher and the test poms set it)",
            "unset"),
    CUDNN_LIB("libcudnn.so.9, or a directory holding it, for backend cudnn", "the loader's search path"),
    CUDNN_TF32("1 lets cuDNN use TF32 tensor cores (off: float32 results comparable with the float64 references)", "0"),
    NN_SYNC("1 synchronises the CUDA NN backend after every operation (debugging: an error names its operation)", "0"),
    NN_CONV("convolution algorithm of the Java NN backend: auto, winograd or direct", "auto"),
    NN_WINOGRAD_TILE(
            "register tile of the Java Winograd channel products: 8x1 or 8x3 (tuning; same bits)",
            "8x3 with 512-bit vectors, else 8x1"),
    NN_WINOGRAD_M5("Winograd output tile side of 5 x 5 filters (tuning)", "4"),
    NN_WINOGRAD_M3("Winograd output tile side of 3 x 3 filters (tuning)", "4"),
    MEMORY_STRICT(
            "true: an NN backend closed with tensors still open throws (after freeing them) instead of warning "
                    + "(the parent POM sets it for every test run)",
            "false"),
    METIS_LIB(
            "libmetis.so.5 (METIS 5, Debian's libmetis5) for geomend plan-edge, as a file path",
            "the loader's search path"),
    DEBUG("1: the CLI prints the stack trace of an internal error", "unset"),
    NO_PROGRESS("1: the CLI prints no progress lines", "unset"),
    JAVA_OPTS("JVM options the ./geomend launcher adds (e.g. -Xmx8g -Dgeomend.nn.conv=direct)", "unset", true),
    CUDA_EMULATOR_THREADS("worker threads of the CUDA emulator (read by the native emulator)", "the cores", true),
    CUDA_EMULATOR_CHECK(
            "1: the emulator's checking mode, shuffled thread order and garbage shared memory (the test poms "
                    + "set it; read by the native emulator)",
            "0",
            true),
    CUDA_EMULATOR_SEED("seed of the checking mode's thread order (read by the native emulator)", "1", true),
    REQUIRE_NVCC("1: the build fails when nvcc is missing instead of skipping the fatbin (.ci/run sets it)", "0", true),
    REQUIRE_EMULATOR("1: the build fails when the CUDA emulator cannot be built (.ci/run sets it)", "0", true),
    REQUIRE_CUDA("1: a CUDA test case that cannot run fails instead of being skipped (.ci/run sets it)", "0", true);
    private final String description, defaultValue;
    private final boolean environmentOnly;

    Setting(String description, String defaultValue) {
        this(description, defaultValue, false);
    }

    Setting(String description, String defaultValue, boolean environmentOnly) {
        this.description = description;
        this.defaultValue = defaultValue;
        this.environmentOnly = environmentOnly;
    }

    /**
     * Whether only the environment variable counts: read by a script, a launcher or native code, not by the JVM
     * (no system property spelling).
     */
    public boolean environmentOnly() {
        return environmentOnly;
    }

    /** The system property, e.g. {@code geomend.cuda.device}; null for an {@link #environmentOnly()} setting. */
    public String property() {
        return environmentOnly
                ? null
                : "geomend." + name().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The environment variable, e.g. {@code GEOMEND_CUDA_DEVICE}. */
    public String variable() {
        return "GEOMEND_" + name();
    }

    public String description() {
        return description;
    }

    /** The default in words (what applies when neither spelling is set). */
    public String defaultValue() {
        return defaultValue;
    }

    /** The value: the system property when set and not blank, else the environment variable, else null. */
    public String value() {
        String p = environmentOnly ? null : System.getProperty(property());
        if (p != null && !p.isBlank()) return p.trim();
        String e = System.getenv(variable());
        return e == null || e.isBlank() ? null : e.trim();
    }

    /** Where {@link #value()} came from, for messages: {@code -Dgeomend.x=v} or {@code GEOMEND_X=v}. */
    public String source() {
        String p = environmentOnly ? null : System.getProperty(property());
        return (p != null && !p.isBlank() ? "-D" + property() : variable()) + "=" + value();
    }

    /** Whether the setting is on: set to anything but {@code 0}, {@code off}, {@code false} or {@code no}. */
    public boolean isOn() {
        String v = value();
        if (v == null) return false;
        String l = v.toLowerCase(Locale.ROOT);
        return !(l.equals("0") || l.equals("off") || l.equals("false") || l.equals("no"));
    }

    /** The value as an integer, {@code otherwise} when unset. */
    public int intValue(int otherwise) {
        String v = value();
        if (v == null) return otherwise;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source() + ": not an integer");
        }
    }
}
