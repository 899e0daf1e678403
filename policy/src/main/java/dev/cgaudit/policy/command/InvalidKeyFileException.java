package dev.cgaudit.policy.command;

import java.nio.file.Path;

/** A key file that exists but does not hold the key it should (wrong PEM label, not Ed25519, corrupt). */
public final class InvalidKeyFileException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidKeyFileException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
