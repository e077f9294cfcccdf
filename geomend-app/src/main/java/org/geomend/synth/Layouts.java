package org.geomend.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.geomend.io.Site;

/**
 * Site layouts: generated cities, or a given list of positions.
 *
 * <p><b>Generated cities.</b> Each {@link SynthParams.CitySpec} is an urban disk, a suburban ring and a
 * rural ring (sites with maps), then a rural context ring half a window wide (sites without maps, so that
 * every map window is filled with a realistic network). In each zone the number of sites is
 * {@code area / (sqrt(3)/2 ISD^2)} (the hexagonal-cell density of that ISD); positions come from
 * sequential inhibition (no two sites closer than {@code hardCoreFactor * ISD}) with clustering: a
 * share {@code clusterFraction} of candidates is drawn around cluster centres (Gaussian, sigma
 * {@code clusterSigmaIsd * ISD}; one centre per 8 sites: districts, villages), the rest uniformly.
 * Coordinates are Lambert-93 (EPSG:2154) metres: the cities are fictitious, centred on a 5 x 3 grid
 * 150 km apart inside mainland France's Lambert-93 extent.
 *
 * <p><b>Given positions.</b> Sites keep their id and position; a missing env is classified from local
 * site density: with {@code dbar} the mean distance to the {@code envNeighbours} (3) nearest other
 * sites, urban if {@code dbar < envUrbanMaxM} (800 m), suburban if {@code dbar < envSuburbanMaxM}
 * (2,500 m), else rural: the midpoints between the classes' typical ISDs (300-600 m, 1-2 km, 3-8 km).
 */
public final class Layouts {

    private Layouts() {}

    /** The sites of all cities of {@code p}, city after city. */
    public static List<SynthSite> cities(SynthParams p, long seed) {
        List<SynthSite> out = new ArrayList<>();
        for (int ci = 0; ci < p.cities().size(); ci++) {
            SynthParams.CitySpec c = p.cities().get(ci);
            SplittableRandom rnd = Seeds.stream(seed, Seeds.CITY, ci);
            List<double[]> pts = new ArrayList<>();
            double ctx = c.ruralRadiusM() + p.contextRingM();
            zone(pts, rnd, c, 0, c.urbanRadiusM(), p.urban(), Env.URBAN, true);
            zone(pts, rnd, c, c.urbanRadiusM(), c.suburbanRadiusM(), p.suburban(), Env.SUBURBAN, true);
            zone(pts, rnd, c, c.suburbanRadiusM(), c.ruralRadiusM(), p.rural(), Env.RURAL, true);
            zone(pts, rnd, c, c.ruralRadiusM(), ctx, p.rural(), Env.RURAL, false);
            int n = 0;
            for (double[] q : pts) {
                int idx = out.size();
                Env env = Env.values()[(int) q[2]];
                boolean target = q[3] > 0;
                String id = c.name() + (target ? "-" : "-x") + String.format("%04d", n++);
                out.add(equip(p, seed, idx, id, q[0], q[1], env, c.name(), target));
            }
        }
        return out;
    }

    private static void zone(
            List<double[]> pts,
            SplittableRandom rnd,
            SynthParams.CitySpec c,
            double r0,
            double r1,
            SynthParams.EnvParams e,
            Env env,
            boolean target) {
        double area = Math.PI * (r1 * r1 - r0 * r0);
        int n = (int) Math.round(area / (Math.sqrt(3) / 2 * e.isdM() * e.isdM()));
        if (n == 0) return;
        double hc = e.hardCoreFactor() * e.isdM();
        int nc = Math.max(1, n / 8);
        double[][] centres = new double[nc][];
        for (int k = 0; k < nc; k++) centres[k] = uniformIn(rnd, c, r0, r1);
        int placed = 0, start = pts.size();
        for (int attempt = 0; placed < n && attempt < 200 * n; attempt++) {
            double[] q;
            if (rnd.nextDouble() < e.clusterFraction()) {
                double[] cc = centres[rnd.nextInt(nc)];
                q = new double[] {
                    cc[0] + rnd.nextGaussian() * e.clusterSigmaIsd() * e.isdM(),
                    cc[1] + rnd.nextGaussian() * e.clusterSigmaIsd() * e.isdM()
                };
                double rr = Math.hypot(q[0] - c.cx(), q[1] - c.cy());
                if (rr < r0 || rr >= r1) continue;
            } else {
                q = uniformIn(rnd, c, r0, r1);
            }
            boolean ok = true;
            // hard core against this zone's sites, and half of it against the inner zones' sites
            for (int i = pts.size() - 1; i >= 0 && ok; i--) {
                double[] o = pts.get(i);
                double lim = i >= start ? hc : 0.5 * hc;
                double dx = o[0] - q[0], dy = o[1] - q[1];
                if (dx * dx + dy * dy < lim * lim) ok = false;
            }
            if (!ok) continue;
            pts.add(new double[] {q[0], q[1], env.ordinal(), target ? 1 : 0});
            placed++;
        }
    }

    private static double[] uniformIn(SplittableRandom rnd, SynthParams.CitySpec c, double r0, double r1) {
        double r = Math.sqrt(r0 * r0 + rnd.nextDouble() * (r1 * r1 - r0 * r0)), a = rnd.nextDouble() * 2 * Math.PI;
        return new double[] {c.cx() + r * Math.cos(a), c.cy() + r * Math.sin(a)};
    }

    /** Sectors, antenna and radio parameters of one site, from its own stream. */
    static SynthSite equip(
            SynthParams p, long seed, int index, String id, double x, double y, Env env, String city, boolean target) {
        SplittableRandom rnd = Seeds.stream(seed, Seeds.EQUIP, index);
        SynthParams.EnvParams e = p.env(env);
        boolean micro = rnd.nextDouble() < e.microFraction();
        PathLossModel model = micro ? PathLossModel.UMI : e.model();
        int ns = 1 + pick(rnd, micro ? e.microSectorProbs() : e.sectorProbs());
        double az0 = rnd.nextDouble() * 360;
        double[] az = new double[ns];
        for (int k = 0; k < ns; k++) {
            double a = switch (ns) {
                case 3 -> az0 + 120 * k + (k == 0 ? 0 : rnd.nextGaussian() * 10);
                case 2 -> az0 + (k == 0 ? 0 : 180 + rnd.nextGaussian() * 20);
                default -> az0;
            };
            az[k] = ((a % 360) + 360) % 360;
        }
        double h = micro ? uni(rnd, e.microHMin(), e.microHMax()) : uni(rnd, e.hMin(), e.hMax());
        double tilt = micro ? uni(rnd, 0, 6) : uni(rnd, e.tiltMin(), e.tiltMax());
        double pw = micro
                ? uni(rnd, e.microPowerMinDbm(), e.microPowerMaxDbm())
                : uni(rnd, e.powerMinDbm(), e.powerMaxDbm());
        double epre = pw - 10 * Math.log10(12.0 * p.resourceBlocks());
        int layer = pick(rnd, e.layerProbs());
        return new SynthSite(
                index,
                id,
                x,
                y,
                env,
                city,
                target,
                model,
                h,
                tilt,
                epre,
                layer,
                micro ? e.microDcorrM() : e.dcorrM(),
                az);
    }

    private static double uni(SplittableRandom r, double a, double b) {
        return a + (b - a) * r.nextDouble();
    }

    private static int pick(SplittableRandom r, double[] probs) {
        double tot = Arrays.stream(probs).sum(), u = r.nextDouble() * tot;
        for (int i = 0; i < probs.length; i++) {
            u -= probs[i];
            if (u < 0) return i;
        }
        return probs.length - 1;
    }

    /** Given positions: sites in order, env from the file or classified by density, city = the tile name. */
    public static List<SynthSite> given(SynthParams p, long seed, List<Site> sites) {
        double[] x = new double[sites.size()], y = new double[sites.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = sites.get(i).x();
            y[i] = sites.get(i).y();
        }
        Env[] cls = classify(x, y, p.envNeighbours(), p.envUrbanMaxM(), p.envSuburbanMaxM());
        List<SynthSite> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            Site s = sites.get(i);
            Env env = Env.parse(s.env());
            if (env == null) env = cls[i];
            out.add(equip(p, seed, i, s.id(), x[i], y[i], env, tileName(p, x[i], y[i]), true));
        }
        return out;
    }

    static String tileName(SynthParams p, double x, double y) {
        return "tile_" + (long) Math.floor(x / p.tileM()) + "_" + (long) Math.floor(y / p.tileM());
    }

    /**
     * Env from local density: mean distance to the {@code k} nearest other sites below {@code urbanMax}:
     * urban; below {@code suburbanMax}: suburban; else rural. O(n log n) with a sort on x.
     */
    public static Env[] classify(double[] x, double[] y, int k, double urbanMax, double suburbanMax) {
        int n = x.length;
        Integer[] ord = new Integer[n];
        for (int i = 0; i < n; i++) ord[i] = i;
        Arrays.sort(ord, (a, b) -> Double.compare(x[a], x[b]));
        double[] sx = new double[n];
        for (int i = 0; i < n; i++) sx[i] = x[ord[i]];
        Env[] out = new Env[n];
        for (int oi = 0; oi < n; oi++) {
            int i = ord[oi];
            double[] best = new double[k];
            Arrays.fill(best, Double.POSITIVE_INFINITY);
            for (int dir = -1; dir <= 1; dir += 2) {
                for (int j = oi + dir; j >= 0 && j < n; j += dir) {
                    double dx = sx[j] - x[i];
                    if (dx * dx >= best[k - 1]) break;
                    int o = ord[j];
                    double d = dx * dx + (y[o] - y[i]) * (y[o] - y[i]);
                    if (d < best[k - 1]) {
                        int q = k - 1;
                        while (q > 0 && best[q - 1] > d) {
                            best[q] = best[q - 1];
                            q--;
                        }
                        best[q] = d;
                    }
                }
            }
            double sum = 0;
            int m = 0;
            for (double b : best)
                if (b < Double.POSITIVE_INFINITY) {
                    sum += Math.sqrt(b);
                    m++;
                }
            double mean = m == 0 ? Double.POSITIVE_INFINITY : sum / m;
            out[i] = mean < urbanMax ? Env.URBAN : mean < suburbanMax ? Env.SUBURBAN : Env.RURAL;
        }
        return out;
    }
}
