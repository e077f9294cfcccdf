package org.geomend.student;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.geomend.io.InputException;

/**
 * The shape of a U-Net student. {@code depth} levels (the last one the bottleneck, so {@code depth - 1} poolings);
 * level {@code l} (1-based) has {@code max(1, round(filters * factor^(l-1)))} channels; every level runs {@code convs}
 * convolutions of {@code kernel x kernel} + ReLU. The paper's text (section IV-B): six levels, 32 filters at the
 * first, "each following one decreases the filters by a factor of two" (factor 0.5), 5 x 5 kernels, one
 * convolution per layer. {@code features}: {@code paper} (NN1, NN2, NN3) or {@code repo} (NN1, NN2, mean NN1..NN5).
 * {@code window} and {@code resolution}: the grid the model was trained on (pixels, metres).
 */
public record UNetConfig(
        int depth, int filters, double factor, int kernel, int convs, String features, int window, double resolution) {

    public UNetConfig {
        if (depth < 1 || depth > 10) throw new IllegalArgumentException("--depth must be in [1, 10]: " + depth);
        if (filters < 1) throw new IllegalArgumentException("--filters must be >= 1: " + filters);
        if (!(factor > 0) || factor > 8) throw new IllegalArgumentException("--factor must be in (0, 8]: " + factor);
        if (kernel < 1 || kernel % 2 == 0)
            throw new IllegalArgumentException("--kernel must be odd and >= 1: " + kernel);
        if (convs < 1 || convs > 4) throw new IllegalArgumentException("--convs must be in [1, 4]: " + convs);
        if (!features.equals("paper") && !features.equals("repo"))
            throw new IllegalArgumentException("--features must be paper or repo: " + features);
        if (window < 1 || !(resolution > 0))
            throw new IllegalArgumentException("bad window " + window + " / resolution " + resolution);
    }

    /** The paper's network on the SPEC's default 600 x 600 window of 100 m pixels. */
    public static UNetConfig paper() {
        return new UNetConfig(6, 32, 0.5, 5, 1, "paper", 600, 100);
    }

    /** Channels of level {@code l} (0-based). */
    public int channels(int l) {
        return Math.max(1, (int) Math.round(filters * Math.pow(factor, l)));
    }

    /** Input channels: three features. */
    public int inputChannels() {
        return 3;
    }

    /** The side the network runs on: {@code size} rounded up to a multiple of {@code 2^(depth-1)}. */
    public int padded(int size) {
        int m = 1 << (depth - 1);
        return (size + m - 1) / m * m;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "geomend-unet-1");
        m.put("depth", depth);
        m.put("filters", filters);
        m.put("factor", factor);
        m.put("kernel", kernel);
        m.put("convs_per_level", convs);
        m.put("features", features);
        m.put("window", window);
        m.put("resolution", resolution);
        m.put(
                "padding",
                "features computed on a window grown by the same number of pixels on each side (extra one east/north when odd), output cropped back");
        m.put(
                "target_transform",
                "y' = -1/log10(clamp(y, 1e-9, 0.5)); inverse p = 10^(-1/y'), y' <= 0 gives 1e-9; mask; renormalise");
        m.put(
                "layout",
                "NCHW float32, row 0 south; tensors enc.L.J / up.L / dec.L.J / head (.weight [out,in,k,k], .bias [out])");
        return m;
    }

    public String toJson() {
        return org.geomend.io.Json.pretty(toMap());
    }

    /** Reads a config written by {@link #toJson()}; a missing or bad field is an {@link InputException}. */
    public static UNetConfig read(Path file) throws IOException {
        JsonNode n;
        try {
            n = org.geomend.io.Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new InputException(file, 0, "not a model config JSON: " + e.getMessage());
        }
        try {
            return new UNetConfig(
                    need(n, "depth", file).asInt(),
                    need(n, "filters", file).asInt(),
                    need(n, "factor", file).asDouble(),
                    need(n, "kernel", file).asInt(),
                    need(n, "convs_per_level", file).asInt(),
                    need(n, "features", file).asText(),
                    need(n, "window", file).asInt(),
                    need(n, "resolution", file).asDouble());
        } catch (IllegalArgumentException e) {
            throw new InputException(file, 0, e.getMessage());
        }
    }

    private static JsonNode need(JsonNode n, String key, Path file) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) throw new InputException(file, 0, "model config has no '" + key + "'");
        return v;
    }
}
