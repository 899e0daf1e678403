package dev.cgaudit.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code cgaudit demo} was asked to do, checked once at the edge.
 *
 * @param duration    bound on the whole run, start-up included; the demo ends earlier once every
 *                    violation kind it can show has arrived
 * @param policy      a policy file instead of the bundled {@code deploy/examples/demo-policy.yaml}
 * @param output      where the findings, the applied policy, keys and the collector's spool go
 * @param source      the kernel, the bundled recorded trace, or the kernel where permitted
 * @param recordTrace write the decisions of this run (scratch subtree only) as a trace for the fallback
 */
public record DemoSettings(Duration duration, Optional<Path> policy, Path output, Source source, Optional<Path> recordTrace) {

    /** {@code --source}. */
    public enum Source { AUTO, BPF, TRACE }

    public DemoSettings {
        Objects.requireNonNull(output, "output");
        if (duration.compareTo(Duration.ofSeconds(20)) < 0) {
            throw new IllegalArgumentException("--duration must be at least 20s (Kafka and Flink start inside it), got "
                    + duration.toSeconds() + "s");
        }
        if (recordTrace.isPresent() && source == Source.TRACE) {
            throw new IllegalArgumentException("--record-trace records the kernel's decisions; it cannot be used with --source trace");
        }
    }
}
