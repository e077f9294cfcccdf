package org.geomend.cuda;

/** The CUDA backend cannot start here; the message is one line saying why. */
public final class CudaUnavailableException extends Exception {

    public CudaUnavailableException(String reason) {
        super(reason);
    }

    public CudaUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
