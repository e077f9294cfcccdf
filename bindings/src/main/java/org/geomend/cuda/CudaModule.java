package org.geomend.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import org.geomend.kernels.Backends;

/**
 * What every JCuda backend of this package shares: the checks before the driver is touched ({@link #requireFatbin},
 * {@link #start}), the device of {@code GEOMEND_CUDA_DEVICE}, the device's primary context (retained on
 * construction, made current by {@link #makeCurrent()}), the {@code geomend.fatbin} module ({@link #load}), its
 * functions ({@link #function}) and their parameter lists ({@link #params}), and the release of all of them
 * ({@link #close(List)}). Owned by one backend, which serialises its use; not thread-safe.
 */
final class CudaModule {

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final String deviceName;
    private boolean contextHeld, moduleLoaded, closed;

    /**
     * Retains the primary context of device {@code ordinal}, makes it current and reads the device's name. On
     * failure releases what it took and rethrows.
     */
    CudaModule(int ordinal) {
        try {
            cuDeviceGet(device, ordinal);
            cuDevicePrimaryCtxRetain(context, device);
            contextHeld = true;
            cuCtxSetCurrent(context);
            byte[] name = new byte[256];
            cuDeviceGetName(name, name.length, device);
            int len = 0;
            while (len < name.length && name[len] != 0) len++;
            deviceName = new String(name, 0, len, StandardCharsets.UTF_8).trim();
        } catch (RuntimeException e) {
            RuntimeException c = close(List.of());
            if (c != null) e.addSuppressed(new IllegalStateException("cuda close failed: " + Backends.oneLine(c), c));
            throw e;
        }
    }

    /** {@code e}, once the owner's {@code close} has run (its failure, if any, added to {@code e} as suppressed). */
    static RuntimeException afterClosing(RuntimeException e, Runnable close) {
        try {
            close.run();
        } catch (RuntimeException c) {
            e.addSuppressed(c);
        }
        return e;
    }

    // ---------------------------------------------------------------- before the driver

    /** The device of {@code GEOMEND_CUDA_DEVICE} (default 0), for every CUDA provider. */
    static int deviceOrdinal() throws CudaUnavailableException {
        try {
            return org.geomend.kernels.Setting.CUDA_DEVICE.intValue(0);
        } catch (IllegalArgumentException e) {
            throw new CudaUnavailableException(
                    org.geomend.kernels.Setting.CUDA_DEVICE.source() + " is not a device number");
        }
    }

    /**
     * The fatbin bytes, once both they and the driver library are found (nothing of JCuda is loaded yet). The driver
     * is the NVIDIA one, or the {@link CudaEmulator} where it is opted in; the emulator ignores the module image
     * (its kernels are compiled into it), so without an nvcc-built fatbin it gets a placeholder PTX text.
     *
     * @throws CudaUnavailableException with a one-line reason: no fatbin resource, or no libcuda.so.1
     */
    static byte[] requireFatbin() throws CudaUnavailableException {
        String driver = driverLibraryProblem();
        byte[] fatbin = fatbin();
        if (fatbin == null && driver == null && CudaEmulator.active())
            return "// geomend CUDA emulator: no nvcc fatbin in this build\n".getBytes(StandardCharsets.US_ASCII);
        if (fatbin == null)
            throw new CudaUnavailableException(
                    "no " + CudaKernels.FATBIN + " resource on the class path (geomend was built without nvcc)");
        if (driver != null) throw new CudaUnavailableException(driver);
        return fatbin;
    }

    /**
     * Loads the JCuda natives (exceptions on), initialises the driver, checks that device {@code ordinal} exists and
     * returns what {@code backend} builds; any failure on the way becomes a one-line {@link CudaUnavailableException}.
     */
    static <T> T start(int ordinal, Supplier<T> backend) throws CudaUnavailableException {
        try {
            JCudaDriver.setExceptionsEnabled(true);
        } catch (Throwable t) {
            throw new CudaUnavailableException("JCuda driver natives do not load: " + Backends.oneLine(t), t);
        }
        try {
            cuInit(0);
            int[] count = {0};
            cuDeviceGetCount(count);
            if (count[0] == 0) throw new CudaUnavailableException("no CUDA device");
            if (ordinal < 0 || ordinal >= count[0])
                throw new CudaUnavailableException("no CUDA device " + ordinal + " (" + count[0] + " present)");
            return backend.get();
        } catch (CudaUnavailableException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaUnavailableException("CUDA unavailable: " + Backends.oneLine(t), t);
        }
    }

    /** The fatbin bytes, or null when the resource is missing or empty. */
    static byte[] fatbin() {
        try (InputStream in = CudaModule.class.getResourceAsStream(CudaKernels.FATBIN)) {
            if (in == null) return null;
            byte[] b = in.readAllBytes();
            return b.length == 0 ? null : b;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A one-line problem when no driver library can be used, else null (checked before JCuda loads): the
     * {@link CudaEmulator} when it runs, the reason it does not when it was asked for, else the NVIDIA driver's.
     */
    static String driverLibraryProblem() {
        if (CudaEmulator.active()) return null;
        String emulator = CudaEmulator.problem();
        return emulator != null ? emulator : systemDriverProblem();
    }

    /** A one-line problem when the NVIDIA driver library cannot be found on the system, else null. */
    static String systemDriverProblem() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lib = SymbolLookup.libraryLookup("libcuda.so.1", arena);
            return lib.find("cuInit").isPresent() ? null : "libcuda.so.1 has no cuInit";
        } catch (IllegalArgumentException e) {
            return "libcuda.so.1 not found (no NVIDIA driver)";
        } catch (Throwable t) {
            return "cannot look up libcuda.so.1: " + Backends.oneLine(t);
        }
    }

    // ---------------------------------------------------------------- on the device

    /** The device's name (cuDeviceGetName). */
    String deviceName() {
        return deviceName;
    }

    CUdevice device() {
        return device;
    }

    /** Makes the primary context current on this thread. */
    void makeCurrent() {
        cuCtxSetCurrent(context);
    }

    /**
     * Loads the fatbin into the context. A refusal is an {@link IllegalStateException} naming the device, and with
     * {@code withDriverVersion} the driver's CUDA version and the architectures the fatbin is built for.
     */
    void load(byte[] fatbin, boolean withDriverVersion) {
        try {
            cuModuleLoadData(module, fatbin);
        } catch (RuntimeException e) {
            String detail = "";
            if (withDriverVersion) {
                int[] v = {0};
                cuDriverGetVersion(v);
                detail = " (driver CUDA " + v[0] / 1000 + "." + v[0] % 1000 / 10 + "; built for sm_80/sm_90 by nvcc)";
            }
            throw new IllegalStateException(
                    "cannot load geomend.fatbin on " + deviceName + detail + ": " + Backends.oneLine(e), e);
        }
        moduleLoaded = true;
    }

    /** The kernel {@code name} of the loaded module; an {@link IllegalStateException} when the fatbin lacks it. */
    CUfunction function(String name) {
        CUfunction f = new CUfunction();
        try {
            cuModuleGetFunction(f, module, name);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "geomend.fatbin has no kernel " + name + " (stale build? rebuild with nvcc)", e);
        }
        return f;
    }

    /** Kernel parameters: device pointers (null = NULL), int, long, float, double, in declaration order. */
    static Pointer params(Object... args) {
        NativePointerObject[] p = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++)
            p[i] = switch (args[i]) {
                case null -> Pointer.to(new CUdeviceptr());
                case CUdeviceptr d -> Pointer.to(d);
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Float v -> Pointer.to(new float[] {v});
                case Double v -> Pointer.to(new double[] {v});
                default -> throw new IllegalArgumentException("kernel argument " + args[i].getClass());
            };
        return Pointer.to(p);
    }

    /**
     * Makes the context current (when held), closes {@code owned} in order (the owner's device resources), unloads the
     * module and releases the primary context, trying every step. Returns the first failure (a checked one wrapped in
     * an {@link IllegalStateException}) for the owner to report, or null. Idempotent: later calls do nothing.
     */
    RuntimeException close(List<? extends AutoCloseable> owned) {
        if (closed) return null;
        closed = true;
        RuntimeException first = null;
        try {
            if (contextHeld) cuCtxSetCurrent(context);
        } catch (RuntimeException e) {
            first = e;
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }
        try {
            if (moduleLoaded) cuModuleUnload(module);
        } catch (RuntimeException e) {
            if (first == null) first = e;
        }
        try {
            if (contextHeld) cuDevicePrimaryCtxRelease(device);
        } catch (RuntimeException e) {
            if (first == null) first = e;
        }
        return first;
    }
}
