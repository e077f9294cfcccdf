package org.geomend.synth;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/** A tiny JSON writer for manifests: maps, collections, arrays, records (by component), numbers, strings, enums. */
final class Json {

    private Json() {}

    static String write(Object o) {
        StringBuilder sb = new StringBuilder();
        write(sb, o, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object o, int ind) {
        if (o == null) sb.append("null");
        else if (o instanceof String s) str(sb, s);
        else if (o instanceof Enum<?> e) str(sb, e.name());
        else if (o instanceof Boolean b) sb.append(b);
        else if (o instanceof Double d) sb.append(Double.isFinite(d) ? fmt(d) : "null");
        else if (o instanceof Float f) sb.append(Float.isFinite(f) ? fmt(f) : "null");
        else if (o instanceof Number n) sb.append(n);
        else if (o instanceof double[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) sb.append(i == 0 ? "" : ", ").append(fmt(a[i]));
            sb.append(']');
        } else if (o instanceof Map<?, ?> m) {
            sb.append("{");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(i++ == 0 ? "\n" : ",\n").append("  ".repeat(ind + 1));
                str(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), ind + 1);
            }
            sb.append(i == 0 ? "}" : "\n" + "  ".repeat(ind) + "}");
        } else if (o instanceof Collection<?> c) {
            sb.append('[');
            int i = 0;
            for (Object x : c) {
                sb.append(i++ == 0 ? "\n" : ",\n").append("  ".repeat(ind + 1));
                write(sb, x, ind + 1);
            }
            sb.append(i == 0 ? "]" : "\n" + "  ".repeat(ind) + "]");
        } else if (o.getClass().isRecord()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            for (RecordComponent rc : o.getClass().getRecordComponents()) {
                try {
                    m.put(rc.getName(), rc.getAccessor().invoke(o));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            write(sb, m, ind);
        } else str(sb, o.toString());
    }

    private static String fmt(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return String.valueOf((long) d);
        return String.format(Locale.ROOT, "%s", d);
    }

    private static void str(StringBuilder sb, String s) {
        sb.append('"');
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
                    else sb.append(ch);
                }
            }
        }
        sb.append('"');
    }
}
