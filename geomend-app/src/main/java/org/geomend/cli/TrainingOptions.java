package org.geomend.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * How the U-Net student trains: one mixin for {@code geomend train} ({@code --epochs}, {@code --batch}, ...) and
 * for the per-fold training of {@code geomend eval}, where {@link StudentPrefix} renames them {@code --student-epochs},
 * {@code --student-batch}, ... (eval's own {@code --seed} is the folds'). {@link #check} names the options as the
 * command spells them.
 */
final class TrainingOptions {

    /** What the options' names start with: {@code --} or {@code --student-}. */
    String prefix = "--";

    @Option(names = "--epochs", defaultValue = "100", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "8", description = "Batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Initialisation, validation split and shuffles (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--val-fraction",
            defaultValue = "0.1",
            description =
                    "Labelled training sites held out for the per-epoch validation KS2 (default ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(
            names = "--keep",
            defaultValue = "best",
            description =
                    "best | last: the model kept is the epoch with the lowest validation KS2 median, or the last epoch (default ${DEFAULT-VALUE}; the checkpoint always holds the last).")
    String keep;

    @Option(
            names = "--user-weight",
            defaultValue = "1",
            description =
                    "Loss weight that follows the users: each pixel's L1 term is weighted 1 + W * N * y (y the label's mass there, N the window's pixels); 0 = the paper's plain L1 (default ${DEFAULT-VALUE}).")
    double userWeight;

    /** The option's name as this command spells it ({@code name} without its dashes). */
    String name(String name) {
        return prefix + name;
    }

    /** Checks the values (bad usage: an IllegalArgumentException naming the option). */
    void check() {
        if (epochs < 1) throw new IllegalArgumentException(name("epochs") + " must be >= 1: " + epochs);
        if (batch < 1) throw new IllegalArgumentException(name("batch") + " must be >= 1: " + batch);
        if (!(lr > 0)) throw new IllegalArgumentException(name("lr") + " must be > 0: " + lr);
        if (!(valFraction >= 0 && valFraction < 1))
            throw new IllegalArgumentException(name("val-fraction") + " must be in [0, 1): " + valFraction);
        if (!keep.equals("best") && !keep.equals("last"))
            throw new IllegalArgumentException(name("keep") + " must be best or last: '" + keep + "'");
        if (!(userWeight >= 0 && userWeight <= 1e6))
            throw new IllegalArgumentException(name("user-weight") + " must be in [0, 1e6]: " + userWeight);
    }

    boolean keepBest() {
        return keep.equals("best");
    }

    /** A command whose per-fold training takes these options as {@code --student-NAME} ({@link StudentPrefix}). */
    interface PerFold {
        TrainingOptions student();
    }

    /**
     * The model transformer of a {@link PerFold} command: its {@link PerFold#student()} options join the command as a
     * mixin named {@value #MIXIN}, each renamed {@code --student-NAME} and described as the per-fold training's (the
     * same declarations as {@code geomend train}'s, which a plain {@code @Mixin} could not rename).
     */
    static final class StudentPrefix implements CommandLine.IModelTransformer {
        static final String MIXIN = "student", PREFIX = "--student-";

        @Override
        public CommandSpec transform(CommandSpec spec) {
            if (!(spec.userObject() instanceof PerFold p))
                throw new IllegalStateException(spec.name() + " is not a TrainingOptions.PerFold command");
            TrainingOptions t = p.student();
            t.prefix = PREFIX;
            CommandSpec plain = CommandSpec.forAnnotatedObject(t), renamed = CommandSpec.wrapWithoutInspection(t);
            for (OptionSpec o : plain.options()) {
                String[] d = o.description().clone();
                if (d.length > 0) d[0] = "Per-fold U-Net training: " + d[0];
                renamed.addOption(o.toBuilder()
                        .names(PREFIX + o.longestName().substring(2))
                        .description(d)
                        .build());
            }
            spec.addMixin(MIXIN, renamed);
            return spec;
        }
    }
}
