package org.geomend.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * NOTICE names every third-party artifact geomend.jar bundles, with its version: a classifier may follow the artifact id; the list is the one the build's
 * licence check ({@code license-maven-plugin add-third-party}, process-classes phase) resolved for geomend-app.
 */
class NoticeTest {

    private static final Pattern ROW = Pattern.compile("^\\s+\\(([^)]*)\\) .* \\(([^: ]+):([^: ]+):([^ ]+) - ");

    @Test
    void noticeListsEveryBundledArtifact() throws IOException {
        Path thirdParty = Path.of("target/generated-sources/license/THIRD-PARTY.txt");
        assertTrue(Files.isRegularFile(thirdParty), thirdParty + " is missing: the licence check did not run");
        String notice = Files.readString(Path.of("../NOTICE"));
        List<String> missing = new ArrayList<>();
        int rows = 0;
        for (String line : Files.readAllLines(thirdParty)) {
            Matcher m = ROW.matcher(line);
            if (!m.find()) continue;
            rows++;
            if (m.group(2).equals("org.geomend")) continue;
            String gav = m.group(2) + ":" + m.group(3) + ":" + m.group(4);
            Pattern listed = Pattern.compile("(?m)^\\s+" + Pattern.quote(m.group(2) + ":" + m.group(3) + ":")
                    + "([a-z0-9_-]+:)?" + Pattern.quote(m.group(4)) + "\\s"); // an optional classifier
            if (!listed.matcher(notice).find()) missing.add(gav + " (" + m.group(1) + ")");
        }
        assertTrue(rows > 10, "parsed only " + rows + " rows of " + thirdParty);
        assertEquals(List.of(), missing, "artifacts bundled in geomend.jar but not in NOTICE");
    }
}
