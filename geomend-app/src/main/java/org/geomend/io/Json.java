package org.geomend.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON of geomend: one shared Jackson {@link ObjectMapper} ({@link #MAPPER}, thread-safe) and the two
 * layouts written with it.
 *
 * <ul>
 *   <li>{@link #pretty}: files people read (manifests): two-space indentation, {@code "key": value}.</li>
 *   <li>{@link #inline}: JSON inside other files' metadata: one line, {@code {"k": "v", "n": 1}}.</li>
 * </ul>
 * Records are written by component, enums by name; a double or float with an integral value below 1e15 is
 * written as an integer ({@code 3}, not {@code 3.0}), a non-finite one as {@code null}, any other one as the
 * shortest decimal of its double value ({@link Double#toString}).
 */
public final class Json {

    private Json() {}

    /** Doubles and floats as described in the class comment. */
    private static final class NumberSerializer extends JsonSerializer<Number> {
        @Override
        public void serialize(Number n, JsonGenerator g, SerializerProvider p) throws IOException {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) g.writeNull();
            else if (d == Math.rint(d) && Math.abs(d) < 1e15) g.writeNumber((long) d);
            else g.writeNumber(d);
        }
    }

    private static final class DoubleArraySerializer extends JsonSerializer<double[]> {
        private final NumberSerializer each = new NumberSerializer();

        @Override
        public void serialize(double[] a, JsonGenerator g, SerializerProvider p) throws IOException {
            g.writeStartArray(a, a.length);
            for (double d : a) each.serialize(d, g, p);
            g.writeEndArray();
        }
    }

    /** The shared mapper (reads and writes; configure nothing on it). */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new SimpleModule("geomend-numbers")
                    .addSerializer(Double.class, new NumberSerializer())
                    .addSerializer(double.class, new NumberSerializer())
                    .addSerializer(Float.class, new NumberSerializer())
                    .addSerializer(float.class, new NumberSerializer())
                    .addSerializer(double[].class, new DoubleArraySerializer()));

    private static final Separators SPACED =
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER);

    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter(SPACED));

    /** One line: {@code ": "} after keys and {@code ", "} between entries, as the metadata geomend always wrote. */
    private static final class InlinePrinter extends MinimalPrettyPrinter {
        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }

    private static final ObjectWriter INLINE = MAPPER.writer(new InlinePrinter());

    /** {@code value} as indented JSON (no trailing newline). */
    public static String pretty(Object value) {
        try {
            return PRETTY.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code value} as one line of JSON. */
    public static String inline(Object value) {
        try {
            return INLINE.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
