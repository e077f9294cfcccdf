package org.geomend.synth;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.geomend.kernels.GridSpec;

/**
 * The operator's association rule P(i|l), computed once per region raster (a raster covering every
 * map window of the region's sites).
 *
 * <p><b>Received power.</b> For every sector s of every candidate site and pixel centre l:
 * {@code RSRP = EPRE + G(phi, theta) - PL(d) - SF}, with {@link Antenna} gain, {@link PathLossModel}
 * path loss in the link's LOS/NLOS state and shadowing {@code SF = sigma_state * (sqrt(rho_c) Z_common(l)
 * + sqrt(1 - rho_c) Z_site(l))}: {@code Z_common} one {@link ShadowField} per region with decorrelation
 * {@code commonDcorrM}, {@code Z_site} one field per site over its candidate box with the site's
 * 38.901 decorrelation distance, {@code rho_c} the inter-site correlation (0.5). The LOS state is
 * LOS when a counter-based uniform of (site, pixel) is below the 38.901 LOS probability (within
 * {@code losMaxDistance*}); LOS decorrelation distances (38.901 Table 7.6.3.1-2: 50/50/60 m) are below
 * the 100 m pixel, so independent draws per pixel are used. Sectors below the sensitivity floor do not
 * serve; only the N strongest sectors of a pixel take part.
 *
 * <p><b>Priority table.</b> Sector s's selection metric is {@code M_s = RSRP_s + O_layer} when
 * {@code RSRP_s >= T_layer} (the layer's priority offset and threshold), else {@code RSRP_s}.
 *
 * <p><b>Fast fading.</b> Each sector's power is multiplied by an independent Exp(1) (Rayleigh) factor
 * and the UE picks the largest faded metric: with linear metrics {@code p_s} and rates {@code q = 1/p},
 * {@code P(s) = q_s sum over subsets u containing s of (-1)^{|u|-1} / sum_{j in u} q_j} (exact; the
 * same closed form as sPDI).
 *
 * <p><b>Location variability.</b> UEs of one 100 m pixel do not all see the pixel's mean power: sub-pixel shadowing
 * (38.901 decorrelation distances of 13-120 m are at or below the pixel) and outdoor-to-indoor loss spread each link's
 * power by a further {@code locationSigmaDb}, independently across sites. Fading plus this spread is modelled as Gumbel
 * noise on the log power, moment-matched to the total standard deviation, which makes the choice a logit
 * ({@link #logitProbs}, exponent {@link #logitExponent}); it replaces the exact Rayleigh rule when the sigma is above 0.
 *
 * <p><b>Hysteresis (soft margin).</b> A UE keeps its serving sector r until another is better by H dB;
 * averaged over where UEs came from, {@code P(s) = sum_r w_r P(s | p_r * 10^{H/10})}, where {@code w}
 * is the no-hysteresis association restricted to its M most likely sectors and renormalised (one step
 * of the serving-cell Markov chain from the memoryless association).
 *
 * <p>Sector probabilities are summed per site: {@code sum_i P(i|l) = 1} where some sector reaches the
 * floor, 0 elsewhere.
 */
public final class Association {

    /** Pixels per side of the blocks that share one candidate-site list. */
    static final int BLOCK = 16;

    /** The region raster and, per pixel, up to {@code n} (site, P(i|l)) entries. */
    public record Region(GridSpec raster, int n, int[] site, float[] prob, byte[] count) {

        public int entries(int pixel) {
            return count[pixel];
        }

        /** P(i|l) at raster pixel {@code pixel} for site {@code i} (0 when absent). */
        public double p(int pixel, int i) {
            for (int e = 0; e < count[pixel]; e++) if (site[pixel * n + e] == i) return prob[pixel * n + e];
            return 0;
        }
    }

    /** A site's candidate box on the global lattice (inclusive-exclusive columns/rows) and its own field. */
    record Box(long col0, long row0, int w, int h) {
        boolean contains(long c, long r) {
            return c >= col0 && r >= row0 && c < col0 + w && r < row0 + h;
        }
    }

    private final SynthParams p;
    private final long seed;
    private final List<SynthSite> sites;
    private final Box[] boxes;

    public Association(SynthParams p, long seed, List<SynthSite> sites) {
        this.p = p;
        this.seed = seed;
        this.sites = sites;
        this.boxes = new Box[sites.size()];
        double r = p.resolution();
        for (SynthSite s : sites) {
            double reach = reach(p, s);
            long c0 = GridSpec.latticeIndex(s.x() - reach, r), c1 = GridSpec.latticeIndex(s.x() + reach, r);
            long r0 = GridSpec.latticeIndex(s.y() - reach, r), r1 = GridSpec.latticeIndex(s.y() + reach, r);
            boxes[s.index()] = new Box(c0, r0, (int) (c1 - c0 + 1), (int) (r1 - r0 + 1));
        }
    }

    /** Radius (m) within which a site can reach the floor: NLOS path loss with +reachSigmas sigma shadowing, max gain. */
    static double reach(SynthParams p, SynthSite s) {
        double fc = p.layers().get(s.layer()).freqGHz();
        double budget = s.epreDbm() + p.antenna().gainDbi() - p.floorDbm() + p.reachSigmas() * s.model().sigmaNlos;
        double lo = 10, hi = p.maxReachM();
        if (s.model().nlos(hi, s.height(), p.ueHeight(), fc) <= budget) return hi;
        for (int it = 0; it < 50; it++) {
            double mid = 0.5 * (lo + hi);
            if (s.model().nlos(mid, s.height(), p.ueHeight(), fc) <= budget) lo = mid;
            else hi = mid;
        }
        return Math.max(hi, 2 * p.resolution());
    }

    /** The raster covering every {@code window x window} map window of {@code owners}. */
    public GridSpec rasterFor(int[] owners) {
        double r = p.resolution();
        long c0 = Long.MAX_VALUE, r0 = Long.MAX_VALUE, c1 = Long.MIN_VALUE, r1 = Long.MIN_VALUE;
        for (int i : owners) {
            GridSpec w = GridSpec.window(sites.get(i).x(), sites.get(i).y(), p.window(), r);
            c0 = Math.min(c0, w.latticeCol());
            r0 = Math.min(r0, w.latticeRow());
            c1 = Math.max(c1, w.latticeCol() + w.width());
            r1 = Math.max(r1, w.latticeRow() + w.height());
        }
        return new GridSpec(c0 * r, r0 * r, r, Math.toIntExact(c1 - c0), Math.toIntExact(r1 - r0));
    }

    /** Computes P(i|l) over {@code raster} with every site whose candidate box meets it; {@code regionIndex} seeds the common field. */
    public Region compute(GridSpec raster, int regionIndex, int threads) {
        final int W = raster.width(), H = raster.height(), N = p.nStrongest();
        final long lc0 = raster.latticeCol(), lr0 = raster.latticeRow();
        // participants and their own shadowing fields
        int[] part = IntStream.range(0, sites.size())
                .filter(i -> {
                    Box b = boxes[i];
                    return b.col0 < lc0 + W && b.col0 + b.w > lc0 && b.row0 < lr0 + H && b.row0 + b.h > lr0;
                })
                .toArray();
        short[][] fields = new short[sites.size()][];
        final double r = p.resolution();
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            pool.submit(() -> IntStream.of(part).parallel().forEach(i -> {
                        Box b = boxes[i];
                        float[] f = ShadowField.generate(
                                b.w,
                                b.h,
                                ShadowField.rho(sites.get(i).dcorrM(), r),
                                Seeds.stream(seed, Seeds.SITE_FIELD, i));
                        short[] s = new short[f.length];
                        for (int k = 0; k < f.length; k++) s[k] = Float.floatToFloat16(f[k]);
                        fields[i] = s;
                    }))
                    .join();
            float[] common = ShadowField.generate(
                    W, H, ShadowField.rho(p.commonDcorrM(), r), Seeds.stream(seed, Seeds.COMMON_FIELD, regionIndex));
            // candidate lists per block (CSR)
            int bw = (W + BLOCK - 1) / BLOCK, bh = (H + BLOCK - 1) / BLOCK;
            int[] cnt = new int[bw * bh + 1];
            for (int pass = 0; pass < 2; pass++) {
                int[] fill = pass == 1 ? new int[bw * bh] : null;
                int[] list = pass == 1 ? new int[cnt[bw * bh]] : null;
                for (int i : part) {
                    Box b = boxes[i];
                    int bc0 = (int) Math.max(0, (b.col0 - lc0) / BLOCK),
                            bc1 = (int) Math.min(bw - 1, Math.floorDiv(b.col0 + b.w - 1 - lc0, BLOCK));
                    int br0 = (int) Math.max(0, (b.row0 - lr0) / BLOCK),
                            br1 = (int) Math.min(bh - 1, Math.floorDiv(b.row0 + b.h - 1 - lr0, BLOCK));
                    for (int by = br0; by <= br1; by++)
                        for (int bx = bc0; bx <= bc1; bx++) {
                            int k = by * bw + bx;
                            if (pass == 0) cnt[k + 1]++;
                            else list[cnt[k] + fill[k]++] = i;
                        }
                }
                if (pass == 0) for (int k = 0; k < bw * bh; k++) cnt[k + 1] += cnt[k];
                else {
                    int[] lst = list;
                    int[] site = new int[W * H * N];
                    float[] prob = new float[W * H * N];
                    byte[] count = new byte[W * H];
                    pool.submit(() -> IntStream.range(0, bw * bh).parallel().forEach(k -> {
                                Worker wk = new Worker(N);
                                int bx = k % bw, by = k / bw;
                                for (int row = by * BLOCK; row < Math.min(H, by * BLOCK + BLOCK); row++)
                                    for (int col = bx * BLOCK; col < Math.min(W, bx * BLOCK + BLOCK); col++) {
                                        int pix = row * W + col;
                                        wk.pixel(
                                                raster,
                                                lc0 + col,
                                                lr0 + row,
                                                raster.centreX(col),
                                                raster.centreY(row),
                                                common[pix],
                                                lst,
                                                cnt[k],
                                                cnt[k + 1],
                                                fields);
                                        count[pix] = (byte) wk.outN;
                                        for (int e = 0; e < wk.outN; e++) {
                                            site[pix * N + e] = wk.outSite[e];
                                            prob[pix * N + e] = (float) wk.outP[e];
                                        }
                                    }
                            }))
                            .join();
                    return new Region(raster, N, site, prob, count);
                }
            }
            throw new AssertionError();
        } finally {
            pool.shutdown();
        }
    }

    /** Per-thread scratch for one pixel. */
    private final class Worker {
        final int n;
        final double[] val, met, lin, w, acc, tmp, q, sub;
        final int[] sSite, sLayer, outSite;
        final double[] outP;
        int outN;

        Worker(int n) {
            this.n = n;
            val = new double[n];
            met = new double[n];
            lin = new double[n];
            w = new double[n];
            acc = new double[n];
            tmp = new double[n];
            q = new double[n];
            sub = p.locationSigmaDb() > 0 && p.rayleigh() ? new double[0] : new double[1 << n];
            sSite = new int[n];
            sLayer = new int[n];
            outSite = new int[n];
            outP = new double[n];
        }

        void pixel(
                GridSpec g,
                long lc,
                long lr,
                double px,
                double py,
                float zc,
                int[] list,
                int from,
                int to,
                short[][] fields) {
            int m = 0;
            double floor = p.floorDbm(), gmax = p.antenna().gainDbi(), hUt = p.ueHeight();
            double a = Math.sqrt(p.interSiteCorrelation()), b = Math.sqrt(1 - p.interSiteCorrelation());
            long losKey = Seeds.key(seed, Seeds.LOS, 0);
            for (int t = from; t < to; t++) {
                int i = list[t];
                Box box = boxes[i];
                if (!box.contains(lc, lr)) continue;
                SynthSite s = sites.get(i);
                double dx = px - s.x(), dy = py - s.y(), d = Math.sqrt(dx * dx + dy * dy);
                double fc = p.layers().get(s.layer()).freqGHz();
                PathLossModel mod = s.model();
                double losMax = mod == PathLossModel.RMA ? p.losMaxDistanceRuralM() : p.losMaxDistanceUrbanM();
                boolean los = d <= losMax
                        && Seeds.uniform(losKey ^ (i * 0x9e3779b97f4a7c15L), lc, lr) < mod.losProbability(d);
                double pl = los ? mod.los(d, s.height(), hUt, fc) : mod.nlos(d, s.height(), hUt, fc);
                double zs = Float.float16ToFloat(fields[i][(int) ((lr - box.row0) * box.w + (lc - box.col0))]);
                double sf = (los ? mod.sigmaLos : mod.sigmaNlos) * (a * zc + b * zs);
                double base = s.epreDbm() - pl - sf;
                if (base + gmax < floor || (m == n && base + gmax <= val[n - 1])) continue;
                double bearing = Math.toDegrees(Math.atan2(dx, dy));
                double depression = Math.toDegrees(Math.atan2(s.height() - hUt, Math.max(d, 1.0)));
                double[] az = s.azimuthDeg();
                for (int k = 0; k < az.length; k++) {
                    double v = base + p.antenna().gain(bearing - az[k], depression, s.tiltDeg());
                    if (v < floor || (m == n && v <= val[n - 1])) continue;
                    int q = m < n ? m++ : n - 1;
                    while (q > 0 && val[q - 1] < v) {
                        val[q] = val[q - 1];
                        sSite[q] = sSite[q - 1];
                        sLayer[q] = sLayer[q - 1];
                        q--;
                    }
                    val[q] = v;
                    sSite[q] = i;
                    sLayer[q] = s.layer();
                }
            }
            outN = 0;
            if (m == 0) return;
            associate(m);
        }

        /** Fills {@code acc[0..m)} with the sector association probabilities, then aggregates per site. */
        void associate(int m) {
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                SynthParams.Layer L = p.layers().get(sLayer[j]);
                met[j] = val[j] + (val[j] >= L.thresholdDbm() ? L.priorityOffsetDb() : 0);
                best = Math.max(best, met[j]);
            }
            int k = 0;
            for (int j = 0; j < m; j++) {
                if (met[j] < best - p.minRelativeDb()) continue;
                lin[k] = Math.pow(10, (met[j] - best) / 10);
                sSite[k] = sSite[j];
                k++;
            }
            choose(lin, k, w);
            Arrays.fill(acc, 0, k, 0);
            int hm = Math.min(p.hysteresisCandidates(), k);
            if (p.hysteresisDb() > 0 && hm > 0 && k > 1) {
                // the hm most likely previous servers
                double bonus = Math.pow(10, p.hysteresisDb() / 10), wsum = 0;
                int[] top = new int[hm];
                boolean[] used = new boolean[k];
                for (int t = 0; t < hm; t++) {
                    int bi = -1;
                    for (int j = 0; j < k; j++) if (!used[j] && (bi < 0 || w[j] > w[bi])) bi = j;
                    used[bi] = true;
                    top[t] = bi;
                    wsum += w[bi];
                }
                for (int t = 0; t < hm; t++) {
                    int rj = top[t];
                    double keep = lin[rj];
                    lin[rj] = keep * bonus;
                    choose(lin, k, tmp);
                    lin[rj] = keep;
                    double wt = w[rj] / wsum;
                    for (int j = 0; j < k; j++) acc[j] += wt * tmp[j];
                }
            } else {
                System.arraycopy(w, 0, acc, 0, k);
            }
            // aggregate per site
            for (int j = 0; j < k; j++) {
                if (!(acc[j] > 0)) continue;
                int e = 0;
                while (e < outN && outSite[e] != sSite[j]) e++;
                if (e == outN) {
                    outSite[outN] = sSite[j];
                    outP[outN++] = 0;
                }
                outP[e] += acc[j];
            }
            double tot = 0;
            for (int e = 0; e < outN; e++) tot += outP[e];
            for (int e = 0; e < outN; e++) outP[e] /= tot;
        }

        void choose(double[] pw, int k, double[] out) {
            if (p.rayleigh() && p.locationSigmaDb() > 0) logitProbs(pw, k, logitExponent(p.locationSigmaDb()), out);
            else if (p.rayleigh()) winProbs(pw, k, out, q, sub);
            else {
                int bi = 0;
                for (int j = 1; j < k; j++) if (pw[j] > pw[bi]) bi = j;
                Arrays.fill(out, 0, k, 0);
                out[bi] = 1;
            }
        }
    }

    /** Standard deviation (dB) of {@code 10 log10 E}, E ~ Exp(1): the spread Rayleigh fading adds to a link's power. */
    public static final double RAYLEIGH_SIGMA_DB = 10 / Math.log(10) * Math.PI / Math.sqrt(6);

    /**
     * Exponent {@code gamma} of the logit association {@code P(s) = pw_s^gamma / sum_j pw_j^gamma} for Rayleigh fading
     * plus an independent location variability of {@code sigmaDb}: Gumbel noise moment-matched to the total spread,
     * {@code gamma = sigma_R / sqrt(sigma_R^2 + sigma^2)} with {@code sigma_R} = {@link #RAYLEIGH_SIGMA_DB} (5.57 dB).
     * With {@code sigma = 0} it is the Rayleigh rule's logit approximation (exact for two sectors).
     */
    public static double logitExponent(double sigmaDb) {
        return RAYLEIGH_SIGMA_DB / Math.sqrt(RAYLEIGH_SIGMA_DB * RAYLEIGH_SIGMA_DB + sigmaDb * sigmaDb);
    }

    /** Logit (Gumbel-max) association: {@code out[j] = pw[j]^gamma / sum pw^gamma}. */
    public static void logitProbs(double[] pw, int n, double gamma, double[] out) {
        double tot = 0;
        for (int j = 0; j < n; j++) {
            out[j] = Math.pow(pw[j], gamma);
            tot += out[j];
        }
        for (int j = 0; j < n; j++) out[j] /= tot;
    }

    /**
     * Probability that each of {@code n} independent exponential variables with means {@code pw[j]} is the
     * largest: {@code P(s) = q_s sum_{u contains s} (-1)^{|u|-1} / sum_{j in u} q_j}, {@code q = 1/pw}.
     * Clamped to [0, 1] and renormalised. {@code q} scratch of n, {@code sub} of 2^n.
     */
    public static void winProbs(double[] pw, int n, double[] out, double[] q, double[] sub) {
        if (n == 1) {
            out[0] = 1;
            return;
        }
        for (int j = 0; j < n; j++) {
            q[j] = 1 / pw[j];
            out[j] = 0;
        }
        sub[0] = 0;
        for (int u = 1; u < (1 << n); u++) {
            int low = Integer.numberOfTrailingZeros(u);
            double s = sub[u & (u - 1)] + q[low];
            sub[u] = s;
            double t = (Integer.bitCount(u) & 1) == 1 ? 1 / s : -1 / s;
            for (int v = u; v != 0; v &= v - 1) out[Integer.numberOfTrailingZeros(v)] += t;
        }
        double tot = 0;
        for (int j = 0; j < n; j++) {
            double v = q[j] * out[j];
            out[j] = v < 0 ? 0 : v > 1 ? 1 : v;
            tot += out[j];
        }
        for (int j = 0; j < n; j++) out[j] /= tot;
    }
}
