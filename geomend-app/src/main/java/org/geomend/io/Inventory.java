package org.geomend.io;

import java.util.List;
import org.geomend.geo.Crs;
import org.geomend.kernels.SitePositions;

/**
 * A read inventory: sites in file order (after the operator filter and duplicate merging), the CRS
 * their x/y are in, and what reading did: rows skipped as bad ({@code --skip-bad-rows}), sites merged
 * because they shared a position ({@code mergedIds}: merged row id to the id of the site it joined), rows
 * left out by the operator filter.
 */
public record Inventory(
        List<Site> sites,
        Crs crs,
        int skippedRows,
        int mergedDuplicates,
        int filteredOut,
        String format,
        java.util.Map<String, String> mergedIds) {

    /** The id a row's id now goes by: itself, or the id of the site it was merged into (null if neither). */
    public String resolveId(String id) {
        String m = mergedIds.get(id);
        return m != null ? m : id;
    }

    public SitePositions positions() {
        double[] x = new double[sites.size()], y = new double[sites.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = sites.get(i).x();
            y[i] = sites.get(i).y();
        }
        return new SitePositions(x, y);
    }

    public int size() {
        return sites.size();
    }
}
