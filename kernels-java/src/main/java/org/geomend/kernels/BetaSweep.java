package org.geomend.kernels;

/**
 * One site's beta search ({@link GeoKernels#spdiBetaSweep}): the sPDI maps of {@code site} on the
 * {@code width x height} window whose first pixel sits at ({@code row0}, {@code col0}) of a
 * {@link KnnRaster}, for every attenuation of {@code betas} (each {@code > 0}, any order).
 */
public record BetaSweep(int site, int col0, int row0, int width, int height, double[] betas) {

    public BetaSweep {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("bad sweep window " + width + "x" + height);
        if (betas.length == 0) throw new IllegalArgumentException("beta sweep without betas");
        for (double b : betas)
            if (!(b > 0) || Double.isInfinite(b))
                throw new IllegalArgumentException("beta must be finite and > 0: " + b);
        betas = betas.clone();
    }

    @Override
    public double[] betas() {
        return betas.clone();
    }

    public int count() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[t];
    }

    public long mapPixels() {
        return (long) width * height;
    }

    /** Checks that the window lies inside {@code raster} and the site is one of {@code sites}. */
    public void check(GridSpec raster, SitePositions sites) {
        if (col0 < 0 || row0 < 0 || col0 + width > raster.width() || row0 + height > raster.height())
            throw new IllegalArgumentException("sweep window of site " + site + " leaves the raster");
        if (site < 0 || site >= sites.size())
            throw new IllegalArgumentException("sweep names site " + site + " of " + sites.size());
    }

    /**
     * The common step when the betas are an arithmetic progression (relative spread of the steps at most
     * 1e-9, as {@code FROM:TO:STEP} grids rounded to 9 decimals are), else NaN; 0 for a single beta.
     */
    public double uniformStep() {
        int n = betas.length;
        if (n == 1) return 0;
        double step = (betas[n - 1] - betas[0]) / (n - 1);
        for (int t = 1; t < n; t++)
            if (Math.abs(betas[t] - betas[t - 1] - step) > 1e-9 * Math.abs(step) + 1e-12) return Double.NaN;
        return step;
    }
}
