package dev.cgaudit.schema.codec;

/**
 * A message that cannot be turned back into an event. The reason is a type, so callers can count
 * and route failures (dead-letter output, decode-error metrics) without parsing messages.
 */
public final class DecodeException extends Exception {

    /** What was wrong with the bytes. */
    public enum Reason {
        /** Fewer bytes than the 10-byte single-object header. */
        TRUNCATED_HEADER,
        /** The first two bytes are not the single-object marker C3 01. */
        BAD_MARKER,
        /** The fingerprint names a schema this reader has never seen. */
        UNKNOWN_SCHEMA,
        /** The body does not decode with the writer schema the header names. */
        MALFORMED_BODY,
        /** The body decoded but bytes were left over: not one whole message. */
        TRAILING_BYTES
    }

    private final Reason reason;

    public DecodeException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public DecodeException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
