package org.geomend.io;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting on the background stage of an input or output pipeline (batch prefetch, record writing). */
public final class Futures {

    private Futures() {}

    /**
     * The result of {@code f}, once done. The stage's {@link IOException} or {@link RuntimeException} is rethrown as
     * it was; any other failure, or an interrupt (the flag is set again), becomes an {@link IOException}.
     */
    public static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException(e.getCause());
        }
    }
}
