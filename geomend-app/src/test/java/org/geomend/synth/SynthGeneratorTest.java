package org.geomend.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.geomend.io.Site;
import org.geomend.kernels.GridSpec;
import org.junit.jupiter.api.Test;

/** The generator end to end on a tiny city (64 x 64 windows), fast. */
class SynthGeneratorTest {

    static SynthParams tiny() {
        double[] c = SynthParams.slot(0);
        return SynthParams.small()
                .withWindow(64)
                .withCities(List.of(new SynthParams.CitySpec("tiny", c[0], c[1], 1_000, 2_500, 4_000)));
    }

    static MemorySink generate(SynthParams p, long seed, int threads) throws IOException {
        SynthGenerator g = new SynthGenerator(p, seed, threads, null);
        MemorySink sink = new MemorySink();
        g.maps(g.layout(), sink);
        return sink;
    }

    @Test
    void layoutHasAllClassesAndRealisticSpacing() {
        SynthGenerator.Layout l = new SynthGenerator(SynthParams.small(), 1, 1, null).layout();
        int[] n = new int[3];
        for (SynthSite s : l.sites()) if (s.target()) n[s.env().ordinal()]++;
        assertTrue(n[0] > 20 && n[1] > 10 && n[2] > 5, java.util.Arrays.toString(n));
        assertTrue(l.targets() > 100 && l.targets() < 600, "targets " + l.targets());
        // median nearest-neighbour distance of urban sites in the ISD range 200-600 m
        List<Double> nn = new ArrayList<>();
        for (SynthSite s : l.sites()) {
            if (s.env() != Env.URBAN) continue;
            double best = Double.MAX_VALUE;
            for (SynthSite o : l.sites()) if (o != s) best = Math.min(best, Math.hypot(o.x() - s.x(), o.y() - s.y()));
            nn.add(best);
        }
        nn.sort(null);
        double med = nn.get(nn.size() / 2);
        assertTrue(med > 200 && med < 600, "urban median NN " + med);
        for (SynthSite s : l.sites()) {
            assertTrue(s.sectors() >= 1 && s.sectors() <= 3);
            assertTrue(s.height() >= 6 && s.height() <= 60);
        }
    }

    @Test
    void mapsSumToOneAndAssociationAtMostOne() throws IOException {
        SynthParams p = tiny();
        SynthGenerator g = new SynthGenerator(p, 5, 2, null);
        SynthGenerator.Layout l = g.layout();
        Association a = new Association(p, 5, l.sites());
        int[] owners = l.regions().get(0);
        Association.Region reg = a.compute(a.rasterFor(owners), 0, 2);
        int covered = 0;
        for (int pix = 0; pix < reg.count().length; pix++) {
            double s = 0;
            for (int e = 0; e < reg.count()[pix]; e++) {
                float v = reg.prob()[pix * reg.n() + e];
                assertTrue(v >= 0 && v <= 1);
                s += v;
            }
            assertTrue(s <= 1 + 1e-5, "pixel " + pix + " sums to " + s);
            if (reg.count()[pix] > 0) covered++;
        }
        assertTrue(covered > reg.count().length / 2);
        MemorySink sink = new MemorySink();
        SynthGenerator.Stats st = g.maps(l, sink);
        assertEquals(l.targets(), sink.maps.size());
        assertEquals(0, st.emptyMaps());
        for (var e : sink.maps.entrySet()) {
            double s = 0;
            for (float v : e.getValue().values()) {
                assertTrue(v >= 0);
                s += v;
            }
            assertEquals(1.0, s, 1e-5, e.getKey());
            SynthSite site = l.sites().stream()
                    .filter(x -> x.id().equals(e.getKey()))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    GridSpec.window(site.x(), site.y(), 64, 100), e.getValue().grid());
        }
    }

    @Test
    void deterministicForASeedWhateverTheThreads() throws IOException {
        MemorySink a = generate(tiny(), 11, 1), b = generate(tiny(), 11, 2), c = generate(tiny(), 12, 2);
        assertEquals(a.maps.keySet(), b.maps.keySet());
        for (String id : a.maps.keySet())
            assertArrayEquals(a.maps.get(id).values(), b.maps.get(id).values(), id);
        boolean differs = !a.maps.keySet().equals(c.maps.keySet());
        if (!differs)
            for (String id : a.maps.keySet())
                if (!java.util.Arrays.equals(
                        a.maps.get(id).values(), c.maps.get(id).values())) differs = true;
        assertTrue(differs);
    }

    @Test
    void hysteresisAndPrioritiesKeepProbabilities() {
        // no fading: best server; P(i|l) is still a distribution over sites
        SynthParams t = tiny();
        SynthParams p = new SynthParams(
                t.preset(),
                t.profile(),
                t.window(),
                t.resolution(),
                t.ueHeight(),
                t.floorDbm(),
                4,
                30,
                false,
                0,
                3,
                2,
                0.5,
                100,
                2,
                20_000,
                1_000,
                10_000,
                100,
                t.antenna(),
                t.layers(),
                t.urban(),
                t.suburban(),
                t.rural(),
                t.cities(),
                t.tileM(),
                800,
                2500,
                3);
        SynthGenerator.Layout l = new SynthGenerator(p, 3, 1, null).layout();
        Association a = new Association(p, 3, l.sites());
        Association.Region reg = a.compute(a.rasterFor(l.regions().get(0)), 0, 1);
        for (int pix = 0; pix < reg.count().length; pix++) {
            double s = 0;
            for (int e = 0; e < reg.count()[pix]; e++) s += reg.prob()[pix * reg.n() + e];
            assertTrue(reg.count()[pix] == 0 || Math.abs(s - 1) < 1e-5);
        }
    }

    @Test
    void profiles() {
        SynthParams c = SynthParams.paper(), l = c.withProfile(SynthParams.LITERATURE);
        assertEquals(SynthParams.CALIBRATED, c.profile());
        assertEquals(SynthParams.LITERATURE, l.profile());
        // the literature profile changes exactly three things
        assertEquals(18.0, c.locationSigmaDb());
        assertEquals(6.0, l.locationSigmaDb());
        assertEquals(Antenna.TR38901, c.antenna());
        assertEquals(Antenna.TR36814, l.antenna());
        assertEquals(SynthParams.GUDMUNDSON_DCORR_M, l.suburban().dcorrM());
        assertEquals(SynthParams.GUDMUNDSON_DCORR_M, l.rural().dcorrM());
        assertEquals(c.urban().dcorrM(), l.urban().dcorrM());
        assertEquals(c.floorDbm(), l.floorDbm());
        assertEquals(c.nStrongest(), l.nStrongest());
        assertEquals(c.cities(), l.cities());
        assertEquals(c.suburban().isdM(), l.suburban().isdM());
        assertTrue(c.suburban().dcorrM() < 200 && c.rural().dcorrM() < 200);
        // and back
        SynthParams b = l.withWindow(64).withProfile(SynthParams.CALIBRATED);
        assertEquals(18.0, b.locationSigmaDb());
        assertEquals(64, b.window());
        assertEquals(c.rural().dcorrM(), b.rural().dcorrM());
        assertThrows(IllegalArgumentException.class, () -> c.withProfile("best"));
    }

    @Test
    void given() {
        List<Site> s = List.of(
                new Site("a", 0, 0, "rural", null, 2),
                new Site("b", 300, 0, null, null, 3),
                new Site("c", 0, 300, null, null, 4),
                new Site("d", 300, 300, null, null, 5));
        SynthGenerator.Layout l = new SynthGenerator(SynthParams.small(), 1, 1, null).layout(s, "EPSG:2154");
        assertEquals(Env.RURAL, l.sites().get(0).env());
        assertEquals(Env.URBAN, l.sites().get(1).env());
        assertFalse(l.regions().isEmpty());
    }

    /** sites.csv coordinates read back bit for bit (windows are floor((x - W r / 2) / r): the last bit matters), never in exponent form. */
    @Test
    void sitePositionsAreWrittenExactly() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int t = 0; t < 10_000; t++) {
            double v = t % 3 == 0 ? r.nextDouble(2e7) : t % 3 == 1 ? 600_000 + r.nextDouble(1000) : r.nextDouble(-1, 1);
            String txt = SynthGenerator.exact(v);
            assertEquals(v, Double.parseDouble(txt), 0.0, txt);
            assertTrue(!txt.contains("E") && !txt.contains("e"), txt);
        }
    }
}
