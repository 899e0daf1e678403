package dev.cgaudit.processor;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How the job treats time, shared by the live and the replay wiring so both evaluate alike.
 *
 * @param outOfOrderness how far behind the newest decision of a Kafka partition (= a set of nodes) a
 *                       decision may arrive and still be evaluated in event-time order
 * @param idleness       after this long without decisions a partition's watermark runs on with its
 *                       silence ({@link SilenceAwareWatermarks}), so a quiet fleet's last decisions are
 *                       still judged and a partition without decisions does not stall the others
 * @param timerGranularity buffered events are released by event-time timers rounded up to this, which
 *                       keeps the number of timers per key small; it does not change results
 * @param nodeRetention  per-node bookkeeping (next expected seq, last collector counters) is dropped
 *                       after this long without events from that node (event time)
 * @param instanceName   names this processor in StatusEvents ({@code node} field)
 */
public record ProcessorSettings(Duration outOfOrderness, Duration idleness, Duration timerGranularity,
                                Duration nodeRetention, String instanceName) implements Serializable {

    public static final ProcessorSettings DEFAULTS = new ProcessorSettings(
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofHours(1), "processor");

    public ProcessorSettings {
        requirePositive(outOfOrderness, "outOfOrderness");
        requirePositive(idleness, "idleness");
        requirePositive(timerGranularity, "timerGranularity");
        requirePositive(nodeRetention, "nodeRetention");
        Objects.requireNonNull(instanceName, "instanceName");
    }

    public ProcessorSettings withOutOfOrderness(Duration value) {
        return new ProcessorSettings(value, idleness, timerGranularity, nodeRetention, instanceName);
    }

    public ProcessorSettings withIdleness(Duration value) {
        return new ProcessorSettings(outOfOrderness, value, timerGranularity, nodeRetention, instanceName);
    }

    public ProcessorSettings withTimerGranularity(Duration value) {
        return new ProcessorSettings(outOfOrderness, idleness, value, nodeRetention, instanceName);
    }

    public ProcessorSettings withNodeRetention(Duration value) {
        return new ProcessorSettings(outOfOrderness, idleness, timerGranularity, value, instanceName);
    }

    public ProcessorSettings withInstanceName(String value) {
        return new ProcessorSettings(outOfOrderness, idleness, timerGranularity, nodeRetention, value);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }
}
