/**
 * The pure-Java backend: multi-threaded CPU kernels ({@link org.geomend.kernels.java.JavaKernels}) and the
 * bucket-grid site index they use for nearest-site search ({@link org.geomend.kernels.java.SiteIndex}), and the
 * thread pool with its parallel for-loop that both Java backends run on ({@link org.geomend.kernels.java.WorkerPool}).
 */
package org.geomend.kernels.java;
