package org.geomend.io;

import java.nio.file.Path;

/**
 * Bad input: a file that cannot be used as given. The message is one line naming the file and, when
 * known, the 1-based line, e.g. {@code sites.csv:17: x is not a number: 'abc'} (the CLI prints it and
 * exits with code 2). {@code line} is 0 when the problem has no line (e.g. an unreadable file).
 */
public final class InputException extends RuntimeException {

    private final Path file;
    private final long line;
    private final String reason;

    public InputException(Path file, long line, String reason) {
        this(file, line, reason, null);
    }

    public InputException(Path file, long line, String reason, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + reason, cause);
        this.file = file;
        this.line = line;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    /** 1-based line of the file, or 0 when the problem is not on one line. */
    public long line() {
        return line;
    }

    /** The reason alone, without file and line. */
    public String reason() {
        return reason;
    }
}
