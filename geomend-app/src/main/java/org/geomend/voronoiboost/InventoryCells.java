package org.geomend.voronoiboost;

import org.geomend.kernels.SitePositions;

/**
 * What VoronoiBoost knows of an inventory: its clipped tessellation ({@link Tessellation}) and the features of
 * every site ({@link CellFeatures}), computed once and shared by training and drawing.
 */
public final class InventoryCells {

    private final Tessellation tess;
    private final double[][] nodeFeatures;
    private final VoronoiBoostModel.Settings settings;

    private InventoryCells(Tessellation tess, double[][] nodeFeatures, VoronoiBoostModel.Settings settings) {
        this.tess = tess;
        this.nodeFeatures = nodeFeatures;
        this.settings = settings;
    }

    public static InventoryCells of(SitePositions sites, VoronoiBoostModel.Settings settings) {
        Tessellation t = Tessellation.build(sites, settings.clipMargin());
        return new InventoryCells(t, CellFeatures.ofNodes(t), settings);
    }

    public Tessellation tessellation() {
        return tess;
    }

    public VoronoiBoostModel.Settings settings() {
        return settings;
    }

    /** The site's features (shared array: do not modify). */
    public double[] features(int site) {
        return nodeFeatures[tess.node(site)];
    }

    /** The site's cell and the origin it is scaled about. */
    public ScaledCell cell(int site) {
        int k = tess.node(site);
        return ScaledCell.of(tess.cellX(k), tess.cellY(k), tess.nodeX(k), tess.nodeY(k), settings.origin());
    }
}
