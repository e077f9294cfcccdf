/**
 * How another JVM program uses geomend as a library, without the CLI: {@link org.geomend.examples.EmbedExample}.
 */
package org.geomend.examples;
