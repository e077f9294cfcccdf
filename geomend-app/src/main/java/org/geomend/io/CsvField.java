package org.geomend.io;

/**
 * The one way geomend writes a CSV field: as {@link CsvReader} reads it back. A field is quoted RFC-4180 style
 * ({@code "} doubled) when it holds a comma, quote, line break, semicolon or tab (the delimiters the reader sniffs),
 * or a leading or trailing blank (the reader strips unquoted fields); otherwise it is written as is.
 */
public final class CsvField {
    private CsvField() {}

    /** {@code s} as one CSV field. */
    public static String of(String s) {
        return needsQuotes(s) ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    /** Appends {@code s} as one CSV field to {@code sb}; returns {@code sb}. */
    public static StringBuilder append(StringBuilder sb, String s) {
        return needsQuotes(s) ? sb.append('"').append(s.replace("\"", "\"\"")).append('"') : sb.append(s);
    }

    private static boolean needsQuotes(String s) {
        if (!s.isEmpty() && (s.charAt(0) <= ' ' || s.charAt(s.length() - 1) <= ' ')) return true;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r' || ch == ';' || ch == '\t') return true;
        }
        return false;
    }
}
