package org.geomend.eval;

import java.io.IOException;
import java.nio.file.Path;
import org.geomend.geolocate.DrawBatch;
import org.geomend.geolocate.MapDrawer;
import org.geomend.kernels.GridBuffer;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.kernels.nn.java.JavaNnKernels;
import org.geomend.student.StudentDrawer;
import org.geomend.student.StudentModel;
import org.geomend.student.TargetTransform;
import org.geomend.student.UNetConfig;

/**
 * {@code deepmend} / {@code direct} in {@code geomend eval}, from a model trained beforehand ({@code --model
 * NAME=DIR}): the model is the same for every fold (so it is reported as not {@link #trained()}, and a model trained
 * on the dataset's own sites leaks into its test folds: train it on another dataset or with the test sites left out;
 * without {@code --model} eval trains one per fold, {@link StudentFoldMethod}). A model trained on a coarser grid draws on its own grid and each coarse
 * pixel's mass is spread evenly over the dataset pixels whose centres it holds, then renormalised, so KS2 is always
 * taken on the dataset's grid.
 */
public final class StudentMethod implements EvalMethod {

    private final String name;
    private final Path model;
    private final int threads;
    private NnKernels nn;
    private StudentModel student;

    public StudentMethod(String name, Path model, int threads) {
        this.name = name;
        this.model = model;
        this.threads = threads;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void draw(Chunk chunk, MapOut out) throws IOException {
        if (student == null) {
            nn = new JavaNnKernels(threads);
            student = StudentModel.load(model, nn, chunk.kernels(), chunk.allocator(), 4);
        }
        draw(student, chunk, out);
    }

    /** Draws the chunk's maps with {@code student} on its own grid, spread onto the dataset's ({@link TargetTransform#spread}). */
    static void draw(StudentModel student, Chunk chunk, MapOut out) throws IOException {
        UNetConfig cfg = student.config();
        int n = chunk.size(), cw = cfg.window();
        GridSpec[] coarse = new GridSpec[n];
        for (int m = 0; m < n; m++) {
            int s = chunk.site(m);
            coarse[m] = GridSpec.window(
                    chunk.data().positions().x()[s], chunk.data().positions().y()[s], cw, cfg.resolution());
        }
        float[] maps;
        // geolocate's drawer, on the model's own grid
        try (GridBuffer drawn = GridBuffer.allocate(chunk.allocator(), GridBuffer.Type.FLOAT32, (long) n * cw * cw);
                MapDrawer.Tile tile = new StudentDrawer(student, chunk.data().positions()).tile(null)) {
            tile.draw(new DrawBatch(chunk.sites(), coarse, drawn, null, null, null), new double[n]);
            maps = drawn.segment().asSlice(0, (long) n * cw * cw * 4).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
        }
        long px = chunk.mapPixels();
        try (GridBuffer buf = GridBuffer.allocate(chunk.allocator(), GridBuffer.Type.FLOAT32, n * px)) {
            for (int m = 0; m < n; m++) {
                GridSpec fine = chunk.window(m);
                float[] f = TargetTransform.spread(maps, m * cw * cw, coarse[m], fine);
                buf.copyFrom(f, m * px);
                out.accept(m, fine, buf, m * px, Double.NaN);
            }
        }
    }

    @Override
    public void close() {
        if (student != null) student.close();
        if (nn != null) nn.close();
    }
}
