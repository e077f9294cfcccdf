package org.geomend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.Set;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The cuDNN backend never picks an algorithm cuDNN documents as non-deterministic (backward data 0, backward filter 0
 * and 3), though its heuristics may rank one first: {@code NnKernels} promises bit-for-bit repeatable results. Runs
 * on a GPU with cuDNN, or on the CUDA emulator and its cuDNN stand-in (which ranks algorithm 0 first).
 */
class CudnnAlgorithmChoiceTest {

    @Test
    void everyChosenAlgorithmIsDeterministic() throws Exception {
        NnKernels k;
        try {
            k = new CudnnNnKernelsProvider().create();
        } catch (CudaUnavailableException e) {
            if (org.geomend.kernels.Setting.REQUIRE_CUDA.isOn())
                throw new AssertionError("GEOMEND_REQUIRE_CUDA=1 but " + e.getMessage(), e);
            assumeTrue(false, "cudnn backend unavailable: " + e.getMessage());
            return;
        }
        try (NnKernels nn = k;
                Tensor x = nn.allocate(2, 3, 9, 7);
                Tensor w = nn.allocate(4, 3, 3, 3);
                Tensor b = nn.allocate(4);
                Tensor y = nn.allocate(2, 4, 9, 7);
                Tensor dx = nn.allocate(2, 3, 9, 7);
                Tensor dw = nn.allocate(4, 3, 3, 3);
                Tensor db = nn.allocate(4)) {
            nn.fill(x, 0.5f);
            nn.fill(w, -0.25f);
            nn.fill(b, 0.125f);
            nn.conv2dForward(x, w, b, y);
            nn.conv2dBackwardData(y, w, dx);
            nn.conv2dBackwardFilter(x, y, dw, db);
            Map<CudnnConvolutions.Shape, String> chosen = ((CudaNnKernels) nn).cudnnAlgorithms();
            assertEquals(1, chosen.size(), chosen.toString());
            String a = chosen.values().iterator().next(); // "fwd=F data=D filter=W"
            int data = Integer.parseInt(a.replaceAll(".*data=(-?\\d+).*", "$1"));
            int filter = Integer.parseInt(a.replaceAll(".*filter=(-?\\d+).*", "$1"));
            assertTrue(data >= 0 && filter >= 0, a);
            assertFalse(data == 0, "backward data algorithm 0 is non-deterministic: " + a);
            assertFalse(
                    Set.of(0, 3).contains(filter), "backward filter algorithms 0 and 3 are non-deterministic: " + a);
        }
    }
}
