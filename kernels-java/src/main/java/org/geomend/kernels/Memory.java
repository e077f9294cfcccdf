package org.geomend.kernels;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The process's off-heap memory, owned the way Arrow owns it: one {@link RootAllocator} per process
 * ({@link #root()}), never closed, and one named child allocator per owner ({@link #child(String)}), which the owner
 * closes. A child closed while it still holds buffers throws Arrow's {@link IllegalStateException} ("Memory was leaked
 * by query ... Allocator(NAME) ..."), so a leak names its owner; children still holding memory when the JVM exits are
 * reported on stderr, one line each. The root's peak ({@link #peakBytes()}) covers every child, the map sinks' record
 * batches included.
 *
 * <p>Views of Arrow memory as {@link MemorySegment}s are bound to a scope ({@link #view}): a use after the scope closes
 * throws {@link IllegalStateException} instead of touching freed memory.
 *
 * <p>Strict mode ({@code -Dgeomend.memory.strict=true}): an NN backend closed with tensors still open throws after
 * freeing them, instead of printing one warning line (see {@link #reportOpenTensors}).
 */
public final class Memory {

    /** The system property that turns leaked tensors from a warning into an exception. */
    public static final String STRICT_PROPERTY = "geomend.memory.strict"; // Setting.MEMORY_STRICT

    private static final RootAllocator ROOT = new RootAllocator(Long.MAX_VALUE);

    static {
        Thread hook = new Thread(() -> reportLeaks(System.err), "geomend-memory-leaks");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // first use during shutdown: nothing to report later
        }
    }

    private Memory() {}

    /**
     * The process-wide root allocator. Do not close it and do not allocate from it directly: take a
     * {@link #child(String)} per owner, so that leaks and usage are reported by name.
     */
    public static BufferAllocator root() {
        return ROOT;
    }

    /** A new child of the root named {@code owner} (no reservation, no limit); its owner closes it. */
    public static BufferAllocator child(String owner) {
        return ROOT.newChildAllocator(owner, 0, Long.MAX_VALUE);
    }

    /** The most off-heap memory the process's Arrow allocators held at once, in bytes (every child counted). */
    public static long peakBytes() {
        return ROOT.getPeakMemoryAllocation();
    }

    /** The off-heap memory held now, in bytes. */
    public static long allocatedBytes() {
        return ROOT.getAllocatedMemory();
    }

    /**
     * The first {@code bytes} of {@code buf} as a segment bound to {@code scope}: valid while the scope is alive
     * (the caller keeps {@code buf} alive at least as long), and any access after the scope closed throws
     * {@link IllegalStateException}.
     */
    public static MemorySegment view(ArrowBuf buf, long bytes, Arena scope) {
        if (bytes < 0 || bytes > buf.capacity())
            throw new IndexOutOfBoundsException("view of " + bytes + " bytes of a " + buf.capacity() + "-byte buffer");
        return MemorySegment.ofAddress(buf.memoryAddress()).reinterpret(bytes, scope, null);
    }

    /** {@code buf}'s whole capacity as a segment bound to {@code scope} (see {@link #view(ArrowBuf, long, Arena)}). */
    public static MemorySegment view(ArrowBuf buf, Arena scope) {
        return view(buf, buf.capacity(), scope);
    }

    /** Whether {@link #STRICT_PROPERTY} is {@code true}. */
    public static boolean strict() {
        return Setting.MEMORY_STRICT.isOn();
    }

    /**
     * What an NN backend does when it closes with tensors still open (it has freed them already): one warning line
     * on stderr with the count and the bytes, or, in strict mode, an {@link IllegalStateException} with the same text.
     */
    public static void reportOpenTensors(String backend, int count, long bytes) {
        if (count == 0) return;
        String msg = String.format(
                Locale.ROOT,
                "geomend: warning: %s NN backend closed with %d tensor%s still open (%d bytes); freed them",
                backend,
                count,
                count == 1 ? "" : "s",
                bytes);
        if (strict()) throw new IllegalStateException(msg);
        System.err.println(msg);
    }

    /** One line per child of the root that still holds memory (an owner that leaked or never closed); the count. */
    static int reportLeaks(PrintStream out) {
        List<BufferAllocator> children;
        try {
            children = new ArrayList<>(ROOT.getChildAllocators());
        } catch (RuntimeException e) {
            return 0;
        }
        int n = 0;
        for (BufferAllocator c : children) {
            long held = c.getAllocatedMemory();
            if (held > 0) {
                out.printf(
                        Locale.ROOT,
                        "geomend: warning: off-heap memory not given back by '%s': %d bytes%n",
                        c.getName(),
                        held);
                n++;
            }
        }
        return n;
    }
}
