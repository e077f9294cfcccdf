package org.geomend.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.geomend.kernels.GridSpec;

/**
 * Reads a single-band float32 GeoTIFF back as a map, row 0 = south: classic TIFF of either byte order,
 * uncompressed, in strips, north-up, georeferenced by pixel scale + tiepoint (or a non-rotating
 * {@code ModelTransformationTag}); PixelIsPoint rasters are shifted half a pixel. The CRS name is the
 * {@code GTCitationGeoKey} when present, else {@code EPSG:<code>} of {@code ProjectedCSTypeGeoKey}, else
 * null. The id is the file stem.
 */
public final class GeoTiffMapReader {

    private GeoTiffMapReader() {}

    /** Raw tag values: numbers as double[] (rationals divided), ASCII as String. */
    static Map<Integer, Object> tags(Path file, ByteBuffer b) {
        if (b.remaining() < 8) throw new InputException(file, 0, "not a TIFF file");
        if (b.get(0) == 'I' && b.get(1) == 'I') b.order(ByteOrder.LITTLE_ENDIAN);
        else if (b.get(0) == 'M' && b.get(1) == 'M') b.order(ByteOrder.BIG_ENDIAN);
        else throw new InputException(file, 0, "not a TIFF file");
        int magic = b.getShort(2) & 0xffff;
        if (magic == 43) throw new InputException(file, 0, "BigTIFF is not supported");
        if (magic != 42) throw new InputException(file, 0, "not a TIFF file");
        Map<Integer, Object> out = new HashMap<>();
        try {
            int ifd = b.getInt(4);
            int n = b.getShort(ifd) & 0xffff;
            for (int i = 0; i < n; i++) {
                int e = ifd + 2 + 12 * i;
                int id = b.getShort(e) & 0xffff, type = b.getShort(e + 2) & 0xffff;
                long count = b.getInt(e + 4) & 0xffffffffL;
                int size = switch (type) { case 1, 2, 6, 7 -> 1; case 3, 8 -> 2; case 4, 9, 11 -> 4; case 5, 10, 12 -> 8; default -> 0; };
                if (size == 0) continue;
                long bytes = count * size;
                int at = bytes <= 4 ? e + 8 : b.getInt(e + 8);
                if (at < 0 || at + bytes > b.limit()) throw new InputException(file, 0, "tag " + id + " points outside the file");
                if (type == 2) {
                    byte[] s = new byte[(int) bytes];
                    b.get(at, s);
                    int len = s.length;
                    while (len > 0 && s[len - 1] == 0) len--;
                    out.put(id, new String(s, 0, len, StandardCharsets.ISO_8859_1));
                    continue;
                }
                double[] v = new double[(int) count];
                for (int k = 0; k < count; k++) {
                    int p = at + k * size;
                    v[k] = switch (type) {
                        case 1, 7 -> b.get(p) & 0xff;
                        case 6 -> b.get(p);
                        case 3 -> b.getShort(p) & 0xffff;
                        case 8 -> b.getShort(p);
                        case 4 -> b.getInt(p) & 0xffffffffL;
                        case 9 -> b.getInt(p);
                        case 11 -> b.getFloat(p);
                        case 5 -> (b.getInt(p) & 0xffffffffL) / (double) (b.getInt(p + 4) & 0xffffffffL);
                        case 10 -> b.getInt(p) / (double) b.getInt(p + 4);
                        default -> b.getDouble(p);
                    };
                }
                out.put(id, v);
            }
        } catch (IndexOutOfBoundsException e) {
            throw new InputException(file, 0, "truncated TIFF");
        }
        return out;
    }

    private static double[] nums(Path file, Map<Integer, Object> t, int tag, String name) {
        if (!(t.get(tag) instanceof double[] v) || v.length == 0) throw new InputException(file, 0, "GeoTIFF has no " + name + " tag");
        return v;
    }

    private static int one(Map<Integer, Object> t, int tag, int dflt) {
        return t.get(tag) instanceof double[] v && v.length > 0 ? (int) v[0] : dflt;
    }

    /** Geo keys: key id to Integer, Double or String. */
    static Map<Integer, Object> geoKeys(Map<Integer, Object> t) {
        Map<Integer, Object> out = new HashMap<>();
        if (!(t.get(GeoTiffMapSink.GEO_KEY_DIRECTORY) instanceof double[] d) || d.length < 4) return out;
        double[] dbl = t.get(GeoTiffMapSink.GEO_DOUBLE_PARAMS) instanceof double[] x ? x : new double[0];
        String asc = t.get(GeoTiffMapSink.GEO_ASCII_PARAMS) instanceof String s ? s : "";
        for (int i = 0; i < (int) d[3] && 4 + 4 * i + 3 < d.length; i++) {
            int key = (int) d[4 + 4 * i], loc = (int) d[5 + 4 * i], count = (int) d[6 + 4 * i], val = (int) d[7 + 4 * i];
            if (loc == 0) out.put(key, val);
            else if (loc == GeoTiffMapSink.GEO_DOUBLE_PARAMS && val < dbl.length) out.put(key, dbl[val]);
            else if (loc == GeoTiffMapSink.GEO_ASCII_PARAMS && val + count <= asc.length()) {
                String s = asc.substring(val, val + count);
                out.put(key, s.endsWith("|") ? s.substring(0, s.length() - 1) : s);
            }
        }
        return out;
    }

    public static MapData read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        Map<Integer, Object> t = tags(file, b);
        int w = (int) nums(file, t, GeoTiffMapSink.IMAGE_WIDTH, "ImageWidth")[0];
        int h = (int) nums(file, t, GeoTiffMapSink.IMAGE_LENGTH, "ImageLength")[0];
        if (one(t, GeoTiffMapSink.SAMPLES_PER_PIXEL, 1) != 1) throw new InputException(file, 0, "more than one band");
        if (one(t, GeoTiffMapSink.BITS_PER_SAMPLE, 1) != 32 || one(t, GeoTiffMapSink.SAMPLE_FORMAT, 1) != 3)
            throw new InputException(file, 0, "not float32 samples");
        if (one(t, GeoTiffMapSink.COMPRESSION, 1) != 1) throw new InputException(file, 0, "compressed GeoTIFF is not supported");
        if (t.containsKey(322)) throw new InputException(file, 0, "tiled GeoTIFF is not supported");
        double[] offs = nums(file, t, GeoTiffMapSink.STRIP_OFFSETS, "StripOffsets");
        double[] counts = nums(file, t, GeoTiffMapSink.STRIP_BYTE_COUNTS, "StripByteCounts");
        int rps = (int) Math.min(h, one(t, GeoTiffMapSink.ROWS_PER_STRIP, h));
        if (rps <= 0 || offs.length != (h + rps - 1) / rps || counts.length != offs.length)
            throw new InputException(file, 0, "strip layout does not match the image size");

        Map<Integer, Object> keys = geoKeys(t);
        double r, left, top;
        if (t.get(GeoTiffMapSink.MODEL_PIXEL_SCALE) instanceof double[] sc && t.get(GeoTiffMapSink.MODEL_TIEPOINT) instanceof double[] tp
                && sc.length >= 2 && tp.length >= 6) {
            if (Math.abs(sc[0] - sc[1]) > 1e-9 * sc[0]) throw new InputException(file, 0, "pixels are not square");
            r = sc[0];
            left = tp[3] - tp[0] * r;
            top = tp[4] + tp[1] * r;
        } else if (t.get(34264) instanceof double[] m && m.length >= 16 && m[1] == 0 && m[4] == 0) {
            if (Math.abs(m[0] + m[5]) > 1e-9 * m[0]) throw new InputException(file, 0, "not a north-up raster with square pixels");
            r = m[0];
            left = m[3];
            top = m[7];
        } else throw new InputException(file, 0, "no georeferencing (pixel scale + tiepoint)");
        if (keys.get(GeoKeys.GT_RASTER_TYPE) instanceof Integer rt && rt == 2) {   // PixelIsPoint
            left -= r / 2;
            top += r / 2;
        }
        GridSpec grid = new GridSpec(left, top - h * r, r, w, h);

        float[] v = new float[Math.toIntExact((long) w * h)];
        long rowBytes = 4L * w;
        for (int s = 0; s < offs.length; s++) {
            int rows = Math.min(rps, h - s * rps);
            long at = (long) offs[s];
            if (counts[s] < rows * rowBytes || at + rows * rowBytes > b.limit())
                throw new InputException(file, 0, "strip " + s + " is short or outside the file");
            for (int k = 0; k < rows; k++) {
                int fileRow = s * rps + k, base = (h - 1 - fileRow) * w;
                int p = (int) (at + k * rowBytes);
                for (int c = 0; c < w; c++) v[base + c] = b.getFloat(p + 4 * c);
            }
        }
        String crs = keys.get(GeoKeys.GT_CITATION) instanceof String c && !c.isEmpty() ? c
                : keys.get(GeoKeys.PROJECTED_CS_TYPE) instanceof Integer e && e != GeoKeys.USER_DEFINED ? "EPSG:" + e : null;
        String stem = file.getFileName().toString().replaceFirst("\\.tiff?$", "");
        return new MapData(stem, grid, crs, v);
    }
}
