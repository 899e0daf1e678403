package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.CollectorCounters;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Violations;
import dev.cgaudit.processor.policy.RuleBook;
import dev.cgaudit.processor.policy.RuleTimeline;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.RuleEnforcementStatus;
import dev.cgaudit.schema.StatusEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Collector statuses, keyed by node, in event-time order:
 * <ul>
 *   <li>COLLECTOR_LOSS when ringRecordsLost, spoolDropped or decodeErrors grew since the node's
 *       previous status (counters restart with a new boot or a restarted collector: a smaller value
 *       is a new baseline, and what it holds was lost since);</li>
 *   <li>ENFORCEMENT_DEGRADED when the node says it cannot enforce a rule whose version in force at
 *       the status's time is in enforce mode, once per rule version until the node enforces it again.</li>
 * </ul>
 * A node's state goes after {@code nodeRetention} without a status.
 */
public final class StatusDetector extends KeyedBroadcastProcessFunction<String, StatusEvent, RuleChange, PolicyViolation> {

    static final Comparator<StatusEvent> ORDER = Comparator.comparingLong((StatusEvent s) -> EventTime.micros(s.getTimestamp()))
            .thenComparing(s -> s.getBootId() == null ? "" : s.getBootId())
            .thenComparingLong(StatusEvent::getRecordsRead);

    private final ProcessorSettings settings;
    private final boolean awaitPolicy;

    private transient GatedBuffer<StatusEvent> buffer;
    private transient ValueState<CollectorCounters> counters;
    private transient MapState<String, Long> degraded;
    private transient ValueState<Long> cleanupAt;
    private transient CachedRuleBook book;

    /** @param awaitPolicy hold events until the policy log is loaded (live); false in replay */
    public StatusDetector(ProcessorSettings settings, boolean awaitPolicy) {
        this.settings = settings;
        this.awaitPolicy = awaitPolicy;
    }

    @Override
    public void open(OpenContext openContext) {
        book = new CachedRuleBook();
        buffer = new GatedBuffer<>(new PolicyGate(awaitPolicy),
                new EventTimeBuffer<>(getRuntimeContext().getState(JobDescriptors.STATUS_BUFFER), ORDER,
                        s -> s.getTimestamp().toEpochMilli(), settings.timerGranularity().toMillis(),
                        // statuses keep their event time as stream timestamp in replay too, so BATCH sorts them by it
                        KeyArrival.NEARLY_ORDERED));
        counters = getRuntimeContext().getState(JobDescriptors.STATUS_COUNTERS);
        degraded = getRuntimeContext().getMapState(JobDescriptors.STATUS_DEGRADED);
        cleanupAt = getRuntimeContext().getState(JobDescriptors.STATUS_CLEANUP);
    }

    @Override
    public void processElement(StatusEvent status, ReadOnlyContext ctx, Collector<PolicyViolation> out) throws Exception {
        if (!buffer.add(status, ctx.getBroadcastState(JobDescriptors.POLICY_LOADED), ctx.timerService())) {
            judge(status, ctx, out);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PolicyViolation> out) throws Exception {
        if (!buffer.release(ctx.getBroadcastState(JobDescriptors.POLICY_LOADED), ctx.timerService(), ctx.timeDomain(),
                status -> judge(status, ctx, out))) {
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        Long cleanup = cleanupAt.value();
        if (cleanup != null && cleanup <= watermark) {
            counters.clear();
            degraded.clear();
            cleanupAt.clear();
        }
    }

    @Override
    public void processBroadcastElement(RuleChange change, Context ctx, Collector<PolicyViolation> out) throws Exception {
        book.apply(change, ctx.getBroadcastState(JobDescriptors.POLICY_LOADED), ctx.getBroadcastState(JobDescriptors.RULES));
    }

    private void judge(StatusEvent status, ReadOnlyContext ctx, Collector<PolicyViolation> out) throws Exception {
        long micros = EventTime.micros(status.getTimestamp());
        checkCounters(status, micros, out);
        checkEnforcement(status, micros, ctx, out);
        long due = EventTime.roundUp(status.getTimestamp().toEpochMilli() + settings.nodeRetention().toMillis(),
                settings.timerGranularity().toMillis());
        long watermark = ctx.timerService().currentWatermark();
        Long previous = cleanupAt.value();
        if (due <= watermark) {
            // BATCH at its end registers nothing (the job's end discards state); a very late status
            // makes sure some timer will look at this node again.
            if (previous == null && watermark != Long.MAX_VALUE) {
                ctx.timerService().registerEventTimeTimer(watermark + 1);
                cleanupAt.update(watermark + 1);
            }
            return;
        }
        // The earlier cleanup timer stays and finds nothing to do: a timer is one per key and time, so
        // deleting it would also delete the buffer's timer due at that time.
        ctx.timerService().registerEventTimeTimer(due);
        cleanupAt.update(due);
    }

    private void checkCounters(StatusEvent s, long micros, Collector<PolicyViolation> out) throws Exception {
        CollectorCounters before = counters.value();
        boolean sameBoot = before != null && java.util.Objects.equals(before.bootId(), s.getBootId());
        List<String> grew = new ArrayList<>();
        long lost = 0;
        lost += growth("ring-buffer records lost", sameBoot ? before.ringRecordsLost() : 0, s.getRingRecordsLost(), grew);
        lost += growth("decisions dropped from a full spool", sameBoot ? before.spoolDropped() : 0, s.getSpoolDropped(), grew);
        lost += growth("ring records that did not decode", sameBoot ? before.decodeErrors() : 0, s.getDecodeErrors(), grew);
        if (lost > 0) {
            out.collect(Violations.counterLoss(s.getNode(), s.getBootId(), micros, lost, String.join(", ", grew)));
        }
        counters.update(new CollectorCounters(s.getBootId(), s.getRingRecordsLost(), s.getSpoolDropped(), s.getDecodeErrors(), micros));
    }

    private static long growth(String what, long before, long now, List<String> grew) {
        // A smaller value means the collector restarted: everything it counts now is new.
        long delta = now >= before ? now - before : now;
        if (delta > 0) {
            grew.add(delta + " " + what);
        }
        return delta;
    }

    private void checkEnforcement(StatusEvent s, long micros, ReadOnlyContext ctx, Collector<PolicyViolation> out) throws Exception {
        RuleBook rules = book.get(ctx.getBroadcastState(JobDescriptors.RULES));
        Set<String> stillDegraded = new HashSet<>();
        for (RuleEnforcementStatus entry : s.getRuleEnforcement()) {
            if (entry.getEnforced()) {
                continue;
            }
            RuleTimeline timeline = rules.rule(entry.getRuleId());
            RuleTimeline.Version inForce = timeline == null ? null : timeline.at(micros);
            if (inForce == null || inForce.rule().mode() != Mode.ENFORCE) {
                continue;
            }
            stillDegraded.add(entry.getRuleId());
            Long reported = degraded.get(entry.getRuleId());
            if (reported == null || reported != inForce.version()) {
                out.collect(Violations.degraded(inForce.rule(), inForce.version(), s.getNode(), s.getBootId(), micros,
                        entry.getBackend(), entry.getReason()));
                degraded.put(entry.getRuleId(), inForce.version());
            }
        }
        List<String> recovered = new ArrayList<>();
        for (String ruleId : degraded.keys()) {
            if (!stillDegraded.contains(ruleId)) {
                recovered.add(ruleId);
            }
        }
        for (String ruleId : recovered) {
            degraded.remove(ruleId);
        }
        if (degraded.isEmpty()) {
            degraded.clear();
        }
    }
}
