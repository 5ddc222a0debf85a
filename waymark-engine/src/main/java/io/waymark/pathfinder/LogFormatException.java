package io.waymark.pathfinder;

import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import java.util.List;

/**
 * An imported log file is malformed. The message says where: the line (and column) of the file,
 * and for XES the element being read.
 */
public final class LogFormatException extends ValidationException {
    private final long line;

    public LogFormatException(String message, long line) {
        super(message, List.of(new FieldError("file", message)));
        this.line = line;
    }

    /** The line of the file where the problem is, or -1 when unknown. */
    public long line() {
        return line;
    }
}
