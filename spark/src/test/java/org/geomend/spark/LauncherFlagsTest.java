package org.geomend.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/**
 * Embedded Spark needs the JVM options Spark's own launcher adds ({@link JavaModuleOptions}; spark-submit adds them
 * itself): the {@code ./geomend spark} launcher and this test JVM (the module's surefire argLine) pass every one, less
 * {@code --add-opens} of packages this JDK no longer has (JDK 25 has no {@code sun.security.action}: the JVM would
 * warn about it on every start).
 */
class LauncherFlagsTest {

    static List<String> needed() {
        List<String> out = new ArrayList<>();
        for (String o : JavaModuleOptions.defaultModuleOptionArray()) {
            if (o.startsWith("--add-opens=")) {
                String[] mp = o.substring("--add-opens=".length()).split("[/=]");
                var mod = ModuleLayer.boot().findModule(mp[0]);
                if (mod.isEmpty() || !mod.get().getPackages().contains(mp[1])) continue;
            }
            out.add(o);
        }
        return out;
    }

    @Test
    void launcherPassesSparksModuleOptions() throws IOException {
        String launcher = Files.readString(Path.of("../geomend"));
        String spark = launcher.substring(launcher.indexOf("if [ \"${1:-}\" = spark ]"));
        List<String> missing = new ArrayList<>();
        for (String o : needed()) if (!spark.contains(o + " ") && !spark.contains(o + "\n")) missing.add(o);
        assertEquals(List.of(), missing, "options of JavaModuleOptions missing in ./geomend's spark branch");
    }

    @Test
    void testJvmHasThem() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<String> missing = new ArrayList<>();
        for (String o : needed()) if (!args.contains(o)) missing.add(o);
        assertEquals(List.of(), missing, "options of JavaModuleOptions missing in the surefire argLine");
    }
}
