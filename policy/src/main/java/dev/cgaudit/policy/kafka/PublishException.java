package dev.cgaudit.policy.kafka;

/** A command the broker did not acknowledge; the message names the command and the broker's error. */
public final class PublishException extends Exception {

    private static final long serialVersionUID = 1L;

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
