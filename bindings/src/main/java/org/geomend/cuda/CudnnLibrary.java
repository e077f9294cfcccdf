package org.geomend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.geomend.kernels.Backends;

/**
 * cuDNN 9 ({@code libcudnn.so.9}) through hand-written Panama FFM downcalls: the legacy (deprecated in 9, still
 * exported) convolution API the U-Net needs, and nothing else. Loaded once per JVM ({@link #get()}); the
 * library stays mapped until exit.
 *
 * <p>Where the library is looked for, in order: {@code GEOMEND_CUDNN_LIB} (the file, or a directory holding
 * it); every directory of {@code java.library.path} and {@code LD_LIBRARY_PATH}; the {@code nvidia/cudnn/lib}
 * directory of Python's site-packages (pip's {@code nvidia-cudnn-cu12}, as PyTorch installs it: under
 * {@code VIRTUAL_ENV}, {@code CONDA_PREFIX}, {@code PYTHONPATH}, {@code ~/.local}, {@code /usr/local},
 * {@code /usr}, {@code /opt/conda}); finally the dynamic loader's own search ({@code ld.so.cache}). cuDNN 9
 * splits its code into sub-libraries that the main one opens by soname, so those found next to it are loaded
 * first (a library already loaded under a soname satisfies later requests for it).
 *
 * <p>Signatures and enum values follow the cuDNN 9 headers ({@code cudnn_graph.h}, {@code cudnn_ops.h},
 * {@code cudnn_cnn.h}). <b>Unverified:</b> written without a GPU or a cuDNN install.
 */
final class CudnnLibrary {

    static final String SONAME = "libcudnn.so.9";
    /** cuDNN 9's sub-libraries, dependencies first. */
    static final List<String> SUBLIBRARIES = List.of(
            "libcudnn_graph.so.9",
            "libcudnn_engines_precompiled.so.9",
            "libcudnn_engines_runtime_compiled.so.9",
            "libcudnn_heuristic.so.9",
            "libcudnn_ops.so.9",
            "libcudnn_cnn.so.9",
            "libcudnn_adv.so.9");

    // enums (cudnn_graph.h / cudnn_ops.h)
    static final int STATUS_SUCCESS = 0;
    static final int TENSOR_NCHW = 0;
    static final int DATA_FLOAT = 0;
    static final int CROSS_CORRELATION = 1;
    static final int DEFAULT_MATH = 0, TENSOR_OP_MATH = 1, TENSOR_OP_MATH_ALLOW_CONVERSION = 2, FMA_MATH = 3;

    /** cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t: algo, status, time, (pad), memory, determinism, mathType, reserved[3]. */
    static final MemoryLayout ALGO_PERF = MemoryLayout.structLayout(
            JAVA_INT.withName("algo"),
            JAVA_INT.withName("status"),
            JAVA_FLOAT.withName("time"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("memory"),
            JAVA_INT.withName("determinism"),
            JAVA_INT.withName("mathType"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("reserved"),
            MemoryLayout.paddingLayout(4));

    static final long PERF_ALGO = 0, PERF_STATUS = 4, PERF_MEMORY = 16, PERF_DETERMINISM = 24, PERF_MATH = 28;
    /** cudnnDeterminism_t */
    static final int NON_DETERMINISTIC = 0, DETERMINISTIC = 1;

    private static volatile Object loaded; // CudnnLibrary or the one-line reason it did not load

    final String path;
    final long version;
    final MethodHandle create,
            destroy,
            setStream,
            getErrorString,
            createTensor,
            setTensor4d,
            destroyTensor,
            createFilter,
            setFilter4d,
            destroyFilter,
            createConv,
            setConv2d,
            setConvMath,
            destroyConv,
            fwdAlgo,
            fwdWorkspace,
            forward,
            addTensor,
            bwdDataAlgo,
            bwdDataWorkspace,
            backwardData,
            bwdFilterAlgo,
            bwdFilterWorkspace,
            backwardFilter,
            backwardBias;

    private CudnnLibrary(String path, SymbolLookup lookup) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        Fn fn = (name, desc) -> linker.downcallHandle(
                lookup.find(name)
                        .orElseThrow(() -> new IllegalStateException(path + " has no " + name + " (not cuDNN 9?)")),
                desc);
        FunctionDescriptor p = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        FunctionDescriptor pp = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        MethodHandle getVersion = fn.get("cudnnGetVersion", FunctionDescriptor.of(JAVA_LONG));
        create = fn.get("cudnnCreate", p);
        destroy = fn.get("cudnnDestroy", p);
        setStream = fn.get("cudnnSetStream", pp);
        getErrorString = fn.get("cudnnGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        createTensor = fn.get("cudnnCreateTensorDescriptor", p);
        // (desc, format, dataType, n, c, h, w)
        setTensor4d = fn.get(
                "cudnnSetTensor4dDescriptor",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        destroyTensor = fn.get("cudnnDestroyTensorDescriptor", p);
        createFilter = fn.get("cudnnCreateFilterDescriptor", p);
        // (desc, dataType, format, k, c, h, w): note dataType before format, unlike the tensor setter
        setFilter4d = fn.get(
                "cudnnSetFilter4dDescriptor",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        destroyFilter = fn.get("cudnnDestroyFilterDescriptor", p);
        createConv = fn.get("cudnnCreateConvolutionDescriptor", p);
        // (desc, pad_h, pad_w, u, v, dilation_h, dilation_w, mode, computeType)
        setConv2d = fn.get(
                "cudnnSetConvolution2dDescriptor",
                FunctionDescriptor.of(
                        JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                        JAVA_INT));
        setConvMath = fn.get("cudnnSetConvolutionMathType", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        destroyConv = fn.get("cudnnDestroyConvolutionDescriptor", p);
        // (handle, 4 descriptors, requestedAlgoCount, int* returned, perf*)
        FunctionDescriptor algo = FunctionDescriptor.of(
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        // (handle, 4 descriptors, algo, size_t*)
        FunctionDescriptor ws =
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
        // (handle, alpha, desc, ptr, desc, ptr, convDesc, algo, workspace, wsBytes, beta, desc, ptr)
        FunctionDescriptor run = FunctionDescriptor.of(
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG,
                ADDRESS, ADDRESS, ADDRESS);
        fwdAlgo = fn.get("cudnnGetConvolutionForwardAlgorithm_v7", algo);
        fwdWorkspace = fn.get("cudnnGetConvolutionForwardWorkspaceSize", ws);
        forward = fn.get("cudnnConvolutionForward", run);
        // (handle, alpha, aDesc, A, beta, cDesc, C)
        addTensor = fn.get(
                "cudnnAddTensor",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        bwdDataAlgo = fn.get("cudnnGetConvolutionBackwardDataAlgorithm_v7", algo);
        bwdDataWorkspace = fn.get("cudnnGetConvolutionBackwardDataWorkspaceSize", ws);
        backwardData = fn.get("cudnnConvolutionBackwardData", run);
        bwdFilterAlgo = fn.get("cudnnGetConvolutionBackwardFilterAlgorithm_v7", algo);
        bwdFilterWorkspace = fn.get("cudnnGetConvolutionBackwardFilterWorkspaceSize", ws);
        backwardFilter = fn.get("cudnnConvolutionBackwardFilter", run);
        // (handle, alpha, dyDesc, dy, beta, dbDesc, db)
        backwardBias = fn.get(
                "cudnnConvolutionBackwardBias",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        try {
            version = (long) getVersion.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("cudnnGetVersion failed: " + Backends.oneLine(t), t);
        }
        if (version < 90000 || version >= 100000)
            throw new IllegalStateException(path + " is cuDNN " + versionString(version) + ", not 9.x");
    }

    @FunctionalInterface
    private interface Fn {
        MethodHandle get(String name, FunctionDescriptor d);
    }

    /** "9.1.0" from cudnnGetVersion's 90100 (major * 10000 + minor * 100 + patch in cuDNN 9). */
    static String versionString(long v) {
        return v / 10000 + "." + v % 10000 / 100 + "." + v % 100;
    }

    /**
     * The library, loaded on first use.
     *
     * @throws CudaUnavailableException with a one-line reason (not found, not cuDNN 9, a symbol missing)
     */
    static CudnnLibrary get() throws CudaUnavailableException {
        Object o = loaded;
        if (o == null) {
            synchronized (CudnnLibrary.class) {
                o = loaded;
                if (o == null) {
                    try {
                        o = load(environment(), System.getProperty("java.library.path", ""));
                    } catch (CudaUnavailableException e) {
                        o = e.getMessage();
                    } catch (Throwable t) {
                        o = "cannot load cuDNN: " + Backends.oneLine(t);
                    }
                    loaded = o;
                }
            }
        }
        if (o instanceof CudnnLibrary lib) return lib;
        throw new CudaUnavailableException((String) o);
    }

    /** The environment, where the {@link CudaEmulator} runs with its cuDNN stand-in named by {@code GEOMEND_CUDNN_LIB}. */
    private static Map<String, String> environment() {
        Path emulator = CudaEmulator.directory();
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        String lib =
                emulator != null ? emulator.resolve(SONAME).toString() : org.geomend.kernels.Setting.CUDNN_LIB.value();
        if (lib != null) env.put("GEOMEND_CUDNN_LIB", lib);
        return env;
    }

    static CudnnLibrary load(Map<String, String> env, String javaLibraryPath) throws CudaUnavailableException {
        Path file = find(env, javaLibraryPath);
        Arena arena = Arena.global();
        SymbolLookup lookup;
        String where;
        if (file != null) {
            where = file.toString();
            SymbolLookup siblings = null;
            for (String sub : SUBLIBRARIES) {
                Path s = file.resolveSibling(sub);
                if (!Files.isRegularFile(s)) continue;
                try {
                    SymbolLookup l = SymbolLookup.libraryLookup(s, arena);
                    siblings = siblings == null ? l : siblings.or(l);
                } catch (IllegalArgumentException e) {
                    // best effort: the main library reports what it cannot load itself
                }
            }
            try {
                lookup = SymbolLookup.libraryLookup(file, arena);
            } catch (IllegalArgumentException e) {
                throw new CudaUnavailableException("cannot load " + file + ": " + Backends.oneLine(e), e);
            }
            if (siblings != null) lookup = lookup.or(siblings);
        } else {
            try {
                lookup = SymbolLookup.libraryLookup(SONAME, arena);
                where = SONAME + " (dynamic loader search)";
            } catch (IllegalArgumentException e) {
                throw new CudaUnavailableException(
                        SONAME + " not found (set GEOMEND_CUDNN_LIB to it, put its directory on"
                                + " LD_LIBRARY_PATH, or pip install nvidia-cudnn-cu12)");
            }
        }
        try {
            return new CudnnLibrary(where, lookup);
        } catch (IllegalStateException e) {
            throw new CudaUnavailableException(Backends.oneLine(e), e);
        }
    }

    /**
     * The cuDNN library file the search order finds, or null to leave it to the dynamic loader.
     *
     * @throws CudaUnavailableException when {@code GEOMEND_CUDNN_LIB} is set but names nothing usable
     */
    static Path find(Map<String, String> env, String javaLibraryPath) throws CudaUnavailableException {
        String explicit = env.get("GEOMEND_CUDNN_LIB");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit.trim());
            if (Files.isDirectory(p)) p = p.resolve(SONAME);
            if (!Files.isRegularFile(p))
                throw new CudaUnavailableException("GEOMEND_CUDNN_LIB=" + explicit + ": no " + p);
            return p;
        }
        for (Path dir : searchDirectories(env, javaLibraryPath)) {
            Path p = dir.resolve(SONAME);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /** The directories {@link #find} looks in, in order, without duplicates (existing or not). */
    static List<Path> searchDirectories(Map<String, String> env, String javaLibraryPath) {
        Set<Path> dirs = new LinkedHashSet<>();
        addPathList(dirs, javaLibraryPath);
        addPathList(dirs, env.get("LD_LIBRARY_PATH"));
        List<Path> sitePackages = new ArrayList<>();
        String pythonPath = env.get("PYTHONPATH");
        if (pythonPath != null)
            for (String s : pythonPath.split(File.pathSeparator)) if (!s.isBlank()) sitePackages.add(Path.of(s));
        for (String root : new String[] {
            env.get("VIRTUAL_ENV"),
            env.get("CONDA_PREFIX"),
            env.get("HOME") == null ? null : env.get("HOME") + "/.local",
            "/usr/local",
            "/usr",
            "/opt/conda"
        }) {
            if (root == null || root.isBlank()) continue;
            Path lib = Path.of(root, "lib");
            for (Path py : pythonDirs(lib)) {
                sitePackages.add(py.resolve("site-packages"));
                sitePackages.add(py.resolve("dist-packages"));
            }
        }
        sitePackages.add(Path.of("/usr/lib/python3/dist-packages"));
        for (Path sp : sitePackages) dirs.add(sp.resolve("nvidia/cudnn/lib"));
        return List.copyOf(dirs);
    }

    private static void addPathList(Set<Path> dirs, String list) {
        if (list == null) return;
        for (String s : list.split(File.pathSeparator)) if (!s.isBlank()) dirs.add(Path.of(s.trim()));
    }

    /** {@code lib/python3*} directories, newest name last (sorted), or none. */
    private static List<Path> pythonDirs(Path lib) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(lib)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(lib, "python3*")) {
            for (Path p : ds) if (Files.isDirectory(p)) out.add(p);
        } catch (IOException | SecurityException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    // ---------------------------------------------------------------- calls

    /** Throws when {@code status} is not success, naming {@code fn} and cuDNN's own error string. */
    void check(int status, String fn) {
        if (status == STATUS_SUCCESS) return;
        String text;
        try (Arena call = Arena.ofConfined()) {
            // cuDNN's own static string: read (at most 256 bytes) through a view that dies with this call
            MemorySegment s = (MemorySegment) getErrorString.invokeExact(status);
            text = s.equals(MemorySegment.NULL)
                    ? "status " + status
                    : s.reinterpret(256, call, null).getString(0) + " (" + status + ")";
        } catch (Throwable t) {
            text = "status " + status;
        }
        throw new IllegalStateException(fn + " failed: " + text);
    }

    static IllegalStateException downcallFailure(String fn, Throwable t) {
        if (t instanceof IllegalStateException e) return e;
        return new IllegalStateException(fn + " downcall failed: " + Backends.oneLine(t), t);
    }
}
