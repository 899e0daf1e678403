package dev.cgaudit.sink.delivery;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code maxAttempts} attempts per finding and target, with {@link Backoff} between them.
 * A permanent failure ends at once; a receiver's Retry-After is honoured up to the backoff cap.
 */
public final class RetryPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);

    private final int maxAttempts;
    private final Backoff backoff;

    public RetryPolicy(int maxAttempts, Backoff backoff) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** What became of one finding at one target. */
    public sealed interface Result permits Delivered, Failed, Stopped {
    }

    public record Delivered(int attempts) implements Result {
    }

    /** Gave up: {@code reason} is what the dead letter says. */
    public record Failed(int attempts, String reason) implements Result {
    }

    /** The sink is stopping; the finding was not delivered and must not be acknowledged. */
    public record Stopped(int attempts) implements Result {
    }

    public Result deliver(Delivery delivery, Finding finding, StopSignal stop) {
        RetriableDeliveryException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                Duration wait = backoff.delay(attempt - 1);
                if (last.retryAfter().isPresent()) {
                    Duration asked = last.retryAfter().get();
                    wait = asked.compareTo(backoff.cap()) > 0 ? backoff.cap() : (asked.compareTo(wait) > 0 ? asked : wait);
                }
                LOG.warn("{}: attempt {} of {} for {} failed ({}); retrying in {} ms", delivery.target(),
                        attempt - 1, maxAttempts, finding.violationId(), last.getMessage(), wait.toMillis());
                if (stop.await(wait)) {
                    return new Stopped(attempt - 1);
                }
            } else if (stop.raised()) {
                return new Stopped(0);
            }
            try {
                delivery.deliver(finding);
                return new Delivered(attempt);
            } catch (DeliveryException e) {
                // sealed: retriable or permanent, nothing else
                if (!(e instanceof RetriableDeliveryException retriable)) {
                    return new Failed(attempt, "permanent failure: " + e.getMessage());
                }
                last = retriable;
            }
        }
        return new Failed(maxAttempts, "gave up after " + maxAttempts + " attempts; last failure: " + last.getMessage());
    }
}
