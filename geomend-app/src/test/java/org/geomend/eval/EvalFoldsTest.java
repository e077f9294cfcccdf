package org.geomend.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.geomend.dataset.Dataset;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.java.JavaKernels;
import org.junit.jupiter.api.Test;

/** The fold logic, and the path a trained method (a later issue's) takes through the harness. */
class EvalFoldsTest {

    @Test
    void cv5IsASeededPartition() throws IOException {
        Dataset d = Dataset.load(EvalTestData.dataset());
        List<Split.Fold> a = Split.CV5.folds(d, 1), b = Split.CV5.folds(d, 1), c = Split.CV5.folds(d, 2);
        assertEquals(5, a.size());
        Set<Integer> seen = new HashSet<>();
        for (int f = 0; f < 5; f++) {
            assertArrayEquals(a.get(f).test(), b.get(f).test(), "same seed, same folds");
            for (int s : a.get(f).test()) assertTrue(seen.add(s), "site in two test folds");
            Set<Integer> train = new HashSet<>();
            for (int s : a.get(f).train()) train.add(s);
            for (int s : a.get(f).test()) assertFalse(train.contains(s));
            assertEquals(d.tested().length, a.get(f).train().length + a.get(f).test().length);
        }
        assertEquals(d.tested().length, seen.size());
        boolean differs = false;
        for (int f = 0; f < 5; f++)
            differs |= !Arrays.equals(a.get(f).test(), c.get(f).test());
        assertTrue(differs, "another seed gives other folds");
    }

    @Test
    void looFoldsHoldOneGroupEach() throws IOException {
        Dataset d = Dataset.load(EvalTestData.dataset());
        for (Split sp : List.of(Split.LOO_CITY, Split.LOO_ENV))
            for (Split.Fold f : sp.folds(d, 1)) {
                for (int s : f.test()) assertEquals(f.name(), sp.group(d, s));
                for (int s : f.train()) assertFalse(f.name().equals(sp.group(d, s)));
            }
    }

    /** A stand-in trained method: records what it was fitted on, draws Voronoi. */
    static final class Recording implements EvalMethod {
        final EvalMethod voronoi = new ClosedFormMethod("voronoi", ClosedFormMethod.Kind.VORONOI, 0, 5);
        final List<int[]> fits = new ArrayList<>();
        Set<Integer> lastTrain = Set.of();
        int drawnAfterFit;

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public boolean trained() {
            return true;
        }

        @Override
        public void fit(Dataset data, int[] train) {
            fits.add(train.clone());
            lastTrain = new HashSet<>();
            for (int s : train) lastTrain.add(s);
        }

        @Override
        public void draw(Chunk chunk, MapOut out) throws IOException {
            for (int m = 0; m < chunk.size(); m++)
                if (lastTrain.contains(chunk.site(m)))
                    throw new AssertionError("test site " + chunk.site(m) + " was in the training set");
            drawnAfterFit += chunk.size();
            voronoi.draw(chunk, out);
        }
    }

    @Test
    void trainedMethodsAreFittedPerFoldAndTestedOnUnseenSites() throws IOException {
        Dataset d = Dataset.load(EvalTestData.dataset());
        Recording rec = new Recording();
        EvalMethod vor = new ClosedFormMethod("voronoi", ClosedFormMethod.Kind.VORONOI, 0, 5);
        try (JavaKernels k = new JavaKernels(2)) {
            Evaluator.Results r =
                    new Evaluator(d, k, 5, null, null).run(List.of(vor, rec), List.of(Split.CV5, Split.LOO_CITY), 7);
            assertEquals(5 + 2, rec.fits.size(), "one fit per fold of each split");
            assertEquals(2 * d.tested().length, rec.drawnAfterFit, "each tested site drawn once per split");
            for (int s = 0; s < 2; s++)
                for (int p = 0; p < r.tested().length; p++) {
                    assertEquals(r.ks2()[s][0][p], r.ks2()[s][1][p], 0.0, "same maps, same KS2");
                    assertFalse(Double.isNaN(r.ks2()[s][1][p]));
                }
        }
    }

    @Test
    void chunksKeepOrderSizeAndNeverSpanTwoCities() throws IOException {
        Dataset d = Dataset.load(EvalTestData.dataset());
        try (JavaKernels k = new JavaKernels(1)) {
            Evaluator ev = new Evaluator(d, k, 6, null, null);
            List<int[]> chunks = ev.chunks(d.tested());
            int[] flat = chunks.stream().flatMapToInt(Arrays::stream).toArray();
            assertArrayEquals(d.tested(), flat, "chunks cover the sites in order");
            long limit = Evaluator.MAX_UNION_WINDOWS * (long) d.window() * d.window();
            for (int[] c : chunks) {
                assertTrue(c.length >= 1 && c.length <= 6);
                GridSpec u = new Chunk(d, c, k, null, null).unionOfWindows();
                assertTrue(c.length == 1 || u.pixels() <= limit, "union " + u);
                Set<String> cities = new HashSet<>();
                for (int s : c) cities.add(d.city(s));
                assertEquals(1, cities.size(), "the two cities are 150 km apart: " + cities);
            }
        }
    }
}
