package org.geomend.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.geomend.geo.Crs;
import org.geomend.geo.CrsTransform;
import org.geomend.geo.Projections;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;

/**
 * A region (e.g. a country outline, {@code --region}) as polygon rings projected into one {@link Crs},
 * rasterised onto grids as a uint8 mask: 1 where the pixel centre is inside, 0 outside.
 *
 * <p>Inside means the even-odd rule over all rings of all polygons, so holes work (and parts that
 * overlap cancel, which valid GeoJSON does not have). A point exactly on a ring counts as inside on the
 * left/bottom edges and outside on the right/top ones, so adjacent regions do not share pixels.
 * {@link #rasterize} and {@link #contains} agree exactly.
 *
 * <p>Immutable after loading; {@link #rasterize} and {@link #contains} are thread-safe.
 */
public final class RegionMask {

    private final Crs crs;
    /** Edges, sorted by {@code ylo}: endpoints (xlo, ylo)-(xhi, yhi) with ylo < yhi (horizontal ones dropped). */
    private final double[] xlo, ylo, xhi, yhi;

    private final double[] bounds;
    private final int rings;

    private RegionMask(Crs crs, List<double[][]> ringsXy) {
        this.crs = crs;
        int n = 0;
        for (double[][] r : ringsXy) n += r[0].length;
        double[][] e = new double[n][];
        int m = 0;
        double[] b = {Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (double[][] r : ringsXy) {
            double[] xs = r[0], ys = r[1];
            int k = xs.length;
            for (int i = 0; i < k; i++) {
                double ax = xs[i], ay = ys[i], bx = xs[(i + 1) % k], by = ys[(i + 1) % k];
                b[0] = Math.min(b[0], ax);
                b[1] = Math.min(b[1], ay);
                b[2] = Math.max(b[2], ax);
                b[3] = Math.max(b[3], ay);
                if (ay == by) continue;
                e[m++] = ay < by ? new double[] {ax, ay, bx, by} : new double[] {bx, by, ax, ay};
            }
        }
        e = Arrays.copyOf(e, m);
        Arrays.sort(e, (p, q) -> Double.compare(p[1], q[1]));
        xlo = new double[m];
        ylo = new double[m];
        xhi = new double[m];
        yhi = new double[m];
        for (int i = 0; i < m; i++) {
            xlo[i] = e[i][0];
            ylo[i] = e[i][1];
            xhi[i] = e[i][2];
            yhi[i] = e[i][3];
        }
        this.bounds = b;
        this.rings = ringsXy.size();
    }

    /**
     * A mask from rings already in {@code crs} (metres): each ring is {@code {xs, ys}}, closed or not
     * (the last vertex connects to the first; a repeated closing vertex adds nothing).
     */
    public static RegionMask ofRings(List<double[][]> ringsXy, Crs crs) {
        for (double[][] r : ringsXy)
            if (r.length != 2 || r[0].length != r[1].length || r[0].length < 3)
                throw new IllegalArgumentException("a ring is {xs, ys} with at least 3 vertices");
        return new RegionMask(crs, ringsXy);
    }

    /**
     * Loads a GeoJSON file (RFC 7946, WGS84 lon/lat): a FeatureCollection, Feature, GeometryCollection,
     * Polygon or MultiPolygon; features without geometry and point/line geometries are ignored, but at
     * least one polygon must be there. Its rings are projected into {@code crs} once.
     *
     * @throws InputException when the file cannot be read, is not JSON, or is not such GeoJSON
     */
    public static RegionMask load(Path geojson, Crs crs) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(geojson.toFile());
        } catch (JsonProcessingException e) {
            long line =
                    e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getLineNr());
            throw new InputException(geojson, line, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new InputException(geojson, 0, "no such file");
        } catch (IOException e) {
            throw new InputException(geojson, 0, "cannot read: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) throw new InputException(geojson, 1, "empty file");
        Loader l = new Loader(geojson, crs);
        l.object(root, "the top-level object");
        if (l.rings.isEmpty()) throw new InputException(geojson, 0, "no Polygon or MultiPolygon in it");
        return new RegionMask(crs, l.rings);
    }

    /** The CRS the rings are in (that of the grids to rasterise on). */
    public Crs crs() {
        return crs;
    }

    /** Number of rings (outer and holes) and of non-horizontal edges. */
    public int ringCount() {
        return rings;
    }

    public int edgeCount() {
        return ylo.length;
    }

    /** {@code {xmin, ymin, xmax, ymax}} of all vertices, in metres. */
    public double[] bounds() {
        return bounds.clone();
    }

    /** True when {@code (x, y)} (metres, in {@link #crs()}) is inside the region (even-odd rule). */
    public boolean contains(double x, double y) {
        boolean in = false;
        for (int e = 0; e < ylo.length && ylo[e] <= y; e++) if (y < yhi[e] && cross(e, y) <= x) in = !in;
        return in;
    }

    /**
     * Writes the mask of {@code grid} into {@code dst} (uint8, at least {@code grid.pixels()} elements,
     * row-major from the south-west pixel like every grid): 1 where the pixel centre is inside, 0 outside.
     * {@code grid} must be in this mask's CRS. Scanline fill: per row, only edges whose y-span holds the
     * row's centre are intersected.
     */
    public void rasterize(GridSpec grid, GridBuffer dst) {
        if (dst.type() != GridBuffer.Type.UINT8)
            throw new IllegalArgumentException("mask buffer must be UINT8, not " + dst.type());
        if (dst.elements() < grid.pixels())
            throw new IllegalArgumentException(
                    "mask buffer holds " + dst.elements() + " elements, grid needs " + grid.pixels());
        MemorySegment seg = dst.segment();
        int w = grid.width(), h = grid.height(), n = ylo.length;
        seg.asSlice(0, grid.pixels()).fill((byte) 0);
        int[] active = new int[n];
        double[] xs = new double[n];
        int na = 0, next = 0;
        for (int j = 0; j < h; j++) {
            double yc = grid.centreY(j);
            while (next < n && ylo[next] <= yc) active[na++] = next++;
            int kept = 0, m = 0;
            for (int i = 0; i < na; i++) {
                int e = active[i];
                if (yhi[e] <= yc) continue; // done with this edge: rows only go north
                active[kept++] = e;
                xs[m++] = cross(e, yc);
            }
            na = kept;
            if (m < 2) continue;
            Arrays.sort(xs, 0, m);
            long row = (long) j * w;
            for (int p = 0; p + 1 < m; p += 2) {
                int c0 = firstColAtOrRightOf(grid, xs[p]), c1 = firstColAtOrRightOf(grid, xs[p + 1]);
                if (c1 > c0) seg.asSlice(row + c0, c1 - c0).fill((byte) 1);
            }
        }
    }

    /** x where edge {@code e} crosses the horizontal line at {@code y} ({@code ylo <= y < yhi}). */
    private double cross(int e, double y) {
        return xlo[e] + (y - ylo[e]) * (xhi[e] - xlo[e]) / (yhi[e] - ylo[e]);
    }

    /** The smallest column whose centre is {@code >= x}, within {@code [0, width]}. */
    private static int firstColAtOrRightOf(GridSpec g, double x) {
        double f = Math.ceil((x - g.x0()) / g.resolution() - 0.5);
        int c = f <= 0 ? 0 : f >= g.width() ? g.width() : (int) f;
        while (c > 0 && g.centreX(c - 1) >= x) c--; // exact agreement with contains()
        while (c < g.width() && g.centreX(c) < x) c++;
        return c;
    }

    /** Walks GeoJSON and collects projected rings. */
    private static final class Loader {
        final Path file;
        final Crs crs;
        final CrsTransform t;
        final List<double[][]> rings = new ArrayList<>();

        Loader(Path file, Crs crs) {
            this.file = file;
            this.crs = crs;
            this.t = Projections.fromLonLat(crs);
        }

        InputException bad(String what) {
            return new InputException(file, 0, what);
        }

        void object(JsonNode o, String where) {
            if (o == null || !o.isObject()) throw bad(where + " is not a GeoJSON object");
            String type = o.path("type").asText("");
            switch (type) {
                case "FeatureCollection" -> {
                    JsonNode fs = o.get("features");
                    if (fs == null || !fs.isArray()) throw bad(where + ": FeatureCollection without a features array");
                    for (int i = 0; i < fs.size(); i++) object(fs.get(i), "feature " + i);
                }
                case "Feature" -> {
                    JsonNode g = o.get("geometry");
                    if (g != null && !g.isNull()) object(g, where + " geometry");
                }
                case "GeometryCollection" -> {
                    JsonNode gs = o.get("geometries");
                    if (gs == null || !gs.isArray())
                        throw bad(where + ": GeometryCollection without a geometries array");
                    for (int i = 0; i < gs.size(); i++) object(gs.get(i), where + " geometry " + i);
                }
                case "Polygon" -> polygon(coordinates(o, where), where);
                case "MultiPolygon" -> {
                    JsonNode ps = coordinates(o, where);
                    for (int i = 0; i < ps.size(); i++) polygon(ps.get(i), where + " polygon " + i);
                }
                case "Point", "MultiPoint", "LineString", "MultiLineString" -> {} // no area
                default -> throw bad(where + " has unknown type '" + type + "'");
            }
        }

        JsonNode coordinates(JsonNode o, String where) {
            JsonNode c = o.get("coordinates");
            if (c == null || !c.isArray()) throw bad(where + ": no coordinates array");
            return c;
        }

        void polygon(JsonNode p, String where) {
            if (!p.isArray() || p.isEmpty()) throw bad(where + ": a polygon is a non-empty array of rings");
            for (int r = 0; r < p.size(); r++) ring(p.get(r), where + " ring " + r);
        }

        void ring(JsonNode r, String where) {
            if (!r.isArray()) throw bad(where + " is not an array of positions");
            int n = r.size();
            double[] xs = new double[n], ys = new double[n];
            for (int i = 0; i < n; i++) {
                JsonNode pos = r.get(i);
                if (!pos.isArray()
                        || pos.size() < 2
                        || !pos.get(0).isNumber()
                        || !pos.get(1).isNumber()) throw bad(where + " position " + i + " is not [lon, lat]");
                double lon = pos.get(0).asDouble(), lat = pos.get(1).asDouble();
                if (!(Math.abs(lon) <= 180) || !(Math.abs(lat) <= 90))
                    throw bad(where + " position " + i + " is not lon/lat in degrees: [" + lon + ", " + lat + "]");
                xs[i] = lon;
                ys[i] = lat;
            }
            if (n > 1 && xs[0] == xs[n - 1] && ys[0] == ys[n - 1]) n--; // the closing vertex
            if (n < 3) throw bad(where + " has fewer than 3 distinct positions");
            xs = Arrays.copyOf(xs, n);
            ys = Arrays.copyOf(ys, n);
            t.forward(xs, ys, xs, ys, n);
            for (int i = 0; i < n; i++)
                if (!Double.isFinite(xs[i]))
                    throw bad(where + " position " + i + " cannot be projected to " + crs.name());
            rings.add(new double[][] {xs, ys});
        }
    }
}
