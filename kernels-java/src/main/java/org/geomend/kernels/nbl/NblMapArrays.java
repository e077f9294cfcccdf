package org.geomend.kernels.nbl;

/**
 * A coverage map as flat arrays. Entries (one per (cell, tile) with statistics) are grouped by cell,
 * {@code cellStart[c] .. cellStart[c + 1]}, with ascending tile index inside a cell. Tile centres and cell
 * positions are Web Mercator metres; {@code tileScale} is {@code cos(latitude)} of the tile. A statistic
 * built from no value has mean NaN. {@code fpd} (may be null: no PD term) is the empirical PD error
 * density, per metre, on bins {@code [fpdMin + k * fpdBin, fpdMin + (k + 1) * fpdBin)}.
 */
public record NblMapArrays(
        int[] cellStart,
        int[] entTile,
        float[] entMuR,
        float[] entInvSdR,
        float[] entMuQ,
        float[] entInvSdQ,
        double[] tileX,
        double[] tileY,
        float[] tileScale,
        float[] tileDensity,
        double[] cellX,
        double[] cellY,
        float[] fpd,
        double fpdMin,
        double fpdBin,
        double fpdFloor) {

    public int numCells() {
        return cellStart.length - 1;
    }

    public int numTiles() {
        return tileX.length;
    }

    public int numEntries() {
        return entTile.length;
    }

    /** f_PD of a PD error in metres; {@code fpdFloor} outside the table. */
    public double fpdAt(double err) {
        double k = Math.floor((err - fpdMin) / fpdBin);
        if (!(k >= 0 && k < fpd.length)) return fpdFloor;
        return Math.max(fpd[(int) k], fpdFloor);
    }
}
