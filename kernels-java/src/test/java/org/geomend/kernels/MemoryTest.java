package org.geomend.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;

/**
 * Memory ownership: a {@link GridBuffer} used after close throws {@link IllegalStateException} (no crash), from any
 * thread; children of the process root report leaks by owner name; the root's peak counts every child.
 */
class MemoryTest {

    @Test
    void aGridBufferWrittenOrReadAfterCloseThrowsInsteadOfCrashing() throws Exception {
        try (BufferAllocator alloc = Memory.child("memory-test-grid")) {
            GridBuffer b = GridBuffer.allocate(alloc, GridBuffer.Type.FLOAT32, 1 << 16);
            MemorySegment taken = b.segment();
            b.setFloat(5, 2.5f);
            assertEquals(2.5f, b.getFloat(5));
            assertTrue(b.isOpen());
            assertTrue(alloc.getAllocatedMemory() >= 4 << 16);
            b.close();
            assertFalse(b.isOpen());
            assertEquals(0, alloc.getAllocatedMemory(), "the Arrow memory went back at close");
            assertThrows(IllegalStateException.class, () -> b.setFloat(5, 1f));
            assertThrows(IllegalStateException.class, () -> b.getFloat(5));
            assertThrows(IllegalStateException.class, () -> b.setInt(1, 1));
            assertThrows(IllegalStateException.class, () -> b.getByte(0));
            assertThrows(IllegalStateException.class, () -> b.fill(1f));
            assertThrows(IllegalStateException.class, b::zero);
            assertThrows(IllegalStateException.class, () -> b.toFloatArray(0, 4));
            assertThrows(IllegalStateException.class, () -> b.copyFrom(new float[4], 0));
            assertThrows(IllegalStateException.class, b::address);
            assertThrows(
                    IllegalStateException.class,
                    () -> taken.set(ValueLayout.JAVA_FLOAT, 0, 1f),
                    "a segment taken before close");
            // from another thread (the kernels' worker threads) too
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> CompletableFuture.runAsync(() -> taken.getAtIndex(ValueLayout.JAVA_FLOAT, 100))
                            .get());
            assertTrue(
                    e.getCause() instanceof IllegalStateException, e.getCause().toString());
            b.close(); // idempotent
        }
    }

    @Test
    void aChildClosedWithBuffersOutstandingNamesItsOwner() {
        BufferAllocator leaky = Memory.child("memory-test-leaky-owner");
        ArrowBuf kept = leaky.buffer(4096);
        IllegalStateException e = assertThrows(IllegalStateException.class, leaky::close);
        assertTrue(e.getMessage().contains("Memory was leaked"), e.getMessage());
        assertTrue(e.getMessage().contains("memory-test-leaky-owner"), e.getMessage());
        // still held at exit: the shutdown report names it too, one line
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Memory.reportLeaks(new PrintStream(out, true, StandardCharsets.UTF_8));
        String report = out.toString(StandardCharsets.UTF_8);
        assertTrue(
                report.lines().anyMatch(l -> l.contains("'memory-test-leaky-owner'") && l.contains("4096 bytes")),
                report);
        // Arrow's rule: a closed allocator takes nothing back, so the leak stays visible (and reported at exit)
        assertThrows(IllegalStateException.class, kept::close);
    }

    @Test
    void theRootsPeakCountsEveryChildAtOnce() {
        long mib = 1 << 20;
        try (BufferAllocator a = Memory.child("memory-test-a");
                BufferAllocator b = Memory.child("memory-test-b")) {
            long base = Memory.allocatedBytes();
            try (ArrowBuf x = a.buffer(8 * mib);
                    ArrowBuf y = b.buffer(8 * mib)) {
                assertEquals(base + 16 * mib, Memory.allocatedBytes());
                assertTrue(Memory.peakBytes() >= base + 16 * mib, "the root's peak holds both owners' memory");
                assertEquals(8 * mib, a.getPeakMemoryAllocation());
            }
            assertEquals(base, Memory.allocatedBytes());
        }
    }

    @Test
    void viewsOfArrowMemoryDieWithTheirScope() {
        try (BufferAllocator alloc = Memory.child("memory-test-view");
                ArrowBuf buf = alloc.buffer(64)) {
            MemorySegment v;
            try (Arena scope = Arena.ofConfined()) {
                v = Memory.view(buf, 64, scope);
                v.set(ValueLayout.JAVA_INT, 0, 42);
                assertEquals(42, buf.getInt(0));
                assertThrows(IndexOutOfBoundsException.class, () -> Memory.view(buf, buf.capacity() + 1, scope));
            }
            MemorySegment dead = v;
            assertThrows(IllegalStateException.class, () -> dead.get(ValueLayout.JAVA_INT, 0));
        }
    }

    @Test
    void openTensorsAreOneWarningLineOrAnExceptionInStrictMode() {
        String was = System.getProperty(Memory.STRICT_PROPERTY);
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.clearProperty(Memory.STRICT_PROPERTY);
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Memory.reportOpenTensors("test", 0, 0);
            Memory.reportOpenTensors("test", 3, 1200);
            System.setErr(saved);
            assertEquals(
                    "geomend: warning: test NN backend closed with 3 tensors still open (1200 bytes); freed them\n",
                    err.toString(StandardCharsets.UTF_8));
            System.setProperty(Memory.STRICT_PROPERTY, "true");
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> Memory.reportOpenTensors("test", 1, 4));
            assertTrue(e.getMessage().contains("1 tensor still open (4 bytes)"), e.getMessage());
        } finally {
            System.setErr(saved);
            if (was == null) System.clearProperty(Memory.STRICT_PROPERTY);
            else System.setProperty(Memory.STRICT_PROPERTY, was);
        }
    }
}
