package org.geomend.voronoiboost;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * LightGBM (MIT licence) through its C API ({@code c_api.h}), called with the FFM API. The native library is the one
 * the Maven artifact {@code com.microsoft.ml.lightgbm:lightgbmlib} ships for this platform (Linux x86_64, macOS
 * x86_64, Windows x86_64), copied out of the jar to a temporary file on first use. Its SWIG Java wrapper in the same
 * jar is not used. Linux needs the GNU OpenMP runtime {@code libgomp.so.1} (part of GCC's runtime libraries).
 *
 * <p>A {@link Booster} here is for prediction: {@link #train} fits, serialises the trees to LightGBM's text model
 * format and returns a booster read back from that text, so a trained model and the same model saved and loaded
 * predict bit for bit alike.
 */
final class LightGbm {

    /** The lightgbmlib artifact version (the LightGBM release 3.3.5); {@code LightGbmTest} checks it against the jar. */
    static final String VERSION = "3.3.510";

    private static final String RESOURCE_DIR = "com/microsoft/ml/lightgbm/";
    private static final int DTYPE_FLOAT32 = 0, DTYPE_FLOAT64 = 1, PREDICT_NORMAL = 0;
    private static final Cleaner CLEANER = Cleaner.create();

    private LightGbm() {}

    /** One prediction-only booster (a native handle, freed when the booster becomes unreachable). */
    static final class Booster {
        private final MemorySegment handle;
        private final String text;
        private final int features;

        private Booster(MemorySegment handle, String text, int features) {
            this.handle = handle;
            this.text = text;
            this.features = features;
            Native n = Native.get();
            CLEANER.register(this, () -> n.free(handle));
        }

        /** Inputs per row. */
        int features() {
            return features;
        }

        /** LightGBM's text model format (what {@link #load} reads). */
        String text() {
            return text;
        }

        /** Raw predictions for {@code rows} rows of {@code features} values each, row-major. */
        double[] predict(double[] x, int rows) {
            if (x.length != (long) rows * features)
                throw new IllegalArgumentException(x.length + " values for " + rows + " rows of " + features);
            if (rows == 0) return new double[0];
            Native n = Native.get();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment data = a.allocateFrom(JAVA_DOUBLE, x);
                MemorySegment outLen = a.allocate(JAVA_LONG);
                MemorySegment out = a.allocate(JAVA_DOUBLE, rows);
                n.check(
                        (int) n.predictForMat.invokeExact(
                                handle,
                                data,
                                DTYPE_FLOAT64,
                                rows,
                                features,
                                1,
                                PREDICT_NORMAL,
                                0,
                                -1,
                                a.allocateFrom("num_threads=1"),
                                outLen,
                                out),
                        "LGBM_BoosterPredictForMat");
                if (outLen.get(JAVA_LONG, 0) != rows)
                    throw new IllegalStateException(
                            "LightGBM returned " + outLen.get(JAVA_LONG, 0) + " predictions for " + rows + " rows");
                return out.toArray(JAVA_DOUBLE);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Fits {@code iterations} boosting rounds on {@code rows} rows (row-major {@code x}, one label each) with the
     * LightGBM parameters {@code params} ("key=value key=value"), naming the features {@code names}.
     */
    static Booster train(double[] x, float[] label, int rows, List<String> names, String params, int iterations) {
        int cols = names.size();
        if (x.length != (long) rows * cols || label.length != rows)
            throw new IllegalArgumentException("rows, columns and labels differ");
        Native n = Native.get();
        MemorySegment ds = MemorySegment.NULL, booster = MemorySegment.NULL;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(params);
            MemorySegment out = a.allocate(ADDRESS);
            n.check(
                    (int) n.datasetCreateFromMat.invokeExact(
                            a.allocateFrom(JAVA_DOUBLE, x), DTYPE_FLOAT64, rows, cols, 1, p, MemorySegment.NULL, out),
                    "LGBM_DatasetCreateFromMat");
            ds = out.get(ADDRESS, 0);
            n.check(
                    (int) n.datasetSetField.invokeExact(
                            ds, a.allocateFrom("label"), a.allocateFrom(JAVA_FLOAT, label), rows, DTYPE_FLOAT32),
                    "LGBM_DatasetSetField");
            MemorySegment namePtrs = a.allocate(ADDRESS, cols);
            for (int i = 0; i < cols; i++) namePtrs.setAtIndex(ADDRESS, i, a.allocateFrom(names.get(i)));
            n.check((int) n.datasetSetFeatureNames.invokeExact(ds, namePtrs, cols), "LGBM_DatasetSetFeatureNames");
            n.check((int) n.boosterCreate.invokeExact(ds, p, out), "LGBM_BoosterCreate");
            booster = out.get(ADDRESS, 0);
            MemorySegment finished = a.allocate(JAVA_INT);
            for (int i = 0; i < iterations; i++) {
                n.check((int) n.boosterUpdateOneIter.invokeExact(booster, finished), "LGBM_BoosterUpdateOneIter");
                if (finished.get(JAVA_INT, 0) != 0)
                    break; // no split improves the loss any more: the remaining trees would be empty
            }
            String text = n.saveToString(booster);
            return load(text);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        } finally {
            if (!booster.equals(MemorySegment.NULL)) n.free(booster);
            if (!ds.equals(MemorySegment.NULL)) n.freeDataset(ds);
        }
    }

    /** Reads a model in LightGBM's text format; a text LightGBM refuses is an {@link IllegalArgumentException}. */
    static Booster load(String text) {
        Native n = Native.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iters = a.allocate(JAVA_INT), out = a.allocate(ADDRESS);
            int rc = (int) n.loadFromString.invokeExact(a.allocateFrom(text), iters, out);
            if (rc != 0) throw new IllegalArgumentException("LightGBM cannot read the model: " + n.lastError());
            MemorySegment h = out.get(ADDRESS, 0);
            MemorySegment nf = a.allocate(JAVA_INT);
            n.check((int) n.numFeature.invokeExact(h, nf), "LGBM_BoosterGetNumFeature");
            return new Booster(h, text, nf.get(JAVA_INT, 0));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The library, loaded once per JVM, and its entry points. */
    private static final class Native {
        private static volatile Native instance;

        final MethodHandle datasetCreateFromMat,
                datasetSetField,
                datasetSetFeatureNames,
                datasetFree,
                boosterCreate,
                boosterUpdateOneIter,
                saveModelToString,
                loadFromString,
                numFeature,
                predictForMat,
                boosterFree,
                getLastError;

        static Native get() {
            Native n = instance;
            if (n == null) {
                synchronized (Native.class) {
                    n = instance;
                    if (n == null) instance = n = new Native(extract());
                }
            }
            return n;
        }

        private Native(Path lib) {
            SymbolLookup l;
            try {
                l = SymbolLookup.libraryLookup(lib, Arena.global());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "cannot load LightGBM's native library " + lib
                                + " (on Linux it needs the GNU OpenMP runtime libgomp.so.1): " + e.getMessage(),
                        e);
            }
            Linker k = Linker.nativeLinker();
            datasetCreateFromMat = h(
                    k,
                    l,
                    "LGBM_DatasetCreateFromMat",
                    FunctionDescriptor.of(
                            JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            datasetSetField = h(
                    k,
                    l,
                    "LGBM_DatasetSetField",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
            datasetSetFeatureNames =
                    h(k, l, "LGBM_DatasetSetFeatureNames", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
            datasetFree = h(k, l, "LGBM_DatasetFree", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            boosterCreate = h(k, l, "LGBM_BoosterCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            boosterUpdateOneIter =
                    h(k, l, "LGBM_BoosterUpdateOneIter", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            saveModelToString = h(
                    k,
                    l,
                    "LGBM_BoosterSaveModelToString",
                    FunctionDescriptor.of(
                            JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
            loadFromString = h(
                    k,
                    l,
                    "LGBM_BoosterLoadModelFromString",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            numFeature = h(k, l, "LGBM_BoosterGetNumFeature", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            predictForMat = h(
                    k,
                    l,
                    "LGBM_BoosterPredictForMat",
                    FunctionDescriptor.of(
                            JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                            JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            boosterFree = h(k, l, "LGBM_BoosterFree", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            getLastError = h(k, l, "LGBM_GetLastError", FunctionDescriptor.of(ADDRESS));
        }

        private static MethodHandle h(Linker k, SymbolLookup l, String name, FunctionDescriptor d) {
            return k.downcallHandle(
                    l.find(name).orElseThrow(() -> new IllegalStateException("LightGBM's library has no " + name)), d);
        }

        /** Copies this platform's lib_lightgbm out of the lightgbmlib jar (deleted when the JVM exits). */
        private static Path extract() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT),
                    arch = System.getProperty("os.arch", "");
            boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
            String res = !x64
                    ? null
                    : os.startsWith("linux")
                            ? "linux/x86_64/lib_lightgbm.so"
                            : os.startsWith("mac")
                                    ? "osx/x86_64/lib_lightgbm.dylib"
                                    : os.startsWith("windows") ? "windows/x86_64/lib_lightgbm.dll" : null;
            if (res == null)
                throw new IllegalStateException("LightGBM " + VERSION
                        + " (VoronoiBoost's regressor) ships no native library for " + os + " " + arch);
            try (InputStream in = LightGbm.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + res)) {
                if (in == null)
                    throw new IllegalStateException(RESOURCE_DIR + res
                            + " is not on the class path (com.microsoft.ml.lightgbm:lightgbmlib:" + VERSION + ")");
                Path dir = Files.createTempDirectory("geomend-lightgbm");
                Path f = dir.resolve(res.substring(res.lastIndexOf('/') + 1));
                Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
                f.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                return f;
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot copy LightGBM's native library to a temporary file: " + e.getMessage(), e);
            }
        }

        String lastError() {
            try {
                MemorySegment s = (MemorySegment) getLastError.invokeExact();
                return s.reinterpret(4096).getString(0);
            } catch (Throwable e) {
                return "(no error text)";
            }
        }

        void check(int rc, String what) {
            if (rc != 0) throw new IllegalStateException(what + " failed: " + lastError());
        }

        String saveToString(MemorySegment booster) throws Throwable {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment len = a.allocate(JAVA_LONG);
                MemorySegment buf = a.allocate(1 << 20);
                check(
                        (int) saveModelToString.invokeExact(booster, 0, -1, 0, buf.byteSize(), len, buf),
                        "LGBM_BoosterSaveModelToString");
                long need = len.get(JAVA_LONG, 0);
                if (need > buf.byteSize()) {
                    buf = a.allocate(need);
                    check(
                            (int) saveModelToString.invokeExact(booster, 0, -1, 0, buf.byteSize(), len, buf),
                            "LGBM_BoosterSaveModelToString");
                }
                return buf.getString(0);
            }
        }

        void free(MemorySegment booster) {
            try {
                int rc = (int) boosterFree.invokeExact(booster);
            } catch (Throwable e) {
                // nothing to do at cleanup
            }
        }

        void freeDataset(MemorySegment ds) {
            try {
                int rc = (int) datasetFree.invokeExact(ds);
            } catch (Throwable e) {
                // nothing to do at cleanup
            }
        }
    }
}
