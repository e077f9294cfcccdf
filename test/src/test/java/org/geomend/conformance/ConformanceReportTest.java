package org.geomend.conformance;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs {@link ConformanceReport} under surefire (which carries the JVM flags Arrow needs) when
 * {@code -Dgeomend.report=PATH.md} is given; skipped otherwise.
 */
class ConformanceReportTest {

    @Test
    @EnabledIfSystemProperty(named = "geomend.report", matches = ".+")
    void writeReport() throws Exception {
        ConformanceReport.main(new String[] {
            Path.of(System.getProperty("geomend.report")).toAbsolutePath().toString()
        });
    }
}
