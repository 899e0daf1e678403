package dev.cgaudit.collector.status;

import dev.cgaudit.collector.CollectorMetrics;
import dev.cgaudit.collector.Sequencer;
import dev.cgaudit.collector.publish.DecisionSink;
import dev.cgaudit.schema.Component;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.Capability;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds the collector's StatusEvent: what was read, published, lost in the kernel, refused by a
 * full spool, what the node can observe and enforce, and the policy commands it handled. Sent
 * every few seconds and once at shutdown, so an operator (and the processor's COLLECTOR_LOSS and
 * ENFORCEMENT_DEGRADED detectors) sees loss and degraded enforcement as data.
 */
public final class StatusReporter {

    private final String node;
    private final String bootId;
    private final String version;
    private final Clock clock;
    private final CollectorMetrics metrics;
    private final DecisionSink sink;
    private final Sequencer sequencer;
    private final CollectorHealth health;
    private final Consumer<StatusEvent> publish;
    private final EnforcementHealth enforcement;

    public StatusReporter(String node, String bootId, String version, Clock clock, CollectorMetrics metrics,
            DecisionSink sink, Sequencer sequencer, CollectorHealth health, Consumer<StatusEvent> publish) {
        this(node, bootId, version, clock, metrics, sink, sequencer, health, EnforcementHealth.NONE, publish);
    }

    public StatusReporter(String node, String bootId, String version, Clock clock, CollectorMetrics metrics,
            DecisionSink sink, Sequencer sequencer, CollectorHealth health, EnforcementHealth enforcement,
            Consumer<StatusEvent> publish) {
        this.node = node;
        this.bootId = bootId;
        this.version = version;
        this.clock = clock;
        this.metrics = metrics;
        this.sink = sink;
        this.sequencer = sequencer;
        this.health = health;
        this.publish = publish;
        this.enforcement = enforcement;
    }

    /** The status now; the policy command results it carries are taken (each is reported once). */
    public StatusEvent snapshot(String message) {
        Map<String, Long> lost = health.ringLostByType();
        long seq = sequencer == null ? -1 : sequencer.highWater();
        List<Capability> capabilities = new ArrayList<>(health.capabilities());
        capabilities.addAll(enforcement.capabilities());
        String note = enforcement.note();
        return StatusEvent.newBuilder()
                .setComponent(Component.COLLECTOR)
                .setNode(node)
                .setBootId(bootId)
                .setTimestamp(clock.instant())
                .setVersion(version)
                .setRecordsRead(metrics.recordsRead.sum())
                .setRecordsPublished(metrics.published.sum())
                .setRingRecordsLost(lost.values().stream().mapToLong(Long::longValue).sum())
                .setRingLostByType(Map.copyOf(lost))
                .setDecodeErrors(metrics.decodeErrors.sum())
                .setSpoolDepth(sink.backlog())
                .setSpoolDropped(sink.dropped())
                .setSeqHighWater(seq < 0 ? null : seq)
                .setEnforcementBackend(enforcement.backend())
                .setCapabilities(capabilities)
                .setRuleEnforcement(enforcement.ruleEnforcement())
                .setPolicyCommands(enforcement.drainPolicyCommands())
                .setMessage(message == null ? note : note == null ? message : message + "; " + note)
                .build();
    }

    public void report(String message) {
        publish.accept(snapshot(message));
    }
}
