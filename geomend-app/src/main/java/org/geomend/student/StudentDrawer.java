package org.geomend.student;

import java.lang.foreign.ValueLayout;
import org.geomend.geolocate.DrawBatch;
import org.geomend.geolocate.MapDrawer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.SitePositions;

/**
 * A U-Net student (DeepMEND, Direct) as {@link org.geomend.geolocate.Geolocator}'s drawer: each batch's features,
 * the network ({@link StudentModel#predict}, its own batch at a time), crop, mask and normalise. The model is the
 * caller's.
 */
public final class StudentDrawer implements MapDrawer {

    private final StudentModel model;
    private final SitePositions positions;

    /** @param positions all sites of the inventory (the features look at every one) */
    public StudentDrawer(StudentModel model, SitePositions positions) {
        this.model = model;
        this.positions = positions;
    }

    @Override
    public Tile tile(GridSpec raster) {
        return (DrawBatch b, double[] sums) -> {
            int n = b.size(), px = Math.toIntExact(b.mapPixels());
            byte[][] masks = null;
            if (b.masked()) {
                masks = new byte[n][];
                for (int m = 0; m < n; m++)
                    masks[m] = b.mask(m).segment().asSlice(0, px).toArray(ValueLayout.JAVA_BYTE);
            }
            float[] maps = new float[n * px];
            double[] s = model.predict(positions, b.sites(), b.windows(), masks, maps, 0);
            System.arraycopy(s, 0, sums, 0, n);
            b.maps().copyFrom(maps, 0);
        };
    }
}
