package org.geomend.student;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The DeepMEND student that ships with geomend: {@code models/}{@value #NAME}{@code /} in the repository (its
 * commands, seeds, training curve and validation table are in that directory's README), bundled into the jar as
 * the resources {@code org/geomend/models/}{@value #NAME}{@code /config.json} and {@code model.safetensors}.
 * {@code geolocate --method deepmend} and {@code eval --methods deepmend} use it when no {@code --model} is given.
 */
public final class ShippedModel {

    /** The shipped model's name (its directory under {@code models/}). */
    public static final String NAME = "deepmend-synth-400m";

    /** What it is, for the one-line notice. */
    public static final String DESCRIPTION = "the shipped DeepMEND student models/" + NAME
            + " (teacher labels of geomend synth --preset paper --seed 1, 150 x 150 pixels of 400 m)";

    private static final String RESOURCE = "/org/geomend/models/" + NAME + "/";

    private ShippedModel() {}

    /** Whether this build carries the shipped model. */
    public static boolean available() {
        return ShippedModel.class.getResource(RESOURCE + ModelFiles.CONFIG) != null
                && ShippedModel.class.getResource(RESOURCE + ModelFiles.WEIGHTS) != null;
    }

    /**
     * The model as a directory {@link ModelFiles#load} reads: a private temporary copy of the two resources, removed
     * when the JVM exits.
     *
     * @throws IllegalArgumentException when this build has no shipped model (a usage error: name one with --model)
     */
    public static Path directory() throws IOException {
        if (!available())
            throw new IllegalArgumentException("this build ships no DeepMEND student (models/" + NAME
                    + " was missing when it was built): " + "give --model DIR (a directory written by geomend train)");
        Path dir = Files.createTempDirectory("geomend-" + NAME + "-");
        for (String f : new String[] {ModelFiles.CONFIG, ModelFiles.WEIGHTS})
            try (InputStream in = ShippedModel.class.getResourceAsStream(RESOURCE + f)) {
                Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        return dir;
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
