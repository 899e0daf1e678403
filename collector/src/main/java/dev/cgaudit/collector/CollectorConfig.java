package dev.cgaudit.collector;

import dev.cgaudit.collector.enforce.EnforcementConfig;
import dev.cgaudit.collector.publish.SpoolConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything {@code cgaudit collector} was asked to do, parsed and checked once at the edge.
 *
 * @param bootstrap      Kafka bootstrap servers (for {@link Sink#KAFKA})
 * @param node           this node's name: the Kafka key and the first part of every eventId
 * @param spool          the spool (write-ahead log) and its limits; also the collector's restart state
 * @param sink           where decisions go
 * @param traceFile      play this JSON Lines trace instead of capturing from the kernel
 * @param metricsPort    serve Prometheus metrics on this port
 * @param statusInterval how often a StatusEvent is published
 * @param duration       stop after this long (demos, tests); empty = until stopped
 * @param enforcement    whether this collector runs the enforcer (only with the kernel as source)
 */
public record CollectorConfig(
        String bootstrap,
        String node,
        SpoolConfig spool,
        Sink sink,
        Optional<Path> traceFile,
        Optional<Integer> metricsPort,
        Duration statusInterval,
        Optional<Duration> duration,
        EnforcementConfig enforcement) {

    /** {@code --sink}. */
    public enum Sink { KAFKA, STDOUT }

    /** A collector that does not enforce. */
    public CollectorConfig(String bootstrap, String node, SpoolConfig spool, Sink sink, Optional<Path> traceFile,
            Optional<Integer> metricsPort, Duration statusInterval, Optional<Duration> duration) {
        this(bootstrap, node, spool, sink, traceFile, metricsPort, statusInterval, duration, EnforcementConfig.disabled());
    }

    public CollectorConfig {
        if (node == null || node.isBlank() || node.contains("/")) {
            throw new IllegalArgumentException("--node must be a non-empty name without '/', got '" + node + "'");
        }
        if (statusInterval.isNegative() || statusInterval.isZero()) {
            throw new IllegalArgumentException("--status-interval must be positive, got " + statusInterval);
        }
        if (enforcement.enabled() && traceFile.isPresent()) {
            throw new IllegalArgumentException("--enforce needs --source bpf: a trace played back is not this node's kernel");
        }
    }
}
