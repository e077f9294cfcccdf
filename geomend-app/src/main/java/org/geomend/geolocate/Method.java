package org.geomend.geolocate;

import java.util.Locale;

/** The geolocation methods of SPEC section 2, by their command-line names. */
public enum Method {
    VORONOI("voronoi"),
    SPDI("spdi"),
    SPDI_LEGACY("spdi-legacy"),
    VORONOIBOOST("voronoiboost"),
    DEEPMEND("deepmend"),
    DIRECT("direct");

    public final String cliName;

    Method(String cliName) {
        this.cliName = cliName;
    }

    public static Method parse(String s) {
        for (Method m : values()) if (m.cliName.equals(s.toLowerCase(Locale.ROOT))) return m;
        throw new IllegalArgumentException(
                "unknown method '" + s + "' (voronoi, spdi, spdi-legacy, voronoiboost, deepmend, direct)");
    }

    /** True for the methods this build can run from site positions alone. */
    public boolean closedForm() {
        return this == VORONOI || this == SPDI || this == SPDI_LEGACY;
    }
}
