package dev.cgaudit.sink.delivery;

import java.time.Duration;
import java.util.Optional;

/** A failure that may pass: a timeout, a refused connection, HTTP 408, 429 or 5xx, a full disk. */
public final class RetriableDeliveryException extends DeliveryException {

    private final transient Duration retryAfter;

    public RetriableDeliveryException(String message, Throwable cause) {
        this(message, cause, null);
    }

    /** @param retryAfter how long the receiver asked us to wait (HTTP Retry-After), or null */
    public RetriableDeliveryException(String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
