package dev.cgaudit.collector;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The collector's counters, shared by the reader, the publisher, the status reporter and the
 * metrics endpoint. Counters only grow; gauges (spool depth, lost in the kernel) are read from
 * their owners when reported.
 */
public final class CollectorMetrics {

    /** Ring records (or trace lines) read. */
    public final LongAdder recordsRead = new LongAdder();
    /** Records that did not decode into a decision. */
    public final LongAdder decodeErrors = new LongAdder();
    /** Decisions handed to the sink. */
    public final LongAdder decisions = new LongAdder();
    /** Decisions acknowledged by Kafka. */
    public final LongAdder published = new LongAdder();
    /** Times the publisher rewound and resent after a failed send. */
    public final LongAdder resends = new LongAdder();
    /** Time from send to Kafka's acknowledgement. */
    public final LatencySummary publishLatency = new LatencySummary();

    /** Count, sum and max of a latency in nanoseconds: enough for a Prometheus summary. */
    public static final class LatencySummary {
        private final LongAdder count = new LongAdder();
        private final LongAdder sumNanos = new LongAdder();
        private final AtomicLong maxNanos = new AtomicLong();

        public void record(long nanos) {
            count.increment();
            sumNanos.add(nanos);
            maxNanos.accumulateAndGet(nanos, Math::max);
        }

        public long count() {
            return count.sum();
        }

        public long sumNanos() {
            return sumNanos.sum();
        }

        public long maxNanos() {
            return maxNanos.get();
        }
    }
}
