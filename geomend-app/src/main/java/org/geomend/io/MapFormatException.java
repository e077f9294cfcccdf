package org.geomend.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A map file that cannot be read as asked: not one of our formats, malformed, or ambiguous (an Arrow
 * file holding several maps when one was wanted). The message names the file; the command line reports
 * it as bad input (exit code 2).
 */
public final class MapFormatException extends IOException {

    public MapFormatException(Path file, String reason) {
        super(file + ": " + reason);
    }
}
