package org.geomend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.geomend.kernels.Backends;

/**
 * The geomend CUDA emulator: a CPU stand-in for the CUDA driver ({@code libcuda.so.1}) and for cuDNN 9
 * ({@code libcudnn.so.9}) that runs the kernels of {@code cuda-src/}, compiled as C++, through the same JCuda host
 * code and cuDNN downcalls as a GPU (built by {@code native-build/emulator/} into
 * {@code native-build/target/cuda-emulator/}, never on the default library path). It is for checking correctness
 * where no GPU is: results, barriers, warp operations, launch geometry, allocation bounds; not a GPU's speed.
 *
 * <p>Nothing picks it by itself. It is used when
 * <ul>
 *   <li>{@code GEOMEND_CUDA_EMULATOR} (or the system property {@code geomend.cuda.emulator}) is {@code 1}, {@code on}
 *       or {@code true}: the emulator of the directory {@code geomend.cuda.emulator.dir} (the {@code ./geomend}
 *       launcher sets it), or the value is a directory holding {@code libcuda.so.1}: the CLI and library users opt
 *       in so, and a one-line notice on stderr says that the emulator runs;</li>
 *   <li>the value is {@code auto} (the test suites set it): the emulator only where no real driver is found.</li>
 * </ul>
 * It is loaded before JCuda's native library, which then binds to it (a library loaded under the soname
 * {@code libcuda.so.1} satisfies the later request for it). Decided once per JVM.
 */
public final class CudaEmulator {

    static final String ENV = org.geomend.kernels.Setting.CUDA_EMULATOR.variable(), DRIVER = "libcuda.so.1";

    /** The decision: the emulator's directory when it is loaded, else the reason it was wanted and is not (or none). */
    private record State(Path dir, String problem) {}

    private static State state;

    private CudaEmulator() {}

    /** Whether the CUDA providers of this JVM run on the emulator (decides, and loads it, on first call). */
    public static boolean active() {
        return decide().dir != null;
    }

    /** The emulator's directory when {@link #active()}, else null. */
    static Path directory() {
        return decide().dir;
    }

    /** Why the emulator was asked for and does not run (missing, not loadable), else null. */
    static String problem() {
        return decide().problem;
    }

    private static synchronized State decide() {
        if (state == null) {
            org.geomend.kernels.Setting s = org.geomend.kernels.Setting.CUDA_EMULATOR;
            String v = s.value();
            state = decide(
                    v == null ? "" : v,
                    v == null ? "" : s.source().substring(0, s.source().indexOf('=')),
                    org.geomend.kernels.Setting.CUDA_EMULATOR_DIR.value());
        }
        return state;
    }

    private static State decide(String v, String from, String dirProperty) {
        String lower = v.toLowerCase(Locale.ROOT);
        if (v.isEmpty() || lower.equals("0") || lower.equals("off") || lower.equals("false"))
            return new State(null, null);
        boolean auto = lower.equals("auto");
        Path dir;
        if (auto || lower.equals("1") || lower.equals("on") || lower.equals("true")) {
            if (dirProperty == null || dirProperty.isBlank())
                return new State(
                        null,
                        from + "=" + v + " but the emulator's directory is unknown (set " + ENV
                                + " to the directory holding " + DRIVER + ")");
            dir = Path.of(dirProperty.trim());
        } else {
            dir = Path.of(v);
        }
        if (auto && CudaModule.systemDriverProblem() == null) return new State(null, null); // a real driver: use it
        Path lib = dir.resolve(DRIVER);
        if (!Files.isRegularFile(lib))
            return new State(
                    null,
                    from + "=" + v + " but there is no CUDA emulator at " + lib
                            + " (it is built by ./build.sh where g++ is installed)");
        try {
            System.load(lib.toAbsolutePath().toString());
            try (Arena arena = Arena.ofConfined()) {
                if (SymbolLookup.libraryLookup(DRIVER, arena)
                        .find("gm_emu_device_range_ok")
                        .isEmpty())
                    return new State(null, "another " + DRIVER + " was loaded before the CUDA emulator at " + lib);
            }
        } catch (UnsatisfiedLinkError | IllegalArgumentException e) {
            return new State(null, "cannot load the CUDA emulator " + lib + ": " + Backends.oneLine(e));
        }
        if (!auto)
            System.err.println("geomend: CUDA runs on the geomend CUDA emulator (" + from + "=" + v
                    + "): a CPU stand-in for a GPU that checks results, not speed");
        return new State(dir.toAbsolutePath(), null);
    }
}
