package org.geomend.io;

import java.io.PrintStream;

/**
 * How {@link InventoryReader} reads a site inventory.
 *
 * @param crs         {@code --crs}: an EPSG code or proj string ({@link org.geomend.geo.Projections#parse}),
 *                    or null for the format's default (see {@link InventoryReader})
 * @param operator    {@code --operator}: keep only the rows of this operator code, or null for all
 * @param skipBadRows {@code --skip-bad-rows}: skip and count bad rows instead of failing on the first
 * @param report      where one-line summaries go (skipped rows, merged positions, CRS chosen), or null
 */
public record InventoryOptions(String crs, String operator, boolean skipBadRows, PrintStream report) {

    /** No CRS override, no operator filter, fail on bad rows, no report. */
    public static InventoryOptions defaults() {
        return new InventoryOptions(null, null, false, null);
    }

    public InventoryOptions withCrs(String c) {
        return new InventoryOptions(c, operator, skipBadRows, report);
    }

    public InventoryOptions withOperator(String o) {
        return new InventoryOptions(crs, o, skipBadRows, report);
    }

    public InventoryOptions withSkipBadRows(boolean s) {
        return new InventoryOptions(crs, operator, s, report);
    }

    public InventoryOptions withReport(PrintStream r) {
        return new InventoryOptions(crs, operator, skipBadRows, r);
    }
}
