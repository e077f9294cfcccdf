package org.geomend.student;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.geomend.io.AtomicFiles;
import org.geomend.io.InputException;
import org.geomend.kernels.nn.NnKernels;

/**
 * A model directory: {@code model.safetensors} (the weights, names of {@link UNet#params()}) and
 * {@code config.json} ({@link UNetConfig}) beside it; training adds {@code checkpoint.safetensors}, {@code train.csv}
 * and {@code train.png}. A path to the {@code .safetensors} file itself is accepted where a model is read.
 */
public final class ModelFiles {

    public static final String WEIGHTS = "model.safetensors",
            CONFIG = "config.json",
            CHECKPOINT = "checkpoint.safetensors";

    private ModelFiles() {}

    /** The model directory named by {@code path} (the directory, or a file inside it). */
    public static Path dir(Path path) {
        return Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    }

    /** Writes the weights and config of {@code net} into {@code dir} (each atomically). */
    public static void save(UNet net, Path dir) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(CONFIG), net.config().toJson());
        Safetensors.write(dir.resolve(WEIGHTS), weights(net), Map.of("format", "geomend-unet-1"));
    }

    /** Loads a saved network onto {@code nn}. */
    public static UNet load(NnKernels nn, Path path) throws IOException {
        Path d = dir(path);
        Path cfgFile = d.resolve(CONFIG);
        if (!Files.isRegularFile(cfgFile))
            throw new InputException(cfgFile, 0, "no model config (a model is a directory written by geomend train)");
        UNetConfig cfg = UNetConfig.read(cfgFile);
        Path w = Files.isRegularFile(path) ? path : d.resolve(WEIGHTS);
        if (!Files.isRegularFile(w)) throw new InputException(w, 0, "no model weights");
        UNet net = new UNet(nn, cfg, 0);
        try {
            setWeights(net, Safetensors.read(w).tensors(), w, "");
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /** The network's parameters as safetensors entries, names of {@link UNet#params()}. */
    static Map<String, Safetensors.Entry> weights(UNet net) {
        Map<String, Safetensors.Entry> m = new LinkedHashMap<>();
        for (UNet.Param p : net.params())
            m.put(p.name(), new Safetensors.Entry(p.value().shape(), HostIo.download(net.kernels(), p.value())));
        return m;
    }

    /** Uploads {@code prefix + name} of every parameter from {@code tensors}; a missing or misshapen one is an error. */
    static void setWeights(UNet net, Map<String, Safetensors.Entry> tensors, Path file, String prefix) {
        for (UNet.Param p : net.params()) {
            Safetensors.Entry e = tensors.get(prefix + p.name());
            if (e == null)
                throw new InputException(file, 0, "no tensor '" + prefix + p.name() + "' (model and config disagree?)");
            if (!Arrays.equals(e.shape(), p.value().shape()))
                throw new InputException(
                        file,
                        0,
                        "tensor '" + prefix + p.name() + "' has shape " + Arrays.toString(e.shape())
                                + ", the config wants "
                                + Arrays.toString(p.value().shape()));
            HostIo.upload(net.kernels(), e.data(), p.value());
        }
    }
}
