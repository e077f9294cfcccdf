package org.geomend.io;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * File names of per-base-station outputs ({@code <id>.tif}, {@code <id>.npy}). An id made only of
 * {@code [A-Za-z0-9._-]}, not starting with a dot and at most 120 characters long is used as is.
 * Any other id has each other character replaced by {@code _}, a leading dot replaced by {@code _},
 * is cut to 120 characters, and gets {@code -} plus the 8 hex digits of the CRC-32 of its UTF-8 bytes
 * appended, so that distinct ids keep distinct names (e.g. {@code "a/b"} becomes {@code a_b-xxxxxxxx}).
 * The {@code index.csv} beside the files holds the original ids.
 */
public final class FileNames {

    static final int MAX_STEM = 120;

    private FileNames() {}

    /** The file stem (no extension) for {@code id}. */
    public static String stem(String id) {
        if (id == null) throw new IllegalArgumentException("null id");
        StringBuilder sb = new StringBuilder(Math.min(id.length(), MAX_STEM));
        boolean changed = id.isEmpty() || id.length() > MAX_STEM;
        for (int i = 0; i < id.length() && sb.length() < MAX_STEM; i++) {
            char ch = id.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z')
                    || (ch >= 'A' && ch <= 'Z')
                    || (ch >= '0' && ch <= '9')
                    || ch == '_'
                    || ch == '-'
                    || (ch == '.' && i > 0);
            sb.append(ok ? ch : '_');
            changed |= !ok;
        }
        if (!changed) return id;
        CRC32 crc = new CRC32();
        crc.update(id.getBytes(StandardCharsets.UTF_8));
        return sb.append('-')
                .append(HexFormat.of().toHexDigits((int) crc.getValue()))
                .toString();
    }
}
