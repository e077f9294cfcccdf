package org.geomend.geolocate;

import java.util.List;
import org.geomend.io.Site;
import org.geomend.kernels.SitePositions;
import org.geomend.kernels.java.SiteIndex;

/**
 * Urbanisation classes for legacy sPDI (SPEC section 2: beta = 5 urban, 4 suburban, 3 rural, the
 * values of the PDI paper). A site's class is its inventory's {@code env} value when there is one;
 * otherwise it comes from the local site density, measured as the distance to the site's 5th nearest
 * other site (d5): urban when {@code d5 < 1.5 km}, suburban when {@code d5 < 5 km}, rural beyond.
 * On the ARCEP 2018 Orange inventory these thresholds put Paris and the centres of the large cities
 * in the urban class and the countryside in the rural one (see README for the class counts).
 */
public final class Urbanisation {

    public static final double URBAN_D5_M = 1_500, SUBURBAN_D5_M = 5_000;
    public static final int NEIGHBOUR_RANK = 5;

    private Urbanisation() {}

    public static double legacyBeta(String env) {
        return switch (env) {
            case "urban" -> 5;
            case "suburban" -> 4;
            case "rural" -> 3;
            default -> throw new IllegalArgumentException("unknown urbanisation class '" + env + "'");
        };
    }

    /** The class of every site: from {@code env} where present, else from density. */
    public static String[] classes(List<Site> sites, SitePositions positions) {
        String[] out = new String[sites.size()];
        SiteIndex index = null;
        for (int i = 0; i < out.length; i++) {
            String env = sites.get(i).env();
            if (env != null && !env.isBlank()) {
                out[i] = env;
                continue;
            }
            if (index == null) index = new SiteIndex(positions);
            // the site itself is its own nearest (distance 0): the 5th other site is rank 6
            double d5 = Math.sqrt(index.kthNearestSq(positions.x()[i], positions.y()[i], NEIGHBOUR_RANK + 1));
            out[i] = d5 < URBAN_D5_M ? "urban" : d5 < SUBURBAN_D5_M ? "suburban" : "rural";
        }
        return out;
    }
}
