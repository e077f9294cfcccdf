package org.geomend.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.geomend.geolocate.Urbanisation;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.CsvReader;
import org.geomend.io.InputException;
import org.geomend.io.MapData;
import org.geomend.io.Site;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.SitePositions;

/**
 * An evaluation dataset as {@code geomend synth} writes it: {@code sites.csv}
 * ({@code id,x,y[,env][,city][,operator],map}: every site of the inventory, {@code map = 1} where a ground-truth
 * map exists), {@code maps.arrow} (the ground-truth P(l|i) maps, SPEC section 5, dense or sparse) and an optional
 * {@code manifest.json}. Every site takes part in the neighbour searches of the methods; the sites with a map are
 * the ones tested.
 *
 * <p>Only the site table and the row index of each ground-truth map are held in memory; maps are read on demand
 * through {@link #openMaps()}, so memory does not grow with the dataset.
 */
public final class Dataset {

    /** Urbanisation classes in report order. */
    public static final List<String> CLASSES = List.of("urban", "suburban", "rural");

    private final Path dir, sitesFile, mapsFile;
    private final String[] ids, env, city;
    private final long[] line;
    private final SitePositions positions;
    private final int[] mapRow; // row of the site's map in maps.arrow, -1 when none
    private final int[] tested; // sites with a map, in maps.arrow row order
    private final int window, mapHeight;
    private final double resolution;
    private final String crs;
    private final Map<String, String> manifest;
    private final Map<String, Integer> index;

    private Dataset(
            Path dir,
            Path sitesFile,
            Path mapsFile,
            String[] ids,
            double[] x,
            double[] y,
            String[] env,
            String[] city,
            long[] line,
            int[] mapRow,
            int[] tested,
            int window,
            int mapHeight,
            double resolution,
            String crs,
            Map<String, String> manifest,
            Map<String, Integer> index) {
        this.dir = dir;
        this.sitesFile = sitesFile;
        this.mapsFile = mapsFile;
        this.ids = ids;
        this.positions = new SitePositions(x, y);
        this.env = env;
        this.city = city;
        this.line = line;
        this.mapRow = mapRow;
        this.tested = tested;
        this.window = window;
        this.mapHeight = mapHeight;
        this.resolution = resolution;
        this.crs = crs;
        this.manifest = manifest;
        this.index = index;
    }

    /**
     * Reads {@code dir}. Bad input (a missing file, a bad row, a site with {@code map = 1} but no map, maps of
     * different sizes) is an {@link InputException} naming the file and, where there is one, the line.
     */
    public static Dataset load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new InputException(dir, 0, "no such dataset directory");
        Path sitesFile = dir.resolve("sites.csv"), mapsFile = dir.resolve("maps.arrow");
        if (!Files.isRegularFile(sitesFile))
            throw new InputException(
                    sitesFile, 0, "no such file (an eval dataset needs sites.csv and maps.arrow; see geomend synth)");
        if (!Files.isRegularFile(mapsFile))
            throw new InputException(
                    mapsFile, 0, "no such file (an eval dataset needs sites.csv and maps.arrow; see geomend synth)");
        List<String> ids = new ArrayList<>(), envs = new ArrayList<>(), cities = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        List<Boolean> hasMap = new ArrayList<>();
        double[] xs = new double[16], ys = new double[16];
        Map<String, Integer> index = new HashMap<>();
        try (CsvReader r = CsvReader.open(sitesFile)) {
            CsvReader.Header h = r.header();
            if (h == null) throw new InputException(sitesFile, 1, "empty file");
            int ci = h.index("id"),
                    cx = h.index("x"),
                    cy = h.index("y"),
                    ce = h.index("env"),
                    cc = h.index("city"),
                    cm = h.index("map");
            if (ci < 0 || cx < 0 || cy < 0 || cm < 0)
                throw new InputException(
                        sitesFile,
                        1,
                        "header needs columns id, x, y and map (optional env, city): '" + String.join(",", h.names())
                                + "'");
            while (r.next()) {
                long no = r.line();
                if (r.size() != h.width()) throw r.error(r.size() + " fields, the header has " + h.width());
                String id = r.get(ci);
                if (id.isEmpty()) throw r.error("empty id");
                double x = r.requiredNumber(cx, "x"), y = r.requiredNumber(cy, "y");
                String m = r.get(cm);
                if (!m.equals("0") && !m.equals("1")) throw r.error("map must be 0 or 1: '" + m + "'");
                String e = ce < 0 ? "" : r.get(ce).toLowerCase(Locale.ROOT);
                if (!e.isEmpty() && !CLASSES.contains(e))
                    throw r.error("env must be urban, suburban or rural: '" + r.get(ce) + "'");
                if (index.putIfAbsent(id, ids.size()) != null) throw r.error("duplicate id '" + id + "'");
                int n = ids.size();
                if (n == xs.length) {
                    xs = Arrays.copyOf(xs, 2 * n);
                    ys = Arrays.copyOf(ys, 2 * n);
                }
                xs[n] = x;
                ys[n] = y;
                ids.add(id);
                envs.add(e);
                cities.add(cc < 0 ? "" : r.get(cc));
                lines.add(no);
                hasMap.add(m.equals("1"));
            }
        }
        int n = ids.size();
        if (n == 0) throw new InputException(sitesFile, 0, "no sites");
        double[] x = Arrays.copyOf(xs, n), y = Arrays.copyOf(ys, n);
        // classes: env column where given, else local density (the same rule as geolocate --method spdi-legacy)
        List<Site> asSites = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
            asSites.add(
                    new Site(ids.get(i), x[i], y[i], envs.get(i).isEmpty() ? null : envs.get(i), null, lines.get(i)));
        String[] cls = Urbanisation.classes(asSites, new SitePositions(x, y));

        int[] mapRow = new int[n];
        Arrays.fill(mapRow, -1);
        List<Integer> tested = new ArrayList<>();
        int w = -1, hgt = -1;
        double res = Double.NaN;
        String crs;
        try (ArrowMapReader maps = ArrowMapReader.open(mapsFile)) {
            List<String> mapIds = maps.ids();
            for (int row = 0; row < mapIds.size(); row++) {
                Integer i = index.get(mapIds.get(row));
                if (i == null)
                    throw new InputException(
                            mapsFile, 0, "map '" + mapIds.get(row) + "' (row " + row + ") has no site in " + sitesFile);
                if (mapRow[i] >= 0)
                    throw new InputException(
                            mapsFile,
                            0,
                            "two maps for site '" + mapIds.get(row) + "' (rows " + mapRow[i] + " and " + row + ")");
                if (!hasMap.get(i))
                    throw new InputException(
                            sitesFile,
                            lines.get(i),
                            "site '" + ids.get(i) + "' has map = 0 but " + mapsFile + " holds a map for it");
                mapRow[i] = row;
                tested.add(i);
            }
            for (int i = 0; i < n; i++)
                if (hasMap.get(i) && mapRow[i] < 0)
                    throw new InputException(
                            sitesFile,
                            lines.get(i),
                            "site '" + ids.get(i) + "' has map = 1 but " + mapsFile + " holds no map for it");
            if (tested.isEmpty()) throw new InputException(mapsFile, 0, "no ground-truth maps");
            MapData first = maps.read(0);
            w = first.grid().width();
            hgt = first.grid().height();
            res = first.grid().resolution();
            crs = first.crs();
        }
        Map<String, String> manifest = readManifest(dir.resolve("manifest.json"));
        return new Dataset(
                dir,
                sitesFile,
                mapsFile,
                ids.toArray(String[]::new),
                x,
                y,
                cls,
                cities.toArray(String[]::new),
                lines.stream().mapToLong(Long::longValue).toArray(),
                mapRow,
                tested.stream().mapToInt(Integer::intValue).toArray(),
                w,
                hgt,
                res,
                crs,
                manifest,
                index);
    }

    /**
     * Top-level scalar fields of manifest.json (strings, and numbers as written), empty when there is no
     * manifest; JSON that does not parse is an {@link InputException} naming the line.
     */
    public static Map<String, String> readManifest(Path file) throws IOException {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(file)) return out;
        try (com.fasterxml.jackson.core.JsonParser p = org.geomend.io.Json.MAPPER.createParser(file.toFile())) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT)
                throw new InputException(file, p.currentLocation().getLineNr(), "manifest is not a JSON object");
            for (com.fasterxml.jackson.core.JsonToken t;
                    (t = p.nextToken()) == com.fasterxml.jackson.core.JsonToken.FIELD_NAME; ) {
                String key = p.currentName();
                t = p.nextToken();
                if (t.isStructStart()) p.skipChildren();
                else if (t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING || t.isNumeric())
                    out.put(key, p.getText());
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InputException(
                    file,
                    e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "bad JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        return out;
    }

    public Path dir() {
        return dir;
    }

    public Path sitesFile() {
        return sitesFile;
    }

    public Path mapsFile() {
        return mapsFile;
    }

    /** All sites of the inventory (neighbour searches run over all of them). */
    public SitePositions positions() {
        return positions;
    }

    public int size() {
        return ids.length;
    }

    public String id(int site) {
        return ids[site];
    }

    /** Urbanisation class: the {@code env} column, or the density rule of {@link Urbanisation} where it is empty. */
    public String env(int site) {
        return env[site];
    }

    /** City name ({@code ""} when the file has no city column). */
    public String city(int site) {
        return city[site];
    }

    /** 1-based line of the site in sites.csv. */
    public long line(int site) {
        return line[site];
    }

    public Integer indexOf(String id) {
        return index.get(id);
    }

    /** Row of the site's ground-truth map in maps.arrow, or -1. */
    public int mapRow(int site) {
        return mapRow[site];
    }

    /** The sites with a ground-truth map (the candidates for testing), in maps.arrow row order. */
    public int[] tested() {
        return tested.clone();
    }

    /** Width (= window side W in pixels) of the ground-truth maps. */
    public int window() {
        return window;
    }

    public int mapHeight() {
        return mapHeight;
    }

    /** Pixel side of the ground-truth maps (metres). */
    public double resolution() {
        return resolution;
    }

    public String crs() {
        return crs;
    }

    /** The site's window by the SPEC lattice rule (the grid every method draws on). */
    public GridSpec windowOf(int site) {
        return GridSpec.window(positions.x()[site], positions.y()[site], window, resolution);
    }

    /** manifest.json's top-level scalars (seed, sites, maps, window, ...), empty when absent. */
    public Map<String, String> manifest() {
        return manifest;
    }

    /** Opens the ground-truth maps (caller closes). */
    public ArrowMapReader openMaps() throws IOException {
        return ArrowMapReader.open(mapsFile);
    }
}
