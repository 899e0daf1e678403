package dev.cgaudit.collector.enforce;

import java.nio.file.Path;

/**
 * The enforcer's state file cannot be read or written. Without it the original ownership of the
 * files under control is unknown, so the enforcer refuses to guess and says which file and why.
 */
public final class EnforcerStateException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Path file;

    public EnforcerStateException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem + (cause == null ? "" : " (" + cause + ")"), cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
