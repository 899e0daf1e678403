package dev.cgaudit.demo;

import dev.cgaudit.schema.ViolationKind;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Findings shown so far, per violation kind; read by the status line and the summary. */
final class FindingTally {

    private final Map<ViolationKind, Long> byKind = new EnumMap<>(ViolationKind.class);
    private long total;

    synchronized void count(ViolationKind kind) {
        byKind.merge(kind, 1L, Long::sum);
        total++;
        notifyAll();
    }

    synchronized long total() {
        return total;
    }

    synchronized Map<ViolationKind, Long> byKind() {
        return new EnumMap<>(byKind);
    }

    /** Whether at least {@code counts} findings of each kind were seen. */
    synchronized boolean hasAll(Map<ViolationKind, Long> counts) {
        return counts.entrySet().stream().allMatch(e -> byKind.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /**
     * Waits until {@link #hasAll} {@code counts}, {@code deadlineNanos} (System.nanoTime)
     * passed or {@code stop} says so; true in the first case.
     */
    synchronized boolean awaitAll(Map<ViolationKind, Long> counts, long deadlineNanos, BooleanSupplier stop) throws InterruptedException {
        while (!hasAll(counts)) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || stop.getAsBoolean()) {
                return false;
            }
            // a stop request does not notify: look again at least every 200 ms
            wait(Math.max(1, Math.min(200, left / 1_000_000)));
        }
        return true;
    }
}
