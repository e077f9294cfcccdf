package org.geomend.synth;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.geomend.kernels.GridSpec;

/**
 * The resident population density {@code rho(l)} (residents per km^2) of the synthetic operator's territory, at
 * every pixel centre, and the environment (urban, suburban, rural) its residents' activity profile follows; see
 * {@link SynthParams.Traffic} for the model and its sources.
 *
 * <p><b>Generated cities.</b> The ring of the pixel centre's distance {@code d} to the city centre gives the env
 * (urban core, suburban ring, rural ring; the context ring beyond is rural too) and {@code rho = rho_env exp(-(d -
 * d_env) / L_env) * exp(sigma Z - sigma^2 / 2)}. <b>Given positions</b> ({@code synth --sites}): there is no centre;
 * the env is that of the nearest site (ties: the lower site index) and {@code rho = rho_env * exp(sigma Z - sigma^2 /
 * 2)}, {@code rho_env} the ring's inner-edge density.
 *
 * <p>{@code Z} is a pure function of the seed and the position on the ground (interpolated between lattice nodes
 * keyed by {@link Seeds#POPULATION}), so the same pixel gets the same density in every region raster that holds it,
 * whatever the thread count.
 */
public final class PopulationField {

    private final SynthParams.Traffic tp;
    private final long keyA, keyB;
    private final Map<String, SynthParams.CitySpec> cities = new HashMap<>();
    private final Nearest nearest;

    public PopulationField(SynthParams p, SynthParams.Traffic tp, long seed, List<SynthSite> sites) {
        this.tp = tp;
        this.keyA = Seeds.key(seed, Seeds.POPULATION, 0);
        this.keyB = Seeds.key(seed, Seeds.POPULATION, 1);
        for (SynthParams.CitySpec c : p.cities()) cities.put(c.name(), c);
        this.nearest = p.cities().isEmpty() ? new Nearest(sites, 2_000) : null;
    }

    /** The generated city region {@code name} stands for, or null (given positions). */
    public SynthParams.CitySpec city(String name) {
        return cities.get(name);
    }

    /** A N(0,1) value at lattice node (i, j) (Box-Muller on two counter-based uniforms). */
    private double node(long i, long j) {
        double u = 1 - Seeds.uniform(keyA, i, j), v = Seeds.uniform(keyB, i, j);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * The unit-variance noise field at (x, y): bilinear weights {@code w} of the four surrounding nodes, {@code Z =
     * sum w_k g_k / sqrt(sum w_k^2)} (exactly unit variance at every point, continuous).
     */
    public double noise(double x, double y) {
        double gx = x / tp.noiseCellM(), gy = y / tp.noiseCellM();
        long i = (long) Math.floor(gx), j = (long) Math.floor(gy);
        double fx = gx - i, fy = gy - j;
        double w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        double z = w00 * node(i, j) + w10 * node(i + 1, j) + w01 * node(i, j + 1) + w11 * node(i + 1, j + 1);
        return z / Math.sqrt(w00 * w00 + w10 * w10 + w01 * w01 + w11 * w11);
    }

    /** The log-normal factor of the density at (x, y), mean 1. */
    public double factor(double x, double y) {
        double s = tp.noiseSigma();
        return s == 0 ? 1 : Math.exp(s * noise(x, y) - 0.5 * s * s);
    }

    /** Env of a point of generated city {@code c}: by ring of its distance to the centre. */
    public static Env ring(SynthParams.CitySpec c, double d) {
        return d < c.urbanRadiusM() ? Env.URBAN : d < c.suburbanRadiusM() ? Env.SUBURBAN : Env.RURAL;
    }

    /** Env at (x, y): the ring of city {@code c}, or (c null) the env of the nearest site. */
    public Env env(SynthParams.CitySpec c, double x, double y) {
        return c != null ? ring(c, Math.hypot(x - c.cx(), y - c.cy())) : nearest.env(x, y);
    }

    /** Residents per km^2 at (x, y) ({@code c} as for {@link #env}). */
    public double density(SynthParams.CitySpec c, double x, double y) {
        double base;
        if (c != null) {
            double d = Math.hypot(x - c.cx(), y - c.cy());
            Env e = ring(c, d);
            double inner = switch (e) {
                case URBAN -> 0;
                case SUBURBAN -> c.urbanRadiusM();
                case RURAL -> c.suburbanRadiusM();
            };
            base = tp.ringDensity(e, d - inner);
        } else {
            base = tp.ringDensity(nearest.env(x, y), 0);
        }
        return base * factor(x, y);
    }

    /**
     * Fills, for every pixel of {@code raster} (row-major, row 0 south), {@code users} with the operator's subscribers
     * living there ({@code rho * pixel area in km^2 * market share}) and {@code env} with the ordinal of its env.
     */
    public void fill(GridSpec raster, SynthParams.CitySpec c, float[] users, byte[] env) {
        double areaKm2 = raster.resolution() * raster.resolution() / 1e6, share = tp.marketShare();
        int W = raster.width(), H = raster.height();
        for (int r = 0; r < H; r++) {
            double y = raster.centreY(r);
            for (int col = 0; col < W; col++) {
                double x = raster.centreX(col);
                int k = r * W + col;
                users[k] = (float) (density(c, x, y) * areaKm2 * share);
                env[k] = (byte) env(c, x, y).ordinal();
            }
        }
    }

    /** Nearest site by buckets of {@code cell} metres, searched in growing square rings. */
    static final class Nearest {
        private final double cell;
        private final Map<Long, int[]> buckets = new HashMap<>();
        private final double[] x, y;
        private final Env[] env;

        Nearest(List<SynthSite> sites, double cell) {
            this.cell = cell;
            int n = sites.size();
            x = new double[n];
            y = new double[n];
            env = new Env[n];
            Map<Long, int[]> grow = new HashMap<>();
            Map<Long, Integer> fill = new HashMap<>();
            for (int i = 0; i < n; i++) {
                SynthSite s = sites.get(i);
                x[i] = s.x();
                y[i] = s.y();
                env[i] = s.env();
                long k = key(
                        Math.floorDiv((long) Math.floor(x[i]), (long) cell),
                        Math.floorDiv((long) Math.floor(y[i]), (long) cell));
                int[] b = grow.get(k);
                int m = fill.getOrDefault(k, 0);
                if (b == null) b = new int[4];
                else if (m == b.length) b = java.util.Arrays.copyOf(b, 2 * m);
                b[m] = i;
                grow.put(k, b);
                fill.put(k, m + 1);
            }
            grow.forEach((k, b) -> buckets.put(k, java.util.Arrays.copyOf(b, fill.get(k))));
        }

        private double dist(int i, double px, double py) {
            return (x[i] - px) * (x[i] - px) + (y[i] - py) * (y[i] - py);
        }

        /** The better of {@code best} (squared distance {@code bd}) and the sites of bucket (bx, by). */
        private int scan(long bx, long by, double px, double py, int best, double bd) {
            int[] b = buckets.get(key(bx, by));
            if (b == null) return best;
            for (int i : b) {
                double d = dist(i, px, py);
                if (d < bd || (d == bd && i < best)) {
                    bd = d;
                    best = i;
                }
            }
            return best;
        }

        private static long key(long cx, long cy) {
            return (cx << 32) ^ (cy & 0xffffffffL);
        }

        Env env(double px, double py) {
            if (x.length == 0) return Env.RURAL;
            long cx = Math.floorDiv((long) Math.floor(px), (long) cell),
                    cy = Math.floorDiv((long) Math.floor(py), (long) cell);
            int best = -1;
            double bd = Double.POSITIVE_INFINITY;
            for (int k = 0; ; k++) {
                for (long t = -k; t <= k; t++) {
                    best = scan(cx + t, cy - k, px, py, best, bd);
                    if (best >= 0) bd = dist(best, px, py);
                    if (k == 0) break;
                    best = scan(cx + t, cy + k, px, py, best, bd);
                    if (best >= 0) bd = dist(best, px, py);
                    if (t == -k || t == k) continue;
                    best = scan(cx - k, cy + t, px, py, best, bd);
                    if (best >= 0) bd = dist(best, px, py);
                    best = scan(cx + k, cy + t, px, py, best, bd);
                    if (best >= 0) bd = dist(best, px, py);
                }
                // every site in ring k+1 or beyond is at least k cells away
                if (best >= 0 && Math.sqrt(bd) <= k * cell) return env[best];
            }
        }
    }
}
