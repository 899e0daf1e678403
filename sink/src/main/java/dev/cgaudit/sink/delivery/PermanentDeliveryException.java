package dev.cgaudit.sink.delivery;

/**
 * A failure that another attempt would repeat: the receiver rejected the finding (HTTP 4xx other
 * than 408/429) or our credentials (401/403: never retried).
 */
public final class PermanentDeliveryException extends DeliveryException {

    public PermanentDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
