/**
 * Benchmarks: JMH micro-benchmarks of each kernel per 600 x 600 map ({@link org.geomend.bench.KernelBench}),
 * diagnostics such as {@link org.geomend.bench.StudentFit} (a trained student against its labels)
 * and the whole-inventory harness ({@link org.geomend.bench.InventoryRun}) that runs a national
 * geolocation and reports maps/s, bytes written and peak memory against the simplest correct Java loop.
 */
package org.geomend.bench;
