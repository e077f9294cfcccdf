package org.geomend.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the team's shared real data ({@code shared/data}) by walking up from the working directory. */
final class TestData {

    private TestData() {}

    /** The path of {@code shared/data/<relative>}; the calling test is skipped when it is absent. */
    static Path require(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared").resolve("data").resolve(relative);
            if (Files.isRegularFile(p)) return p;
        }
        assumeTrue(
                false,
                "shared/data/" + relative + " not found above " + Path.of("").toAbsolutePath());
        throw new AssertionError("unreachable");
    }
}
