package dev.cgaudit.collector.decode;

/** A ring-buffer record that is not a valid cgaudit record; counted as a decode error, never fatal. */
public final class RecordDecodeException extends Exception {

    public RecordDecodeException(String message) {
        super(message);
    }
}
