package org.geomend.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads one map from a file of any of our formats, told apart by their first bytes. */
public final class MapFiles {

    public enum Format {
        ARROW,
        GEOTIFF,
        NPY
    }

    private MapFiles() {}

    /** The format of {@code file} from its magic bytes; a {@link InputException} when none fits. */
    public static Format detect(Path file) throws IOException {
        byte[] m = new byte[6];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(m, 0, 6);
        }
        if (n >= 6 && new String(m, 0, 6, java.nio.charset.StandardCharsets.ISO_8859_1).equals("ARROW1"))
            return Format.ARROW;
        if (n >= 6
                && (m[0] & 0xff) == 0x93
                && new String(m, 1, 5, java.nio.charset.StandardCharsets.ISO_8859_1).equals("NUMPY")) return Format.NPY;
        if (n >= 4
                && ((m[0] == 'I' && m[1] == 'I' && (m[2] == 42 || m[2] == 43) && m[3] == 0)
                        || (m[0] == 'M' && m[1] == 'M' && m[2] == 0 && (m[3] == 42 || m[3] == 43))))
            return Format.GEOTIFF;
        throw new InputException(file, 0, "not an Arrow, GeoTIFF or NPY map file");
    }

    /** The map in {@code file}; an Arrow file must hold exactly one (else name it with {@link #readSingle(Path, String)}). */
    public static MapData readSingle(Path file) throws IOException {
        return readSingle(file, null);
    }

    /** The map in {@code file}, or the one of {@code id} in an Arrow file ({@code id} null: the file's only map). */
    public static MapData readSingle(Path file, String id) throws IOException {
        return switch (detect(file)) {
            case GEOTIFF -> GeoTiffMapReader.read(file);
            case NPY -> NpyMapReader.read(file);
            case ARROW -> {
                try (ArrowMapReader r = ArrowMapReader.open(file)) {
                    if (id != null) yield r.read(id);
                    int n = r.rowCount();
                    if (n != 1)
                        throw new InputException(file, 0, "holds " + n + " maps; name the one wanted by its id");
                    yield r.read(0);
                }
            }
        };
    }
}
