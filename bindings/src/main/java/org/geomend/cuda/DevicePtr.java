package org.geomend.cuda;

import jcuda.driver.CUdeviceptr;

/** A {@link CUdeviceptr} whose raw device address can be read, for the cuDNN downcalls (Panama FFM). */
final class DevicePtr extends CUdeviceptr {

    /** The device address this pointer holds (0 before allocation). */
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
