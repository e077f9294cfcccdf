/**
 * Cross-backend conformance: every {@link org.geomend.kernels.GeoKernels} backend that starts here (java
 * always, cuda when a device is present, otherwise its cases are skipped with the reason) against the
 * float64 references of {@link org.geomend.kernels.Reference}, on inventories chosen for their corner
 * cases; plus {@link org.geomend.conformance.ConformanceReport}, the realistic-size report for a GPU host.
 */
package org.geomend.conformance;
