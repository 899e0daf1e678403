package dev.cgaudit.sink.delivery;

/**
 * A failed delivery attempt. Whether to try again is a type, decided where the failure is
 * understood (the HTTP status, the I/O error), not guessed later from a message.
 */
public abstract sealed class DeliveryException extends Exception
        permits RetriableDeliveryException, PermanentDeliveryException {

    protected DeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
