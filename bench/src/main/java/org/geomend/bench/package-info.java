/**
 * Benchmarks: JMH micro-benchmarks of each kernel per 600 x 600 map ({@link org.geomend.bench.KernelBench})
 * and the whole-inventory harness ({@link org.geomend.bench.InventoryRun}) that runs a national
 * geolocation and reports maps/s, bytes written and peak memory against the simplest correct Java loop.
 */
package org.geomend.bench;
