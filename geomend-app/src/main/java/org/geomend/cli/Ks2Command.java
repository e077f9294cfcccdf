package org.geomend.cli;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.geomend.io.MapData;
import org.geomend.io.MapFiles;
import org.geomend.kernels.java.JavaKernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code geomend ks2 A B}: the KS2 of two maps on one grid (SPEC section 3), one number on stdout. */
@Command(
        name = "ks2",
        mixinStandardHelpOptions = true,
        description =
                "Print the KS2 distance of two maps (GeoTIFF, NPY, or one row of an Arrow map file) on the same grid.")
final class Ks2Command implements Callable<Integer> {

    @Parameters(index = "0", description = "First map (.tif, .npy, .arrow).")
    Path a;

    @Parameters(index = "1", description = "Second map.")
    Path b;

    @Option(names = "--id-a", description = "Row id in A when A is an Arrow file of several maps.")
    String idA;

    @Option(names = "--id-b", description = "Row id in B when B is an Arrow file of several maps.")
    String idB;

    @Override
    public Integer call() throws Exception {
        MapData p = MapFiles.readSingle(a, idA), q = MapFiles.readSingle(b, idB);
        if (p.grid().width() != q.grid().width()
                || p.grid().height() != q.grid().height())
            throw new IllegalArgumentException(
                    a + " is " + p.grid().width() + "x" + p.grid().height() + " but " + b + " is "
                            + q.grid().width() + "x" + q.grid().height() + ": KS2 needs maps on one grid");
        if (p.grid().x0() != q.grid().x0()
                || p.grid().y0() != q.grid().y0()
                || p.grid().resolution() != q.grid().resolution())
            System.err.printf(
                    Locale.ROOT,
                    "geomend ks2: warning: the maps' georeferencing differs (%s vs %s); comparing pixel by pixel%n",
                    p.grid(),
                    q.grid());
        float[] pv = normalised(p, a), qv = normalised(q, b);
        double d = JavaKernels.ks2(
                MemorySegment.ofArray(pv),
                0,
                MemorySegment.ofArray(qv),
                0,
                p.grid().width(),
                p.grid().height());
        System.out.println(String.format(Locale.ROOT, "%.8f", d));
        return 0;
    }

    private static float[] normalised(MapData m, Path file) {
        double s = 0;
        for (float v : m.values()) {
            if (!(v >= 0) || Float.isInfinite(v))
                throw new IllegalArgumentException(file + ": map holds a negative or non-finite value");
            s += v;
        }
        if (!(s > 0)) throw new IllegalArgumentException(file + ": map has no mass");
        float[] out = new float[m.values().length];
        for (int i = 0; i < out.length; i++) out[i] = (float) (m.values()[i] / s);
        return out;
    }
}
