package org.geomend.nbl;

/** Bad input: its message is one line naming the file and line (CLI exit code 2). */
public class NblInputException extends RuntimeException {
    public NblInputException(String message) { super(message); }

    public static NblInputException at(Object file, long line, String why) {
        return new NblInputException(file + ":" + line + ": " + why);
    }
}
