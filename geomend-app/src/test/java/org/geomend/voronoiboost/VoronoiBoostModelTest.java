package org.geomend.voronoiboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.geomend.io.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The regressor: it learns, it survives a save/load round trip bit for bit, and the monotone post-processing. */
class VoronoiBoostModelTest {

    @TempDir Path tmp;

    /** Sites with random features; the true scale is (1 + 2 tau) * f0 + f12 / 1000. */
    static TrainingSet synthetic(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        TrainingSet t = new TrainingSet();
        for (int i = 0; i < n; i++) {
            double[] f = new double[CellFeatures.COUNT];
            for (int j = 0; j < f.length; j++) f[j] = 0.5 + r.nextDouble();
            f[12] = 200 + 800 * r.nextDouble();
            double[] s = new double[VoronoiBoostModel.TAUS.length];
            for (int k = 0; k < s.length; k++) s[k] = (1 + 2 * VoronoiBoostModel.TAUS[k]) * f[0] + f[12] / 1000;
            t.add(f, VoronoiBoostModel.TAUS, s);
        }
        return t;
    }

    static VoronoiBoostModel train(TrainingSet t) {
        return VoronoiBoostModel.fit(t.x(), t.y(), VoronoiBoostModel.TAUS, VoronoiBoostModel.Settings.defaults(),
                new VoronoiBoostModel.Hyper(120, 6, 32, 3, 0.1, 0.8, 5), Map.of("source", "test"));
    }

    @Test void learnsAndRoundTrips() throws Exception {
        VoronoiBoostModel m = train(synthetic(400, 1));
        TrainingSet test = synthetic(50, 2);
        double[][] feats = new double[50][];
        double[][] x = test.x();
        for (int i = 0; i < 50; i++) feats[i] = java.util.Arrays.copyOfRange(x[i * 5], 1, 1 + CellFeatures.COUNT);
        double[][] p = m.predict(feats);
        double[] y = test.y();
        double err = 0;
        for (int i = 0; i < 50; i++) for (int k = 0; k < 5; k++) err += Math.abs(p[i][k] - y[i * 5 + k]) / y[i * 5 + k];
        assertTrue(err / 250 < 0.1, "mean relative error " + err / 250);

        Path f = tmp.resolve("sub/model.vb");
        m.save(f);
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temporary file left");
        }
        VoronoiBoostModel back = VoronoiBoostModel.load(f);
        double[][] q = back.predict(feats);
        for (int i = 0; i < 50; i++) assertArrayEquals(p[i], q[i], 0.0);
        assertEquals(m.settings(), back.settings());
        assertEquals(m.hyper(), back.hyper());
        assertArrayEquals(m.taus(), back.taus());
        assertEquals("test", back.info().get("source"));
        assertEquals("2000", back.info().get("rows"));
    }

    @Test void loadRefusesOtherFiles() throws Exception {
        Path junk = tmp.resolve("junk.vb");
        Files.writeString(junk, "id,x,y\n");
        InputException e = assertThrows(InputException.class, () -> VoronoiBoostModel.load(junk));
        assertTrue(e.getMessage().startsWith(junk.toString()), e.getMessage());
    }

    @Test void monotonePostProcessing() {
        double[] t = VoronoiBoostModel.TAUS;
        VoronoiBoostModel.Kept k = VoronoiBoostModel.monotone(t, new double[] {1, 2, 3, 2.5, 4});
        assertArrayEquals(new double[] {0.25, 0.5, 0.85, 0.95}, k.taus());
        assertArrayEquals(new double[] {1, 2, 2.5, 4}, k.scales());
        // the published code would keep 0.75 here (3.5 < 4, the dropped neighbour); we compare with the last kept
        k = VoronoiBoostModel.monotone(t, new double[] {1, 2, 3.5, 4, 3});
        assertArrayEquals(new double[] {0.25, 0.5, 0.95}, k.taus());
        k = VoronoiBoostModel.monotone(t, new double[] {0.8, 1.1, 1.5, 1.9, 2.6});
        assertTrue(k.all(5));
        k = VoronoiBoostModel.monotone(t, new double[] {-1, -1, -1, -1, -0.5});
        assertArrayEquals(new double[] {1}, k.taus());
        assertArrayEquals(new double[] {1}, k.scales());
    }
}
