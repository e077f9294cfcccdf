package org.geomend.geo;

import org.locationtech.proj4j.CoordinateReferenceSystem;
import org.locationtech.proj4j.CoordinateTransform;
import org.locationtech.proj4j.CoordinateTransformFactory;
import org.locationtech.proj4j.Proj4jException;
import org.locationtech.proj4j.ProjCoordinate;

/**
 * A point transform between two CRSs, both ways: {@link #forward} from the source to the target,
 * {@link #inverse} back. Made by {@link Projections#fromLonLat(Crs)} (source WGS84 lon/lat in degrees)
 * or {@link Projections#between(Crs, Crs)}.
 *
 * <p><b>Not thread-safe</b>: proj4j transforms keep scratch state, and so does this class. Each thread
 * makes its own (they are cheap: {@link #copy()} or a new call to {@link Projections}). A point that
 * cannot be transformed comes out as {@code NaN, NaN}; callers check with {@link Double#isFinite}.
 */
public final class CrsTransform {

    private final CoordinateReferenceSystem source, target;
    private final CoordinateTransform fwd, inv;
    private final ProjCoordinate in = new ProjCoordinate(), out = new ProjCoordinate();

    CrsTransform(CoordinateReferenceSystem source, CoordinateReferenceSystem target) {
        this.source = source;
        this.target = target;
        CoordinateTransformFactory f = new CoordinateTransformFactory();
        this.fwd = f.createTransform(source, target);
        this.inv = f.createTransform(target, source);
    }

    /** An independent transform with the same CRSs, for use on another thread. */
    public CrsTransform copy() {
        return new CrsTransform(source, target);
    }

    /** Source to target: returns {@code {x, y}} (NaN, NaN when it cannot be transformed). */
    public double[] forward(double x, double y) {
        double[] r = new double[2];
        run(fwd, x, y, r, 0);
        return r;
    }

    /** Target to source: returns {@code {x, y}} (for a lon/lat source: {@code {lon, lat}}). */
    public double[] inverse(double x, double y) {
        double[] r = new double[2];
        run(inv, x, y, r, 0);
        return r;
    }

    /** Source to target for {@code n} points; {@code dstX}/{@code dstY} may be the source arrays. */
    public void forward(double[] srcX, double[] srcY, double[] dstX, double[] dstY, int n) {
        bulk(fwd, srcX, srcY, dstX, dstY, n);
    }

    /** Target to source for {@code n} points; {@code dstX}/{@code dstY} may be the source arrays. */
    public void inverse(double[] srcX, double[] srcY, double[] dstX, double[] dstY, int n) {
        bulk(inv, srcX, srcY, dstX, dstY, n);
    }

    private void bulk(CoordinateTransform t, double[] sx, double[] sy, double[] dx, double[] dy, int n) {
        double[] r = new double[2];
        for (int i = 0; i < n; i++) {
            run(t, sx[i], sy[i], r, 0);
            dx[i] = r[0];
            dy[i] = r[1];
        }
    }

    private void run(CoordinateTransform t, double x, double y, double[] r, int at) {
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            r[at] = r[at + 1] = Double.NaN;
            return;
        }
        in.x = x;
        in.y = y;
        in.z = Double.NaN;
        try {
            t.transform(in, out);
            r[at] = out.x;
            r[at + 1] = out.y;
        } catch (Proj4jException | ArithmeticException e) {
            r[at] = r[at + 1] = Double.NaN;
        }
        if (!Double.isFinite(r[at]) || !Double.isFinite(r[at + 1])) r[at] = r[at + 1] = Double.NaN;
    }
}
