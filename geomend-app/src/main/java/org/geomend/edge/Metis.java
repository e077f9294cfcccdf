package org.geomend.edge;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.kernels.Memory;
import org.geomend.kernels.Setting;

/**
 * METIS 5 (Debian's {@code libmetis5}, {@code libmetis.so.5}) through hand-written FFM downcalls: {@code
 * METIS_SetDefaultOptions} and {@code METIS_PartGraphKway} of {@code metis.h} 5.1.0, every argument a pointer.
 *
 * <p>Debian builds METIS with {@code IDXTYPEWIDTH 32} and {@code REALTYPEWIDTH 32} ({@code metis.h} of
 * {@code libmetis-dev 5.1.0.dfsg-7}), so {@code idx_t} is a C {@code int32_t} here. The width of the loaded library is
 * checked when it is loaded: {@code METIS_SetDefaultOptions} writes {@code METIS_NOPTIONS} (40) {@code idx_t}s of
 * -1, so it is called on a buffer of 80 {@code int32} sentinels and must overwrite exactly the first 40 (a 64-bit
 * build overwrites 80: refused with a message). {@code real_t} is never passed ({@code tpwgts} and {@code ubvec} are
 * NULL: equal target weights, the balance comes from {@code METIS_OPTION_UFACTOR}).
 *
 * <p>The library is {@code libmetis.so.5} on the loader's search path, or the file named by
 * {@code GEOMEND_METIS_LIB} / {@code -Dgeomend.metis.lib}. When it cannot be loaded the error is one line naming the
 * Debian package ({@link IllegalArgumentException}: the CLI exits with code 2). Arrays go to METIS in off-heap
 * buffers of {@link Memory}.
 */
public final class Metis {

    /** The soname loaded when {@code GEOMEND_METIS_LIB} is not set. */
    public static final String SONAME = "libmetis.so.5";
    /** The Debian package that ships it. */
    public static final String PACKAGE = "libmetis5";

    static final int NOPTIONS = 40;
    static final int OPTION_SEED = 8,
            OPTION_CONTIG = 11,
            OPTION_UFACTOR = 16,
            OPTION_NUMBERING = 17,
            OPTION_OBJTYPE = 1;
    static final int OBJTYPE_CUT = 0;
    static final int OK = 1, ERROR_INPUT = -2, ERROR_MEMORY = -3, ERROR = -4;

    private static final Map<String, Metis> LOADED = new ConcurrentHashMap<>();

    private final String library;
    private final MethodHandle setDefaultOptions, partGraphKway;

    private Metis(String library, SymbolLookup lookup) {
        this.library = library;
        Linker linker = Linker.nativeLinker();
        setDefaultOptions = linker.downcallHandle(
                find(lookup, "METIS_SetDefaultOptions"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        partGraphKway = linker.downcallHandle(
                find(lookup, "METIS_PartGraphKway"),
                FunctionDescriptor.of(
                        JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                        ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        checkIdxWidth();
    }

    private MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name)
                .orElseThrow(() -> new IllegalArgumentException(
                        library + " has no " + name + ": METIS 5 is needed (Debian: apt-get install " + PACKAGE + ")"));
    }

    /**
     * The METIS library (loaded once per path and JVM).
     *
     * @throws IllegalArgumentException one line naming {@value #PACKAGE} when it cannot be loaded or has the wrong
     *         {@code idx_t} width
     */
    public static Metis load() {
        String configured = Setting.METIS_LIB.value();
        String lib = configured == null ? SONAME : configured;
        return LOADED.computeIfAbsent(lib, l -> {
            SymbolLookup lookup;
            try {
                lookup = configured == null
                        ? SymbolLookup.libraryLookup(l, Arena.global())
                        : SymbolLookup.libraryLookup(java.nio.file.Path.of(l), Arena.global());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "METIS 5 library " + l + (configured == null ? "" : " (" + Setting.METIS_LIB.source() + ")")
                                + " not found: install Debian's " + PACKAGE + " (apt-get install " + PACKAGE + ")",
                        e);
            }
            return new Metis(l, lookup);
        });
    }

    /** The library as loaded (soname or path). */
    public String library() {
        return library;
    }

    private void checkIdxWidth() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment opts = a.allocate(JAVA_INT, 2 * NOPTIONS);
            for (int i = 0; i < 2 * NOPTIONS; i++) opts.setAtIndex(JAVA_INT, i, 0x5A5A5A5A);
            int rc = (int) setDefaultOptions.invokeExact(opts);
            int written = 0;
            while (written < 2 * NOPTIONS && opts.getAtIndex(JAVA_INT, written) == -1) written++;
            if (rc != OK || written != NOPTIONS)
                throw new IllegalArgumentException(
                        library + ": METIS_SetDefaultOptions wrote " + written * 4 + " bytes, not "
                                + NOPTIONS * 4 + ": idx_t is not 32-bit there (geomend binds Debian's " + PACKAGE
                                + ", IDXTYPEWIDTH 32)");
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("METIS_SetDefaultOptions failed: " + t, t);
        }
    }

    /** Options of {@link #partKway}. */
    public record Options(int ufactor, boolean contiguous, int seed) {
        public Options {
            if (ufactor < 1)
                throw new IllegalArgumentException("ufactor must be >= 1 (METIS: max imbalance 1 + ufactor/1000)");
        }
    }

    /** A partition: the part of every vertex and METIS' edge cut (the sum of the weights of cut edges). */
    public record Partition(int[] part, long edgeCut) {}

    /**
     * {@code METIS_PartGraphKway} of a graph in CSR form ({@code xadj} of {@code n + 1} offsets into {@code adjncy},
     * every edge listed from both ends with the same weight), one constraint, 0-based numbering, minimising the edge
     * cut ({@code METIS_OBJTYPE_CUT}).
     *
     * @param vwgt vertex weights ({@code n}; METIS sums them in {@code idx_t}: the caller keeps the sum below 2^31)
     * @param adjwgt edge weights ({@code xadj[n]}), or null for unit weights
     */
    public Partition partKway(int n, int[] xadj, int[] adjncy, int[] vwgt, int[] adjwgt, int nparts, Options o) {
        if (xadj.length != n + 1
                || adjncy.length != xadj[n]
                || vwgt.length != n
                || (adjwgt != null && adjwgt.length != xadj[n]))
            throw new IllegalArgumentException(
                    "bad CSR graph: n=" + n + " xadj=" + xadj.length + " adjncy=" + adjncy.length);
        try (BufferAllocator alloc = Memory.child("metis");
                Arena scope = Arena.ofConfined();
                ArrowBuf bX = alloc.buffer(4L * (n + 1));
                ArrowBuf bA = alloc.buffer(4L * Math.max(1, adjncy.length));
                ArrowBuf bV = alloc.buffer(4L * Math.max(1, n));
                ArrowBuf bW = alloc.buffer(4L * Math.max(1, adjncy.length));
                ArrowBuf bP = alloc.buffer(4L * Math.max(1, n));
                ArrowBuf bS = alloc.buffer(4L * (4 + NOPTIONS))) {
            MemorySegment x = Memory.view(bX, scope),
                    adj = Memory.view(bA, scope),
                    v = Memory.view(bV, scope),
                    w = Memory.view(bW, scope),
                    part = Memory.view(bP, scope),
                    s = Memory.view(bS, scope);
            MemorySegment.copy(xadj, 0, x, JAVA_INT, 0, n + 1);
            MemorySegment.copy(adjncy, 0, adj, JAVA_INT, 0, adjncy.length);
            MemorySegment.copy(vwgt, 0, v, JAVA_INT, 0, n);
            if (adjwgt != null) MemorySegment.copy(adjwgt, 0, w, JAVA_INT, 0, adjwgt.length);
            MemorySegment nv = s.asSlice(0, 4),
                    ncon = s.asSlice(4, 4),
                    np = s.asSlice(8, 4),
                    cut = s.asSlice(12, 4),
                    opts = s.asSlice(16, 4L * NOPTIONS);
            nv.set(JAVA_INT, 0, n);
            ncon.set(JAVA_INT, 0, 1);
            np.set(JAVA_INT, 0, nparts);
            int rc = (int) setDefaultOptions.invokeExact(opts);
            if (rc != OK) throw new IllegalStateException("METIS_SetDefaultOptions returned " + rc);
            opts.setAtIndex(JAVA_INT, OPTION_OBJTYPE, OBJTYPE_CUT);
            opts.setAtIndex(JAVA_INT, OPTION_UFACTOR, o.ufactor());
            opts.setAtIndex(JAVA_INT, OPTION_CONTIG, o.contiguous() ? 1 : 0);
            opts.setAtIndex(JAVA_INT, OPTION_SEED, o.seed());
            opts.setAtIndex(JAVA_INT, OPTION_NUMBERING, 0);
            MemorySegment ew = adjwgt == null ? MemorySegment.NULL : w;
            rc = (int) partGraphKway.invokeExact(
                    nv,
                    ncon,
                    x,
                    adj,
                    v,
                    MemorySegment.NULL,
                    ew,
                    np,
                    MemorySegment.NULL,
                    MemorySegment.NULL,
                    opts,
                    cut,
                    part);
            if (rc != OK)
                throw new IllegalStateException("METIS_PartGraphKway returned " + rc + " ("
                        + switch (rc) {
                            case ERROR_INPUT -> "METIS_ERROR_INPUT";
                            case ERROR_MEMORY -> "METIS_ERROR_MEMORY";
                            default -> "METIS_ERROR";
                        }
                        + ") on a graph of " + n + " vertices into " + nparts + " parts");
            int[] out = new int[n];
            MemorySegment.copy(part, JAVA_INT, 0, out, 0, n);
            return new Partition(out, cut.get(JAVA_INT, 0));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("METIS_PartGraphKway failed: " + t, t);
        }
    }
}
