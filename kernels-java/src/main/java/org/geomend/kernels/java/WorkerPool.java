package org.geomend.kernels.java;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed pool of daemon platform threads and the parallel for-loop the Java backends ({@link JavaKernels},
 * {@code JavaNnKernels}) run their kernels on. Shut down by {@link #close()}.
 */
public final class WorkerPool implements AutoCloseable {

    private final int threads;
    private final ExecutorService pool;

    /** {@code threads} threads named {@code threadName} ({@code <= 0}: one per available processor). */
    public WorkerPool(int threads, String threadName) {
        this.threads = threads <= 0 ? Runtime.getRuntime().availableProcessors() : threads;
        this.pool = Executors.newFixedThreadPool(this.threads, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body(0..n-1)} on the pool, tasks claimed one at a time (inline when {@code n == 1} or on one
     * thread); a task's exception or error is rethrown here, an interrupt as an {@link IllegalStateException}.
     */
    public void parallelFor(int n, IntConsumer body) {
        if (n <= 0) return;
        if (n == 1 || threads == 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < Math.min(threads, n); t++)
            fs.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < n; ) body.accept(i);
            }));
        try {
            for (Future<?> f : fs) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error er) throw er;
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
