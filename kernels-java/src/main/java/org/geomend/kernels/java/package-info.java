/**
 * The pure-Java backend: multi-threaded CPU kernels ({@link org.geomend.kernels.java.JavaKernels}) and the
 * bucket-grid site index they use for nearest-site search ({@link org.geomend.kernels.java.SiteIndex}).
 */
package org.geomend.kernels.java;
