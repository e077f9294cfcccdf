package org.geomend.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local-cluster[2,1,1024]}: a standalone master and two workers in this JVM, each executor a separate JVM
 * launched by Spark's worker (classpath: the Spark jars of {@code target/lib} through a minimal {@code SPARK_HOME},
 * plus this test JVM's classpath for geomend). {@code nbl-build} there, with its input split over several tasks,
 * writes the map of {@code nbl build --threads 1} byte for byte.
 */
class LocalClusterTest {

    @TempDir
    static Path dir;

    @AfterAll
    static void stop() {
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    @Test
    void separateExecutorJvmsBuildTheSameMap() throws IOException {
        String home = System.getenv("SPARK_HOME");
        assertTrue(home != null, "SPARK_HOME is set by the pom");
        Path h = Path.of(home), lib = Path.of("target", "lib").toAbsolutePath();
        assertTrue(Files.isDirectory(lib), lib + " (copied before the tests)");
        Files.createDirectories(h);
        if (!Files.exists(h.resolve("RELEASE"))) Files.writeString(h.resolve("RELEASE"), "geomend test SPARK_HOME\n");
        if (!Files.exists(h.resolve("jars"))) Files.createSymbolicLink(h.resolve("jars"), lib);
        stop(); // the session of the other tests is local[2]
        System.setProperty("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        System.setProperty(
                "spark.executor.extraJavaOptions",
                "--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dgeomend.memory.strict=true");
        try {
            NblJobsTest.dir = dir; // NblJobsTest's generated measurements, written here
            NblJobsTest.data();
            Path single = NblJobsTest.dir.resolve("lc.nbl"), out = NblJobsTest.dir.resolve("lc-map");
            assertEquals(
                    0,
                    NblJobsTest.geomend(
                                    "nbl",
                                    "build",
                                    "--threads",
                                    "1",
                                    "--measurements",
                                    NblJobsTest.a.toString(),
                                    "--out",
                                    single.toString())
                            .code());
            NblJobsTest.Run run = NblJobsTest.capture(() -> SparkMain.execute(
                    "nbl-build",
                    "--master",
                    "local-cluster[2,1,1024]",
                    "--measurements",
                    NblJobsTest.a.toString(),
                    "--split-size",
                    "16000",
                    "--out",
                    out.toString()));
            assertEquals(0, run.code(), run.err());
            assertEquals(
                    "local-cluster[2,1,1024]",
                    SparkSession.active().sparkContext().master());
            assertTrue(
                    SparkSession.active()
                                    .sparkContext()
                                    .getExecutorMemoryStatus()
                                    .size()
                            >= 2,
                    "executors besides the driver");
            assertArrayEquals(Files.readAllBytes(single), Files.readAllBytes(out.resolve("map.nbl")));
        } finally {
            System.clearProperty("spark.executor.extraClassPath");
            System.clearProperty("spark.executor.extraJavaOptions");
            stop();
        }
    }
}
