package org.geomend.synth;

import java.util.Locale;

/** Urbanisation class of a site, as written in inventories ({@code urban|suburban|rural}). */
public enum Env {
    URBAN,
    SUBURBAN,
    RURAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code urban|suburban|rural} (any case); null for anything else. */
    public static Env parse(String s) {
        if (s == null) return null;
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "urban" -> URBAN;
            case "suburban" -> SUBURBAN;
            case "rural" -> RURAL;
            default -> null;
        };
    }
}
