package org.geomend.bench;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.dataset.Dataset;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.MapData;
import org.geomend.kernels.GridSpec;
import org.geomend.kernels.Memory;
import org.geomend.kernels.java.JavaKernels;
import org.geomend.kernels.nn.java.JavaNnKernels;
import org.geomend.report.Stats;
import org.geomend.student.StudentModel;
import org.geomend.student.TargetTransform;
import org.geomend.student.Trainer;
import org.geomend.student.UNetConfig;

/**
 * How well a trained U-Net student fits its labels, on its own grid: per labelled BS, KS2 of the student's map
 * against its label and against the ground truth, and of the label against the ground truth, split into the
 * training and validation BSs the way {@code geomend train} drew them (same seed and fraction), then the mean mass
 * of the student's maps and of the labels in rings around the BS (under 1 km, 1-3, 3-10, 10-20, beyond), and the
 * mean absolute difference in the target space y' on the training BSs (the paper's plain L1, after
 * renormalisation). Shows whether the student spreads its users wider than its labels.
 * Run: {@code java -cp bench/target/geomend-bench.jar org.geomend.bench.StudentFit DATASET LABELS.arrow MODEL_DIR [SEED] [VAL_FRACTION]}.
 */
public final class StudentFit {

    private static final double[] RINGS_M = {1_000, 3_000, 10_000, 20_000, Double.POSITIVE_INFINITY};

    private StudentFit() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: StudentFit DATASET LABELS.arrow MODEL_DIR [SEED] [VAL_FRACTION]");
            System.exit(2);
        }
        Dataset data = Dataset.load(Path.of(args[0]));
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        double valFraction = args.length > 4 ? Double.parseDouble(args[4]) : 0.1;
        try (BufferAllocator alloc = Memory.child("bench-student-fit");
                JavaKernels geo = new JavaKernels(0);
                JavaNnKernels nn = new JavaNnKernels(0);
                StudentModel student = StudentModel.load(Path.of(args[2]), nn, geo, alloc, 4);
                ArrowMapReader truth = data.openMaps();
                ArrowMapReader labels = ArrowMapReader.open(Path.of(args[1]))) {
            UNetConfig cfg = student.config();
            int[] labelled = labels.ids().stream().mapToInt(data::indexOf).toArray();
            Set<Integer> val =
                    new HashSet<>(Trainer.validationSites(data, labelled, seed, valFraction)); // train's split
            int w = cfg.window(), px = w * w;
            int[] sites = Arrays.stream(labelled)
                    .filter(s -> data.mapRow(s) >= 0)
                    .sorted()
                    .toArray();
            GridSpec[] wins = new GridSpec[sites.length];
            for (int i = 0; i < sites.length; i++)
                wins[i] = GridSpec.window(
                        data.positions().x()[sites[i]], data.positions().y()[sites[i]], w, cfg.resolution());
            float[] pred = new float[sites.length * px];
            student.predict(data.positions(), sites, wins, null, pred, 0);
            List<List<Double>> ks = new ArrayList<>();
            for (int q = 0; q < 6; q++) ks.add(new ArrayList<>());
            double[] ringPred = new double[RINGS_M.length], ringLabel = new double[RINGS_M.length];
            double l1 = 0;
            long l1n = 0;
            for (int i = 0; i < sites.length; i++) {
                int set = val.contains(sites[i]) ? 3 : 0;
                MapData t = truth.read(data.mapRow(sites[i])), l = labels.read(data.id(sites[i]));
                float[] tc = Trainer.normalised(TargetTransform.resample(t.values(), t.grid(), wins[i]));
                float[] lc = Trainer.normalised(TargetTransform.resample(l.values(), l.grid(), wins[i]));
                float[] p = Arrays.copyOfRange(pred, i * px, (i + 1) * px);
                ks.get(set).add(ks2(p, lc, w));
                ks.get(set + 1).add(ks2(p, tc, w));
                ks.get(set + 2).add(ks2(lc, tc, w));
                double sx = data.positions().x()[sites[i]],
                        sy = data.positions().y()[sites[i]];
                for (int r = 0; r < w; r++)
                    for (int c = 0; c < w; c++) {
                        double d = Math.hypot(wins[i].centreX(c) - sx, wins[i].centreY(r) - sy);
                        int b = 0;
                        while (d >= RINGS_M[b]) b++;
                        ringPred[b] += p[r * w + c];
                        ringLabel[b] += lc[r * w + c];
                        if (set == 0) {
                            l1 += Math.abs(
                                    TargetTransform.forward(p[r * w + c]) - TargetTransform.forward(lc[r * w + c]));
                            l1n++;
                        }
                    }
            }
            String[] names = {"KS2(student, label)", "KS2(student, truth)", "KS2(label, truth)"};
            System.out.printf(
                    Locale.ROOT,
                    "model %s: %d x %d at %.0f m; %d training, %d validation BSs (seed %d, fraction %s)%n",
                    args[2],
                    w,
                    w,
                    cfg.resolution(),
                    ks.get(0).size(),
                    ks.get(3).size(),
                    seed,
                    valFraction);
            System.out.println("| median | training BSs | validation BSs |\n|---|---|---|");
            for (int q = 0; q < 3; q++)
                System.out.printf(
                        Locale.ROOT, "| %s | %.4f | %.4f |%n", names[q], median(ks.get(q)), median(ks.get(q + 3)));
            System.out.println(
                    "\n| mean mass | < 1 km | 1-3 km | 3-10 km | 10-20 km | > 20 km |\n|---|---|---|---|---|---|");
            System.out.println(ringRow("student", ringPred, sites.length));
            System.out.println(ringRow("label", ringLabel, sites.length));
            System.out.printf(
                    Locale.ROOT,
                    "%nmean |y'(student) - y'(label)| over the training BSs' pixels: %.5f%n",
                    l1 / Math.max(1, l1n));
        }
    }

    private static String ringRow(String name, double[] ring, int n) {
        StringBuilder b = new StringBuilder("| " + name + " |");
        for (double v : ring) b.append(String.format(Locale.ROOT, " %.3f |", v / n));
        return b.toString();
    }

    private static double median(List<Double> v) {
        return Stats.of(v.stream().mapToDouble(Double::doubleValue).toArray()).median();
    }

    private static double ks2(float[] a, float[] b, int w) {
        return JavaKernels.ks2(MemorySegment.ofArray(a), 0, MemorySegment.ofArray(b), 0, w, w);
    }
}
