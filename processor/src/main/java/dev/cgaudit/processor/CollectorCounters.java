package dev.cgaudit.processor;

/** The loss counters of a node's last collector status, to see them grow. */
public record CollectorCounters(String bootId, long ringRecordsLost, long spoolDropped, long decodeErrors,
                                long timestampMicros) {
}
