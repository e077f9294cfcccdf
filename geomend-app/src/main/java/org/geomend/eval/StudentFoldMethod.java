package org.geomend.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.geomend.dataset.Dataset;
import org.geomend.io.ArrowMapReader;
import org.geomend.io.InputException;
import org.geomend.kernels.Memory;
import org.geomend.kernels.nn.NnBackends;
import org.geomend.kernels.nn.NnKernels;
import org.geomend.student.StudentModel;
import org.geomend.student.TrainOptions;
import org.geomend.student.Trainer;
import org.geomend.student.UNetConfig;

/**
 * {@code deepmend} / {@code direct} in {@code geomend eval} without {@code --model}: a fresh U-Net trained on each
 * fold's training sites with {@link Trainer} (Direct on their ground truth, DeepMEND on the teacher's labels), then
 * drawn on the fold's test sites like {@link StudentMethod} draws a given model. Each fold's model directory
 * ({@code model.safetensors}, {@code config.json}, {@code checkpoint.safetensors}, {@code train.csv}, {@code
 * train.png}) is written to {@code MODELS/NAME-SPLIT-foldK}, so {@code eval --model NAME=MODELS/NAME-SPLIT-foldK}
 * scores that fold's test sites the same.
 *
 * <p>Labels (DeepMEND): every training site needs one; a site without is an error naming it and the file, except when
 * the teacher ran on a subset ({@code geomend teacher --limit / --ids}: its {@code manifest.json} counts fewer sites
 * than the dataset has with ground truth), where each fold trains on its labelled training sites and says how many.
 */
public final class StudentFoldMethod implements EvalMethod {

    /**
     * How each fold trains: the network and grid, epochs, batch, learning rate, seed (initialisation, validation
     * split, shuffles: the same for every fold), the validation fraction of the fold's training sites, whether the
     * model kept is the epoch with the best validation KS2 and the loss's user weight ({@link TrainOptions}); {@code labels}
     * is the teacher's {@code labels.arrow} (DeepMEND) or null (Direct: the ground truth); models go under {@code
     * modelsDir}; the U-Net runs on {@code backend} ({@code --conv} {@code conv}) with {@code threads} CPU threads.
     */
    public record Settings(
            UNetConfig config,
            int epochs,
            int batch,
            double lr,
            long seed,
            double valFraction,
            Path labels,
            Path modelsDir,
            String backend,
            String conv,
            int threads,
            boolean keepBest,
            double userWeight) {}

    private final String name;
    private final Settings s;
    private final PrintStream log;
    private NnKernels nn;
    private BufferAllocator alloc;
    private StudentModel student;
    private Dataset labelledFor;
    private Set<Integer> labelled; // DeepMEND: dataset indices with a teacher label
    private String subset; // non-null when the teacher ran on a subset: how it was found out

    public StudentFoldMethod(String name, Settings settings, PrintStream log) {
        if (!name.equals("direct") && !name.equals("deepmend"))
            throw new IllegalArgumentException("not a U-Net student: " + name);
        if (name.equals("deepmend") != (settings.labels() != null))
            throw new IllegalArgumentException(name + ": "
                    + (name.equals("deepmend")
                            ? "needs the teacher's labels"
                            : "trains on the ground truth, not on labels"));
        this.name = name;
        this.s = settings;
        this.log = log;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean trained() {
        return true;
    }

    /**
     * Before any work (DeepMEND): every label names a site of {@code data}, and, unless the teacher ran on a
     * subset, every site with ground truth (each is a training site of some fold) has a label.
     */
    public StudentFoldMethod checkLabels(Dataset data) throws IOException {
        if (s.labels() == null) return this;
        readLabels(data);
        if (subset == null)
            for (int site : data.tested())
                if (!labelled.contains(site))
                    throw missing(data, site, "every site with ground truth trains in some fold");
        return this;
    }

    private InputException missing(Dataset data, int site, String why) {
        return new InputException(
                s.labels(),
                0,
                "no teacher label for site " + data.id(site) + " ("
                        + data.sitesFile().getFileName() + ":" + data.line(site) + "; " + why
                        + "): run geomend teacher on this dataset, or on a subset with --limit / --ids");
    }

    /** The model directory of a fold. */
    public Path modelDir(FitContext fold) {
        return s.modelsDir().resolve(name + "-" + fold.tag());
    }

    @Override
    public void fit(Dataset data, FitContext fold) throws IOException {
        String tag = name + " " + fold.tag();
        int[] train = trainingSites(data, fold, tag);
        if (nn == null) {
            nn = NnBackends.open(s.backend(), s.conv(), s.threads(), log);
            alloc = Memory.child("student-fold");
        }
        if (student != null) {
            student.close();
            student = null;
        }
        Path dir = modelDir(fold);
        TrainOptions o = new TrainOptions(
                data.dir(),
                s.labels(),
                dir,
                s.config(),
                s.epochs(),
                s.batch(),
                s.lr(),
                s.seed(),
                false,
                s.valFraction(),
                0,
                s.keepBest(),
                s.userWeight());
        long t0 = System.nanoTime();
        List<Trainer.EpochLog> h = new Trainer(o, nn, fold.kernels(), alloc, log, tag + ": ").run(data, train);
        Trainer.EpochLog last = h.get(h.size() - 1), kept = Trainer.kept(h, s.keepBest());
        log.printf(
                Locale.ROOT,
                "%s: trained in %.1f s on %d of the fold's sites (validation among them; nn backend %s), kept epoch %d of %d (validation KS2 median %.4f); wrote %s%n",
                tag,
                (System.nanoTime() - t0) / 1e9,
                train.length,
                nn.name(),
                kept.epoch(),
                last.epoch(),
                kept.valKs2Median(),
                dir);
        student = StudentModel.load(dir, nn, fold.kernels(), alloc, 4);
    }

    /** The fold's training sites this student trains on (DeepMEND: those with a teacher label; see the class doc). */
    private int[] trainingSites(Dataset data, FitContext fold, String tag) throws IOException {
        int[] train = fold.fold().train();
        if (s.labels() == null) return train;
        if (labelledFor != data) readLabels(data);
        List<Integer> keep = new ArrayList<>();
        for (int site : train) {
            if (labelled.contains(site)) keep.add(site);
            else if (subset == null) throw missing(data, site, "a training site of " + tag);
        }
        if (keep.size() < train.length)
            log.printf(
                    Locale.ROOT,
                    "%s: %d of %d training sites have a teacher label (%s): training on those%n",
                    tag,
                    keep.size(),
                    train.length,
                    subset);
        if (keep.isEmpty())
            throw new InputException(s.labels(), 0, "no training site of " + tag + " has a teacher label");
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    private void readLabels(Dataset data) throws IOException {
        Set<Integer> ids = new HashSet<>();
        try (ArrowMapReader r = ArrowMapReader.open(s.labels())) {
            for (String id : r.ids()) {
                Integer i = data.indexOf(id);
                if (i == null)
                    throw new InputException(s.labels(), 0, "label '" + id + "' has no site in " + data.sitesFile());
                ids.add(i);
            }
        }
        labelled = ids;
        labelledFor = data;
        subset = null;
        Path manifest = s.labels().resolveSibling("manifest.json");
        if (Files.isRegularFile(manifest)) {
            JsonNode n;
            try {
                n = org.geomend.io.Json.MAPPER.readTree(manifest.toFile());
            } catch (IOException e) {
                throw new InputException(manifest, 0, "not a teacher manifest: " + e.getMessage());
            }
            JsonNode sites = n.get("sites");
            int tested = data.tested().length;
            if (sites != null && sites.canConvertToInt() && sites.asInt() < tested)
                subset = "the teacher ran on " + sites.asInt() + " of the " + tested + " sites with ground truth, "
                        + manifest;
        }
    }

    @Override
    public void draw(Chunk chunk, MapOut out) throws IOException {
        if (student == null) throw new IllegalStateException(name + ": draw before fit");
        StudentMethod.draw(student, chunk, out);
    }

    @Override
    public void close() {
        if (student != null) student.close();
        if (nn != null) nn.close();
        if (alloc != null) alloc.close();
    }
}
