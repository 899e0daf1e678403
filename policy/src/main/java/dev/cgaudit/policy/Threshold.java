package dev.cgaudit.policy;

import java.time.Duration;

/**
 * For denial-burst and churn rules: a violation is raised when the {@code count}-th counted decision
 * of one subject falls within {@code within} of the first one counted (event time).
 */
public record Threshold(int count, Duration within) {

    public static final int MIN_COUNT = 2;

    public Threshold {
        if (count < MIN_COUNT) {
            throw new IllegalArgumentException("threshold count must be at least " + MIN_COUNT + ", found " + count);
        }
        if (within == null || within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("threshold window must be positive, found " + within);
        }
    }
}
