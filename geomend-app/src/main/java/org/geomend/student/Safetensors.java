package org.geomend.student;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.geomend.io.AtomicFiles;
import org.geomend.io.InputException;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * ({@code name: {dtype, shape, data_offsets}} plus an optional {@code __metadata__} of strings), then the raw
 * little-endian data. Only F32 tensors here. Written to a temporary name and renamed, so a reader never sees a
 * half-written file.
 */
public final class Safetensors {

    /** One float32 tensor. */
    public record Entry(int[] shape, float[] data) {
        public Entry {
            long n = 1;
            for (int d : shape) n *= d;
            if (n != data.length)
                throw new IllegalArgumentException("shape holds " + n + " values, data " + data.length);
        }
    }

    /** The tensors (in file order) and the metadata of one file. */
    public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {}

    private Safetensors() {}

    public static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata) throws IOException {
        ObjectMapper om = org.geomend.io.Json.MAPPER;
        ObjectNode head = om.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode md = head.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long off = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            ObjectNode t = head.putObject(e.getKey());
            t.put("dtype", "F32");
            var s = t.putArray("shape");
            for (int d : e.getValue().shape()) s.add(d);
            long len = e.getValue().data().length * 4L;
            t.putArray("data_offsets").add(off).add(off + len);
            off += len;
        }
        byte[] json = om.writeValueAsBytes(head);
        int padded = (json.length + 7) / 8 * 8;
        AtomicFiles.write(file, os -> {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            os.write(len.array());
            os.write(json);
            for (int i = json.length; i < padded; i++) os.write(' ');
            for (Entry e : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(e.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(e.data());
                os.write(b.array());
            }
        });
    }

    /** Reads every tensor; anything malformed is an {@link InputException} naming the file. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new InputException(file, 0, "not a safetensors file (too short)");
            ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lb, 0);
            long hlen = lb.flip().getLong();
            if (hlen <= 0 || hlen > Math.min(size - 8, 100_000_000))
                throw new InputException(file, 0, "not a safetensors file (header length " + hlen + ")");
            ByteBuffer hb = ByteBuffer.allocate((int) hlen);
            readFully(ch, hb, 8);
            JsonNode head;
            try {
                head = org.geomend.io.Json.MAPPER.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new InputException(file, 0, "bad safetensors header: " + e.getMessage());
            }
            Map<String, String> md = new LinkedHashMap<>();
            Map<String, Entry> out = new LinkedHashMap<>();
            long base = 8 + hlen;
            for (Iterator<Map.Entry<String, JsonNode>> it = head.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    f.getValue()
                            .fields()
                            .forEachRemaining(
                                    m -> md.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode t = f.getValue();
                if (!"F32".equals(t.path("dtype").asText()))
                    throw new InputException(
                            file,
                            0,
                            "tensor '" + f.getKey() + "' is " + t.path("dtype").asText() + ", only F32 is read");
                JsonNode sh = t.path("shape"), off = t.path("data_offsets");
                int[] shape = new int[sh.size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = sh.get(i).asInt();
                    n *= shape[i];
                }
                long a = off.path(0).asLong(-1), b = off.path(1).asLong(-1);
                if (a < 0 || b - a != n * 4 || base + b > size)
                    throw new InputException(file, 0, "tensor '" + f.getKey() + "' has bad data_offsets");
                ByteBuffer db = ByteBuffer.allocate((int) (b - a)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, db, base + a);
                float[] data = new float[(int) n];
                db.flip().asFloatBuffer().get(data);
                out.put(f.getKey(), new Entry(shape, data));
            }
            return new Contents(out, md);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) throw new IOException("unexpected end of file");
            pos += r;
        }
    }
}
