package org.geomend.edge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.geomend.kernels.GridSpec;

/**
 * Edge-site planning of DeepMEND eq. 4-8 on a demand raster: one radio unit (graph vertex) per pixel with demand
 * &gt; 0, an edge between 4-neighbours that both have demand; a k-way partition of the units minimising the edge
 * cut with every part's load at most {@code (1 + epsilon)} times the mean (METIS, {@link Metis}); each edge site at
 * its part's demand-weighted barycentre of pixel centres (in the raster's CRS).
 *
 * <p><b>Several connected components.</b> METIS' contiguity option needs a connected graph. The components of the
 * demand graph are joined by a spanning tree of <em>links</em> of weight 0: a multi-source breadth-first search from
 * every demand pixel over the whole grid (4-neighbour steps, through pixels without demand) finds, for each pair of
 * components whose search fronts meet, the pair of their pixels nearest in steps; Kruskal's algorithm keeps the
 * shortest {@code components - 1} of these that join everything. A link is never counted in the edge cut (it
 * weighs 1/64 of a demand edge), so METIS cuts there first; a part is contiguous in the demand graph plus links: it is one 4-connected
 * region of the raster, or several that a link joins across pixels without demand ({@link Plan#partsAcrossGaps()}
 * counts those).
 *
 * <p><b>Weights.</b> METIS takes integer vertex weights summed in a 32-bit {@code idx_t}: weight {@code w = max(1,
 * round(d s))} with {@code s = min(1e6 / max d, 2^30 / sum d)}, so the largest demand weighs 10^6 unless the total
 * would pass 2^30. The imbalance is measured afterwards on the real (float64) loads and reported next to the
 * integer one.
 */
public final class EdgePlanner {

    private EdgePlanner() {}

    /**
     * Edge weights: a demand edge weighs {@value #EDGE_WEIGHT}, a link {@value #LINK_WEIGHT}. METIS wants positive
     * edge weights (with links of weight 0, libmetis 5.1.0 failed its initial partitioning and crashed the JVM in
     * CreateCoarseGraphNoMask in repeated eval runs), so a link costs 1/64 of a demand edge: METIS still cuts there first.
     */
    static final int EDGE_WEIGHT = 64, LINK_WEIGHT = 1;

    /** The largest integer weight and the budget of the integer total (see the class comment). */
    static final double MAX_WEIGHT = 1e6, TOTAL_WEIGHT = 1 << 30;

    /**
     * A plan.
     *
     * @param assignment per pixel of the grid (row 0 south, row-major), the edge site 0..k-1, or -1 without demand
     * @param load planned load of each site: the demand summed over its pixels (float64)
     * @param siteX barycentre x of each site (pixel centres weighted by demand), in the raster's CRS
     * @param edgeCut the 4-neighbour demand edges whose ends lie in different parts
     * @param vertices pixels with demand
     * @param edges 4-neighbour edges between them
     * @param components connected components of the demand graph (links added: {@code components - 1})
     * @param maxOver {@code max_s L_s / mean - 1} on the real loads (METIS bounds it by epsilon)
     * @param maxUnder {@code 1 - min_s L_s / mean} on the real loads (eq. 5's lower side; METIS does not bound it)
     * @param maxOverWeights {@code max_s W_s / mean W - 1} on METIS' integer weights
     * @param nonContiguous parts that are not connected in the demand graph plus links (0 when METIS kept its promise)
     * @param partsAcrossGaps parts that hold pixels of more than one component (joined by a link)
     * @param emptyParts parts without any pixel (0: {@link #refilledParts} took care of METIS' empty ones)
     * @param refilledParts parts METIS left empty that got one pixel of the then heaviest part (see {@link #plan})
     */
    public record Plan(
            GridSpec grid,
            int k,
            double epsilon,
            int seed,
            int ufactor,
            int[] assignment,
            double[] load,
            double[] siteX,
            double[] siteY,
            long edgeCut,
            int vertices,
            long edges,
            int components,
            double maxOver,
            double maxUnder,
            double maxOverWeights,
            int nonContiguous,
            int partsAcrossGaps,
            int emptyParts,
            int refilledParts,
            double seconds) {

        /** Jain's fairness index of the planned loads. */
        public double jain() {
            return EdgePlanner.jain(load);
        }

        /** Eq. 5's imbalance: the larger of {@link #maxOver} and {@link #maxUnder}. */
        public double imbalance() {
            return Math.max(maxOver, maxUnder);
        }
    }

    /** METIS' {@code ufactor} for {@code epsilon}: {@code round(1000 epsilon)}, at least 1. */
    public static int ufactor(double epsilon) {
        return (int) Math.max(1, Math.round(1000 * epsilon));
    }

    /**
     * Plans {@code k} edge sites on {@code demand} (one value per pixel of {@code grid}, row 0 south; finite, &gt;= 0).
     *
     * @throws IllegalArgumentException when k &lt; 1, k exceeds the pixels with demand, epsilon is not in (0, 1), or
     *         a value is negative or NaN
     */
    public static Plan plan(Metis metis, GridSpec grid, float[] demand, int k, double epsilon, int seed) {
        long t0 = System.nanoTime();
        int w = grid.width(), h = grid.height();
        if (demand.length != (long) w * h)
            throw new IllegalArgumentException(
                    "demand has " + demand.length + " values for a " + w + " x " + h + " grid");
        if (k < 1) throw new IllegalArgumentException("--sites must be >= 1, not " + k);
        if (!(epsilon > 0 && epsilon < 1))
            throw new IllegalArgumentException("--imbalance must be in (0, 1), not " + epsilon);
        int[] vid = new int[demand.length];
        int n = 0;
        double max = 0, sum = 0;
        for (int p = 0; p < demand.length; p++) {
            float d = demand[p];
            if (!(d >= 0) || Float.isInfinite(d))
                throw new IllegalArgumentException("demand " + d + " at row " + (h - 1 - p / w)
                        + " (from the north), column " + p % w + ": must be finite and >= 0");
            if (d > 0) {
                vid[p] = n++;
                max = Math.max(max, d);
                sum += d;
            } else vid[p] = -1;
        }
        if (n == 0) throw new IllegalArgumentException("no pixel has demand > 0");
        if (k > n)
            throw new IllegalArgumentException("--sites " + k + " is more than the " + n + " pixels with demand");
        if (n >= 1 << 30)
            throw new IllegalArgumentException(n + " pixels with demand: METIS' 32-bit idx_t needs fewer than 2^30");
        int[] pix = new int[n];
        for (int p = 0; p < demand.length; p++) if (vid[p] >= 0) pix[vid[p]] = p;

        // the 4-neighbour demand graph (CSR, each edge from both ends)
        int[] deg = new int[n];
        long edges = 0;
        for (int v = 0; v < n; v++) {
            int p = pix[v], r = p / w, c = p % w;
            if (c + 1 < w && vid[p + 1] >= 0) {
                deg[v]++;
                deg[vid[p + 1]]++;
                edges++;
            }
            if (r + 1 < h && vid[p + w] >= 0) {
                deg[v]++;
                deg[vid[p + w]]++;
                edges++;
            }
        }
        int[] comp = new int[n];
        int components = components(n, pix, vid, w, h, comp);
        List<int[]> links = components > 1 ? links(grid, vid, pix, comp, components) : List.of();
        for (int[] l : links) {
            deg[l[0]]++;
            deg[l[1]]++;
        }
        int[] xadj = new int[n + 1];
        for (int v = 0; v < n; v++) xadj[v + 1] = Math.addExact(xadj[v], deg[v]);
        int[] adj = new int[xadj[n]], wgt = new int[xadj[n]], fill = Arrays.copyOf(xadj, n);
        for (int v = 0; v < n; v++) {
            int p = pix[v], r = p / w, c = p % w;
            if (c + 1 < w && vid[p + 1] >= 0) edge(v, vid[p + 1], EDGE_WEIGHT, adj, wgt, fill);
            if (r + 1 < h && vid[p + w] >= 0) edge(v, vid[p + w], EDGE_WEIGHT, adj, wgt, fill);
        }
        for (int[] l : links) edge(l[0], l[1], LINK_WEIGHT, adj, wgt, fill);

        // integer vertex weights
        double s = Math.min(MAX_WEIGHT / max, TOTAL_WEIGHT / sum);
        int[] vw = new int[n];
        for (int v = 0; v < n; v++) vw[v] = (int) Math.max(1, Math.round(demand[pix[v]] * s));

        int uf = ufactor(epsilon);
        int[] part;
        if (k == 1) part = new int[n];
        else
            part = metis.partKway(n, xadj, adj, vw, wgt, k, new Metis.Options(uf, true, seed))
                    .part();

        int refilled = refillEmpty(n, xadj, adj, part, pix, demand, k);

        int[] assignment = new int[demand.length];
        Arrays.fill(assignment, -1);
        double[] load = new double[k], sx = new double[k], sy = new double[k];
        long[] weights = new long[k];
        int[] size = new int[k];
        for (int v = 0; v < n; v++) {
            int q = part[v];
            if (q < 0 || q >= k) throw new IllegalStateException("METIS returned part " + q + " outside 0.." + (k - 1));
            int p = pix[v];
            assignment[p] = q;
            double d = demand[p];
            load[q] += d;
            sx[q] += d * grid.centreX(p % w);
            sy[q] += d * grid.centreY(p / w);
            weights[q] += vw[v];
            size[q]++;
        }
        int empty = 0;
        double total = 0, totalW = 0;
        for (int q = 0; q < k; q++) {
            total += load[q];
            totalW += weights[q];
            if (size[q] == 0) {
                empty++;
                sx[q] = Double.NaN;
                sy[q] = Double.NaN;
            } else {
                sx[q] /= load[q];
                sy[q] /= load[q];
            }
        }
        double mean = total / k, meanW = totalW / k, over = 0, under = 0, overW = 0;
        for (int q = 0; q < k; q++) {
            over = Math.max(over, load[q] / mean - 1);
            under = Math.max(under, 1 - load[q] / mean);
            overW = Math.max(overW, weights[q] / meanW - 1);
        }
        long cut = 0;
        for (int v = 0; v < n; v++)
            for (int e = xadj[v]; e < xadj[v + 1]; e++)
                if (wgt[e] == EDGE_WEIGHT && adj[e] > v && part[adj[e]] != part[v]) cut++;
        int[] conn = contiguity(n, xadj, adj, part, comp, k);
        return new Plan(
                grid,
                k,
                epsilon,
                seed,
                uf,
                assignment,
                load,
                sx,
                sy,
                cut,
                n,
                edges,
                components,
                over,
                under,
                overW,
                conn[0],
                conn[1],
                empty,
                refilled,
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * METIS may leave parts empty when parts are a few pixels each (e.g. K close to the number of pixels): each empty
     * part gets one pixel of the heaviest part holding two or more, the one visited last by a breadth-first search of
     * that part (a leaf of its BFS tree, so the rest stays connected). The number of parts refilled.
     */
    static int refillEmpty(int n, int[] xadj, int[] adj, int[] part, int[] pix, float[] demand, int k) {
        double[] load = new double[k];
        int[] size = new int[k];
        for (int v = 0; v < n; v++) {
            load[part[v]] += demand[pix[v]];
            size[part[v]]++;
        }
        int refilled = 0;
        int[] queue = null;
        boolean[] seen = null;
        for (int q = 0; q < k; q++) {
            if (size[q] > 0) continue;
            int donor = -1;
            for (int o = 0; o < k; o++) if (size[o] >= 2 && (donor < 0 || load[o] > load[donor])) donor = o;
            if (donor < 0) break; // cannot happen when k <= n
            if (queue == null) {
                queue = new int[n];
                seen = new boolean[n];
            }
            int root = 0;
            while (part[root] != donor) root++;
            int head = 0, tail = 0;
            queue[tail++] = root;
            seen[root] = true;
            while (head < tail) {
                int v = queue[head++];
                for (int e = xadj[v]; e < xadj[v + 1]; e++) {
                    int u = adj[e];
                    if (!seen[u] && part[u] == donor) {
                        seen[u] = true;
                        queue[tail++] = u;
                    }
                }
            }
            for (int i = 0; i < tail; i++) seen[queue[i]] = false;
            int leaf = queue[tail - 1];
            part[leaf] = q;
            double d = demand[pix[leaf]];
            load[donor] -= d;
            load[q] += d;
            size[donor]--;
            size[q]++;
            refilled++;
        }
        return refilled;
    }

    private static void edge(int a, int b, int weight, int[] adj, int[] wgt, int[] fill) {
        adj[fill[a]] = b;
        wgt[fill[a]++] = weight;
        adj[fill[b]] = a;
        wgt[fill[b]++] = weight;
    }

    /** Labels the 4-connected components of the demand pixels into {@code comp}; their number. */
    static int components(int n, int[] pix, int[] vid, int w, int h, int[] comp) {
        Arrays.fill(comp, -1);
        int[] queue = new int[n];
        int count = 0;
        for (int s = 0; s < n; s++) {
            if (comp[s] >= 0) continue;
            int head = 0, tail = 0;
            queue[tail++] = s;
            comp[s] = count;
            while (head < tail) {
                int v = queue[head++], p = pix[v], r = p / w, c = p % w;
                for (int dir = 0; dir < 4; dir++) {
                    int q = neighbour(p, r, c, dir, w, h);
                    if (q < 0 || vid[q] < 0 || comp[vid[q]] >= 0) continue;
                    comp[vid[q]] = count;
                    queue[tail++] = vid[q];
                }
            }
            count++;
        }
        return count;
    }

    private static int neighbour(int p, int r, int c, int dir, int w, int h) {
        return switch (dir) {
            case 0 -> c > 0 ? p - 1 : -1;
            case 1 -> c + 1 < w ? p + 1 : -1;
            case 2 -> r > 0 ? p - w : -1;
            default -> r + 1 < h ? p + w : -1;
        };
    }

    /**
     * The links joining the components: multi-source BFS from every demand pixel over the grid, the shortest meeting
     * per pair of components, then Kruskal. Each link is {@code {vertex a, vertex b}}.
     */
    static List<int[]> links(GridSpec grid, int[] vid, int[] pix, int[] comp, int components) {
        int w = grid.width(), h = grid.height(), size = w * h;
        int[] src = new int[size], dist = new int[size], queue = new int[size];
        Arrays.fill(src, -1);
        int head = 0, tail = 0;
        for (int v = 0; v < pix.length; v++) {
            src[pix[v]] = v;
            queue[tail++] = pix[v];
        }
        Map<Long, long[]> best = new HashMap<>(); // pair (a, b), a < b -> {length, vertex of a, vertex of b}
        while (head < tail) {
            int p = queue[head++], r = p / w, c = p % w;
            for (int dir = 0; dir < 4; dir++) {
                int q = neighbour(p, r, c, dir, w, h);
                if (q < 0) continue;
                if (src[q] < 0) {
                    src[q] = src[p];
                    dist[q] = dist[p] + 1;
                    queue[tail++] = q;
                } else {
                    int a = comp[src[p]], b = comp[src[q]];
                    if (a == b) continue;
                    long len = (long) dist[p] + dist[q] + 1;
                    long key = a < b ? (long) a * components + b : (long) b * components + a;
                    long[] cur = best.get(key);
                    if (cur == null || len < cur[0]) {
                        int va = a < b ? src[p] : src[q], vb = a < b ? src[q] : src[p];
                        best.put(key, new long[] {len, va, vb});
                    }
                }
            }
        }
        List<long[]> cand = new ArrayList<>(best.values());
        cand.sort((x, y) -> x[0] != y[0]
                ? Long.compare(x[0], y[0])
                : x[1] != y[1] ? Long.compare(x[1], y[1]) : Long.compare(x[2], y[2]));
        int[] parent = new int[components];
        for (int i = 0; i < components; i++) parent[i] = i;
        List<int[]> out = new ArrayList<>();
        for (long[] e : cand) {
            int a = find(parent, comp[(int) e[1]]), b = find(parent, comp[(int) e[2]]);
            if (a == b) continue;
            parent[a] = b;
            out.add(new int[] {(int) e[1], (int) e[2]});
            if (out.size() == components - 1) break;
        }
        if (out.size() != components - 1)
            throw new IllegalStateException("could not join " + components + " components");
        return out;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    }

    /** {parts not connected in the graph (links included), parts holding more than one component}. */
    static int[] contiguity(int n, int[] xadj, int[] adj, int[] part, int[] comp, int k) {
        int[] pieces = new int[k], firstComp = new int[k];
        boolean[] seen = new boolean[n], multi = new boolean[k];
        Arrays.fill(firstComp, -1);
        int[] queue = new int[n];
        for (int s = 0; s < n; s++) {
            int q = part[s];
            if (firstComp[q] < 0) firstComp[q] = comp[s];
            else if (firstComp[q] != comp[s]) multi[q] = true;
            if (seen[s]) continue;
            pieces[q]++;
            int head = 0, tail = 0;
            queue[tail++] = s;
            seen[s] = true;
            while (head < tail) {
                int v = queue[head++];
                for (int e = xadj[v]; e < xadj[v + 1]; e++) {
                    int u = adj[e];
                    if (!seen[u] && part[u] == q) {
                        seen[u] = true;
                        queue[tail++] = u;
                    }
                }
            }
        }
        int bad = 0, across = 0;
        for (int q = 0; q < k; q++) {
            if (pieces[q] > 1) bad++;
            if (multi[q]) across++;
        }
        return new int[] {bad, across};
    }

    /** Jain's fairness index {@code (sum L)^2 / (K sum L^2)} (1 when all equal; 1 / K when one holds everything). */
    public static double jain(double[] loads) {
        double s = 0, s2 = 0;
        for (double l : loads) {
            s += l;
            s2 += l * l;
        }
        return s2 == 0 ? Double.NaN : s * s / (loads.length * s2);
    }

    /** Actual loads: {@code values} summed over each site's pixels of {@code assignment}; the last entry is the sum
     *  over pixels without a site (k + 1 entries). */
    public static double[] loads(int[] assignment, float[] values, int k) {
        double[] out = new double[k + 1];
        for (int p = 0; p < assignment.length; p++) out[assignment[p] < 0 ? k : assignment[p]] += values[p];
        return out;
    }
}
