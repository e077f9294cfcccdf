package org.geomend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where cuDNN is looked for, and the one-line errors when it is not there or not a library (no GPU needed). */
class CudnnLibraryTest {

    @Test
    void explicitVariableWinsAndAcceptsAFileOrItsDirectory(@TempDir Path dir) throws Exception {
        Path lib = Files.createFile(dir.resolve(CudnnLibrary.SONAME));
        assertEquals(
                lib, CudnnLibrary.find(Map.of("GEOMEND_CUDNN_LIB", lib.toString(), "LD_LIBRARY_PATH", "/nowhere"), ""));
        assertEquals(lib, CudnnLibrary.find(Map.of("GEOMEND_CUDNN_LIB", dir.toString()), ""));
        CudaUnavailableException e = assertThrows(
                CudaUnavailableException.class,
                () -> CudnnLibrary.find(
                        Map.of("GEOMEND_CUDNN_LIB", dir.resolve("missing").toString()), ""));
        assertTrue(e.getMessage().startsWith("GEOMEND_CUDNN_LIB="), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void searchOrderIsLibraryPathThenLdLibraryPathThenPipWheels(@TempDir Path dir) throws IOException {
        Path jlp = Files.createDirectories(dir.resolve("jlp")), ld = Files.createDirectories(dir.resolve("ld"));
        Path venv = dir.resolve("venv");
        Path wheel = Files.createDirectories(venv.resolve("lib/python3.12/site-packages/nvidia/cudnn/lib"));
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", ld.toString(), "VIRTUAL_ENV", venv.toString());
        List<Path> dirs = CudnnLibrary.searchDirectories(env, jlp.toString());
        assertEquals(jlp, dirs.get(0));
        assertEquals(ld, dirs.get(1));
        assertTrue(dirs.indexOf(wheel) > 1, dirs.toString());
        try {
            assertNullUnlessSystemHasOne(CudnnLibrary.find(env, jlp.toString()));
            Path inWheel = Files.createFile(wheel.resolve(CudnnLibrary.SONAME));
            assertEquals(inWheel, CudnnLibrary.find(env, jlp.toString()));
            Path inLd = Files.createFile(ld.resolve(CudnnLibrary.SONAME));
            assertEquals(inLd, CudnnLibrary.find(env, jlp.toString()));
        } catch (CudaUnavailableException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertNullUnlessSystemHasOne(Path found) {
        // nothing in the temporary directories yet: only a system-wide pip install could be found
        if (found != null) assertTrue(found.toString().contains("nvidia/cudnn/lib"), found.toString());
    }

    @Test
    void aFileThatIsNotALibraryFailsInOneLine(@TempDir Path dir) throws IOException {
        Path fake = Files.writeString(dir.resolve(CudnnLibrary.SONAME), "not an ELF file");
        CudaUnavailableException e = assertThrows(
                CudaUnavailableException.class,
                () -> CudnnLibrary.load(Map.of("GEOMEND_CUDNN_LIB", fake.toString()), ""));
        assertTrue(e.getMessage().startsWith("cannot load " + fake), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void versionNumbersReadAsCudnn9Does() {
        assertEquals("9.1.0", CudnnLibrary.versionString(90100));
        assertEquals("9.10.2", CudnnLibrary.versionString(91002));
    }

    @Test
    void perfStructMatchesTheHeader() {
        // int algo; int status; float time; size_t memory; int determinism; int mathType; int reserved[3]
        assertEquals(48, CudnnLibrary.ALGO_PERF.byteSize());
        assertEquals(
                CudnnLibrary.PERF_MEMORY,
                CudnnLibrary.ALGO_PERF.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("memory")));
        assertEquals(
                CudnnLibrary.PERF_MATH,
                CudnnLibrary.ALGO_PERF.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("mathType")));
    }
}
