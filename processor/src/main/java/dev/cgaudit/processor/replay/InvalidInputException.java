package dev.cgaudit.processor.replay;

import java.io.IOException;
import java.util.Optional;

/** Replay input that is not decisions (a bad JSON line, a truncated Avro file): the CLI exits 2. */
public final class InvalidInputException extends IOException {

    private static final String PREFIX = InvalidInputException.class.getName() + ": ";

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The message of the first InvalidInputException in {@code e}'s cause chain, e.g. inside a failed
     * Flink job (where it may arrive as a SerializedThrowable that keeps only its text).
     */
    public static Optional<String> messageIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidInputException) {
                return Optional.of(t.getMessage());
            }
            String text = t.toString();
            if (text.startsWith(PREFIX)) {
                return Optional.of(text.substring(PREFIX.length()));
            }
        }
        return Optional.empty();
    }
}
