package org.geomend.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.geomend.dataset.Dataset;
import org.geomend.kernels.GridSpec;
import org.geomend.report.Plots;

/**
 * Copies of the maps of a few chosen sites (ground truth and every method), kept for the side-by-side figures
 * (DeepMEND Fig. 1 and 9). Bounded: {@code sites x (methods + 1)} maps.
 */
public final class SampleMaps {

    /** One method's map of a sample site. */
    public record Drawn(String method, float[] values, double ks2, double param) {}

    /** A sample site: its ground truth and the methods' maps, in the order they arrived. */
    public record Sample(String id, GridSpec grid, float[] truth, List<Drawn> drawn) {

        /** The figure's panels: the ground truth, then each method's map titled with its parameter and KS2. */
        public List<Plots.Panel> panels() {
            List<Plots.Panel> panels = new ArrayList<>();
            panels.add(new Plots.Panel("ground truth", truth));
            for (Drawn d : drawn)
                panels.add(new Plots.Panel(
                        d.method()
                                + (Double.isNaN(d.param()) ? "" : String.format(Locale.ROOT, " β=%.2f", d.param()))
                                + String.format(Locale.ROOT, "  KS2 %.3f", d.ks2()),
                        d.values()));
            return panels;
        }
    }

    private final LinkedHashSet<String> ids;
    private final Map<String, Sample> got = new LinkedHashMap<>();

    public SampleMaps(List<String> ids) {
        this.ids = new LinkedHashSet<>(ids);
    }

    /** {@code perClass} tested sites of each urbanisation class, drawn by a seeded shuffle. */
    public static SampleMaps choose(Dataset d, int perClass, long seed) {
        List<String> out = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5eedL);
        for (String cls : Dataset.CLASSES) {
            List<Integer> c = new ArrayList<>();
            for (int s : d.tested()) if (d.env(s).equals(cls)) c.add(s);
            c.sort(null);
            for (int i = c.size() - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                Integer t = c.get(i);
                c.set(i, c.get(j));
                c.set(j, t);
            }
            for (int i = 0; i < Math.min(perClass, c.size()); i++) out.add(d.id(c.get(i)));
        }
        return new SampleMaps(out);
    }

    public boolean wants(String id) {
        return ids.contains(id);
    }

    synchronized void truth(String id, GridSpec grid, float[] values) {
        got.putIfAbsent(id, new Sample(id, grid, values, new ArrayList<>()));
    }

    synchronized void map(String id, String method, float[] values, double ks2, double param) {
        Sample s = got.get(id);
        if (s == null) return;
        for (Drawn d : s.drawn()) if (d.method().equals(method)) return;
        s.drawn().add(new Drawn(method, values, ks2, param));
    }

    /** The samples collected, in the order asked for. */
    public List<Sample> samples() {
        List<Sample> out = new ArrayList<>();
        for (String id : ids) if (got.containsKey(id)) out.add(got.get(id));
        return out;
    }
}
