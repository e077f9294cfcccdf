package org.geomend.nbl;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds shared/data by walking up from the working directory (null when absent). */
final class NblDataTest {
    private NblDataTest() {}

    static Path measurements() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("shared/data/measurements");
            if (Files.isDirectory(d)) return d;
            d = p.resolve("../shared/data/measurements").normalize();
            if (Files.isDirectory(d)) return d;
        }
        return null;
    }
}
