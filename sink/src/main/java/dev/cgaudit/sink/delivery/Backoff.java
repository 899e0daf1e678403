package dev.cgaudit.sink.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Exponential backoff with "equal jitter" and a cap: before retry {@code n} (1 for the first
 * retry) the nominal delay is {@code min(cap, initial * 2^(n-1))}, and the actual delay is drawn
 * uniformly from the upper half of it.
 *
 * <p>Why equal jitter rather than full jitter: many sinks retrying at once are still spread out,
 * yet a delay never falls below half its nominal value, so successive delays never shrink
 * ({@code [d/2, d]} then {@code [d, 2d]}) and a receiver that is down gets ever longer breaks.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration cap;
    private final Random random;

    public Backoff(Duration initial, Duration cap, Random random) {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive, got " + initial);
        }
        if (cap.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff cap " + cap + " is below the initial backoff " + initial);
        }
        this.initial = initial;
        this.cap = cap;
        this.random = Objects.requireNonNull(random, "random");
    }

    public Duration initial() {
        return initial;
    }

    public Duration cap() {
        return cap;
    }

    /** The nominal (largest) delay before retry {@code retry}, 1-based. */
    public Duration nominal(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries count from 1, got " + retry);
        }
        long initialNanos = initial.toNanos();
        // 2^62 ns is centuries: beyond that the shift would overflow, and the cap applies anyway
        int shift = Math.min(retry - 1, 62);
        long nanos = initialNanos > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : initialNanos << shift;
        return nanos >= cap.toNanos() ? cap : Duration.ofNanos(nanos);
    }

    /** The delay to wait before retry {@code retry}: uniform in [nominal/2, nominal]. */
    public Duration delay(int retry) {
        long nominal = nominal(retry).toNanos();
        long half = nominal / 2;
        long jitter;
        synchronized (random) {
            jitter = half == 0 ? 0 : (long) (random.nextDouble() * (nominal - half));
        }
        return Duration.ofNanos(half + jitter);
    }
}
