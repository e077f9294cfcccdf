package org.geomend.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of geomend-app are layered: each imports (or names in code) only packages listed after it in the
 * README's package table, and every package is in that table and has a {@code package-info.java}.
 */
class PackageLayersTest {

    private static final Path SRC = Path.of("src/main/java/org/geomend");
    private static final Pattern REF = Pattern.compile("\\borg\\.geomend\\.([a-z0-9]+)\\.");

    /** The order of the README's "Packages of geomend-app" table (top = highest layer). */
    static List<String> readmeOrder() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("../README.md"));
        int i = 0;
        while (!lines.get(i).startsWith("Packages of `geomend-app`")) i++;
        while (!lines.get(i).startsWith("| package | what |")) i++;
        List<String> order = new ArrayList<>();
        for (i += 2; i < lines.size() && lines.get(i).startsWith("| `"); i++) {
            String l = lines.get(i);
            order.add(l.substring(3, l.indexOf('`', 3)));
        }
        return order;
    }

    @Test
    void everyPackageIsListedAndDocumented() throws IOException {
        TreeSet<String> found = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(SRC)) {
            dirs.filter(Files::isDirectory)
                    .forEach(d -> found.add(d.getFileName().toString()));
        }
        assertEquals(found, new TreeSet<>(readmeOrder()), "README package table vs " + SRC);
        for (String p : found)
            assertTrue(
                    Files.isRegularFile(SRC.resolve(p).resolve("package-info.java")), p + " has no package-info.java");
    }

    @Test
    void packagesImportOnlyLowerLayers() throws IOException {
        List<String> order = readmeOrder();
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SRC)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SRC.relativize(f).getName(0).toString();
                int level = order.indexOf(pkg);
                int n = 0;
                for (String line : Files.readAllLines(f)) {
                    n++;
                    String t = line.strip();
                    if (t.startsWith("*") || t.startsWith("/*") || t.startsWith("//") || t.startsWith("package "))
                        continue;
                    Matcher m = REF.matcher(t);
                    while (m.find()) {
                        String to = m.group(1);
                        if (to.equals(pkg) || !order.contains(to)) continue; // kernels, cuda: other modules
                        if (order.indexOf(to) < level)
                            violations.add(SRC.relativize(f) + ":" + n + " " + pkg + " -> " + to);
                    }
                }
            }
        }
        assertEquals(List.of(), violations, "a package refers to a higher layer (README table order)");
    }
}
