package org.geomend.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CSV reader of every geomend input: streams a file row by row (bytes split in place, nothing held
 * beyond the current row, so files of millions of rows read at disk speed), columns found by header name,
 * errors as {@link InputException}s naming file and line.
 *
 * <ul>
 *   <li>Fields are separated by one delimiter byte ({@code ,} {@code ;} or tab); text is UTF-8, a leading
 *       byte-order mark is dropped, lines end in LF, CR LF or CR (as {@link java.io.BufferedReader#readLine}).</li>
 *   <li>Quoted fields per RFC 4180: a field starting with {@code "} runs to the matching quote, may hold
 *       delimiters and line breaks, and {@code ""} inside it is one quote. (Text after the closing quote,
 *       up to the delimiter, is kept, as most readers do.)</li>
 *   <li>Unquoted fields are trimmed of ASCII blanks ({@link String#trim()}); a quoted field keeps what is
 *       inside its quotes. A blank line is skipped unless {@link #keepBlankLines()}.</li>
 *   <li>{@link #line()} is the 1-based line where the current row starts (line 1 is the header).</li>
 *   <li>Numbers ({@link #number}): plain decimals ({@code -12.5}, {@code 1e-3}); numbers of up to 15
 *       significant digits without exponent are parsed without a String (mantissa / 10^k with exact
 *       operands: the same correctly rounded double as {@link Double#parseDouble}). Not finite, hex or
 *       with a type suffix ({@code 1f}) is an error. With {@link #decimalComma()} {@code 2,35} is 2.35.</li>
 * </ul>
 * Not thread-safe.
 */
public final class CsvReader implements AutoCloseable {

    private static final double[] POW10 = new double[23];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
    }

    private final Path file;
    private final InputStream in;
    private final byte delim;
    private boolean skipBlank = true, decimalComma;

    private byte[] buf = new byte[1 << 16];
    private int pos, lim;
    private boolean eof, started;
    /** The physical line being split: {@code [ls, le)} of {@link #buf}, without its line break. */
    private int ls, le;

    private long physical; // lines read so far
    private long line; // line where the current row starts

    /** The current row: fields {@code [fs[i], fe[i])} of {@link #data} (buf, or scratch for a row with quotes). */
    private byte[] data;

    private int n;
    private int[] fs = new int[16], fe = new int[16];
    private byte[] scratch = new byte[256];

    /** Reads {@code in}, naming {@code file} in errors (it may be a label like {@code a.zip!b.csv}). */
    public CsvReader(Path file, InputStream in, char delimiter) {
        if (delimiter > 127 || delimiter == '"' || delimiter == '\n' || delimiter == '\r')
            throw new IllegalArgumentException("bad CSV delimiter '" + delimiter + "'");
        this.file = file;
        this.in = in;
        this.delim = (byte) delimiter;
        this.data = buf;
    }

    /** Opens {@code file}; a missing one is an {@link InputException} on line 0. */
    public static CsvReader open(Path file, char delimiter) {
        try {
            return new CsvReader(file, Files.newInputStream(file), delimiter);
        } catch (NoSuchFileException e) {
            throw new InputException(file, 0, "no such file");
        } catch (IOException e) {
            throw new InputException(file, 0, "cannot read: " + e.getMessage(), e);
        }
    }

    public static CsvReader open(Path file) {
        return open(file, ',');
    }

    /** Return blank lines as rows (one empty field) instead of skipping them. */
    public CsvReader keepBlankLines() {
        skipBlank = false;
        return this;
    }

    /** Accept a decimal comma in numbers (for {@code ;} or tab separated files). */
    public CsvReader decimalComma() {
        decimalComma = true;
        return this;
    }

    public Path file() {
        return file;
    }

    public char delimiter() {
        return (char) delim;
    }

    /** The 1-based line where the current row starts. */
    public long line() {
        return line;
    }

    /** An error about the current row: {@code file:line: reason}. */
    public InputException error(String reason) {
        return new InputException(file, line, reason);
    }

    // ---- rows -----------------------------------------------------------------------------------

    /** Moves to the next row; false at the end of the file. */
    public boolean next() throws IOException {
        while (true) {
            if (!nextPhysical()) return false;
            line = physical;
            if (skipBlank && blank()) continue;
            split();
            return true;
        }
    }

    /**
     * Reads the first row as the header ({@link Header}); null when the file is empty. Call it before any
     * {@link #next()}.
     */
    public Header header() throws IOException {
        if (!next()) return null;
        String[] names = new String[n];
        for (int i = 0; i < n; i++) names[i] = get(i);
        return new Header(names);
    }

    private boolean blank() {
        for (int i = ls; i < le; i++) if ((buf[i] & 0xFF) > ' ') return false;
        return true;
    }

    /** The next physical line into [ls, le), without its line break; false at the end. */
    private boolean nextPhysical() throws IOException {
        while (true) {
            final byte[] b = buf;
            for (int i = pos; i < lim; i++) {
                byte c = b[i];
                if (c == '\n') {
                    setLine(pos, i);
                    pos = i + 1;
                    return true;
                }
                if (c == '\r') {
                    if (i + 1 == lim && !eof) break; // CR LF or a lone CR: the next byte decides
                    setLine(pos, i);
                    pos = i + 1 < lim && b[i + 1] == '\n' ? i + 2 : i + 1;
                    return true;
                }
            }
            if (eof) {
                if (pos < lim) {
                    setLine(pos, lim);
                    pos = lim;
                    return true;
                }
                return false;
            }
            // compact and refill (grow for a line longer than the buffer)
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                lim -= pos;
                pos = 0;
            } else if (lim == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) eof = true;
            else lim += r;
        }
    }

    private void setLine(int a, int b) {
        physical++;
        if (!started) {
            started = true;
            if (b - a >= 3 && buf[a] == (byte) 0xEF && buf[a + 1] == (byte) 0xBB && buf[a + 2] == (byte) 0xBF) a += 3;
        }
        ls = a;
        le = b;
    }

    private void field(int a, int b) {
        if (n == fs.length) {
            fs = Arrays.copyOf(fs, n * 2);
            fe = Arrays.copyOf(fe, n * 2);
        }
        fs[n] = a;
        fe[n] = b;
        n++;
    }

    /** Splits the current line into trimmed fields in place; a line with a quote goes to {@link #splitQuoted}. */
    private void split() throws IOException {
        n = 0;
        data = buf;
        final byte[] b = buf;
        final byte d = delim;
        int start = ls;
        for (int i = ls; ; i++) {
            if (i == le || b[i] == d) {
                int x = start, y = i;
                while (x < y && (b[x] & 0xFF) <= ' ') x++;
                while (y > x && (b[y - 1] & 0xFF) <= ' ') y--;
                field(x, y);
                if (i == le) return;
                start = i + 1;
            } else if (b[i] == '"') {
                splitQuoted();
                return;
            }
        }
    }

    private void put(byte c) {
        if (sp == scratch.length) scratch = Arrays.copyOf(scratch, sp * 2);
        scratch[sp++] = c;
    }

    private int sp;

    /** The general case: fields copied, unquoted, into {@link #scratch}; a quoted field may span lines. */
    private void splitQuoted() throws IOException {
        n = 0;
        sp = 0;
        int i = ls;
        while (true) {
            while (i < le && buf[i] != delim && (buf[i] & 0xFF) <= ' ') i++;
            int start = sp;
            if (i < le && buf[i] == '"') {
                i++;
                while (true) {
                    if (i == le) {
                        if (!nextPhysical()) throw error("unterminated quoted field");
                        put((byte) '\n');
                        i = ls;
                        continue;
                    }
                    byte c = buf[i];
                    if (c == '"') {
                        if (i + 1 < le && buf[i + 1] == '"') {
                            put((byte) '"');
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        put(c);
                        i++;
                    }
                }
                int quoted = sp;
                while (i < le && buf[i] != delim) put(buf[i++]);
                while (sp > quoted && (scratch[sp - 1] & 0xFF) <= ' ') sp--;
            } else {
                while (i < le && buf[i] != delim) put(buf[i++]);
                while (sp > start && (scratch[sp - 1] & 0xFF) <= ' ') sp--;
            }
            field(start, sp);
            if (i >= le) break;
            i++;
        }
        data = scratch;
    }

    // ---- fields ---------------------------------------------------------------------------------

    /** Fields in the current row. */
    public int size() {
        return n;
    }

    /** Field {@code f} of the current row (trimmed, unquoted). */
    public String get(int f) {
        return new String(data, fs[f], fe[f] - fs[f], StandardCharsets.UTF_8);
    }

    public boolean isEmpty(int f) {
        return fe[f] == fs[f];
    }

    /** The fields of the current row. */
    public List<String> fields() {
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(get(i));
        return l;
    }

    /** Whether field {@code f} holds exactly the bytes {@code prev} (for callers that reuse Strings). */
    public boolean sameBytes(int f, byte[] prev) {
        int a = fs[f], len = fe[f] - a;
        return prev.length == len && Arrays.equals(prev, 0, len, data, a, a + len);
    }

    /** A copy of field {@code f}'s UTF-8 bytes. */
    public byte[] bytes(int f) {
        return Arrays.copyOfRange(data, fs[f], fe[f]);
    }

    /** {@code 31 * h + b} over field {@code f}'s bytes (signed), as {@link Arrays#hashCode(byte[])} without its seed. */
    public int hash(int f) {
        int h = 0;
        for (int i = fs[f], e = fe[f]; i < e; i++) h = 31 * h + data[i];
        return h;
    }

    /**
     * Field {@code f} as a number, NaN when empty.
     *
     * @throws InputException {@code column is not a number: 'v'} or {@code column is not finite: 'v'}
     */
    public double number(int f, String column) {
        int i = fs[f], e = fe[f];
        if (i == e) return Double.NaN;
        final byte[] b = data;
        boolean neg = false;
        if (b[i] == '-') {
            neg = true;
            i++;
        } else if (b[i] == '+') i++;
        long mant = 0;
        int sig = 0, frac = 0;
        boolean dot = false, digit = false;
        for (; i < e; i++) {
            int c = b[i];
            if (c >= '0' && c <= '9') {
                digit = true;
                if (mant != 0 || c != '0') sig++;
                mant = mant * 10 + (c - '0');
                if (dot) frac++;
                if (sig > 15 || frac > 22) return slowNumber(f, column);
            } else if (c == '.' && !dot) dot = true;
            else return slowNumber(f, column);
        }
        if (!digit) return slowNumber(f, column);
        double v = frac == 0 ? (double) mant : mant / POW10[frac];
        return neg ? -v : v;
    }

    /** Field {@code f} as a number; empty is an error ({@code column is not a number: ''}). */
    public double requiredNumber(int f, String column) {
        if (isEmpty(f)) throw error(column + " is not a number: ''");
        return number(f, column);
    }

    private double slowNumber(int f, String column) {
        String raw = get(f);
        try {
            return parse(raw, decimalComma);
        } catch (NumberFormatException e) {
            throw error(column + " is not " + e.getMessage() + ": '" + raw + "'");
        }
    }

    /**
     * A plain decimal number (trimmed; with {@code decimalComma} a comma is the decimal point); the
     * exception's message is {@code "a number"} or {@code "finite"}, what the text is not.
     */
    public static double parse(String text, boolean decimalComma) {
        String t = text.strip();
        if (decimalComma && t.indexOf(',') >= 0) t = t.replace(',', '.');
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new NumberFormatException("a number");
        }
        if (!Double.isFinite(v)) throw new NumberFormatException("finite");
        // Double.parseDouble also takes "1f", "0x1p3": accept only plain decimal numbers
        char last = t.charAt(t.length() - 1);
        if (!(last >= '0' && last <= '9' || last == '.') || t.indexOf('x') >= 0 || t.indexOf('X') >= 0)
            throw new NumberFormatException("a number");
        return v;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    // ---- header ---------------------------------------------------------------------------------

    /** The header row: column names, found by name (trimmed, any case; the first of equal names wins). */
    public final class Header {
        private final String[] names;
        private final Map<String, Integer> index = new LinkedHashMap<>();

        Header(String[] names) {
            this.names = names;
            for (int i = 0; i < names.length; i++) index.putIfAbsent(names[i].toLowerCase(Locale.ROOT), i);
        }

        /** Number of columns. */
        public int width() {
            return names.length;
        }

        public List<String> names() {
            return List.of(names);
        }

        /** The column's index, or -1. */
        public int index(String name) {
            Integer i = index.get(name.toLowerCase(Locale.ROOT));
            return i == null ? -1 : i;
        }

        public boolean has(String name) {
            return index(name) >= 0;
        }

        /** The column's index; a missing column is an error on line 1 naming it ({@code hint} appended). */
        public int require(String name, String hint) {
            int i = index(name);
            if (i < 0) throw new InputException(file, 1, "missing column '" + name + "'" + hint);
            return i;
        }

        /** Throws {@code expected W fields, found N} unless the current row has {@link #width()} fields. */
        public void checkWidth() {
            if (n != names.length) throw error("expected " + names.length + " fields, found " + n);
        }
    }
}
