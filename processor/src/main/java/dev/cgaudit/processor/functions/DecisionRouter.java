package dev.cgaudit.processor.functions;

import dev.cgaudit.policy.Match;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.RuleMatcher;
import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.SeqMark;
import dev.cgaudit.processor.Violations;
import dev.cgaudit.processor.policy.RuleBook;
import dev.cgaudit.processor.policy.RuleTimeline;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by node: takes each node's decisions in event-time order (buffered until the watermark
 * passes them) and, against the rule versions in force at each decision's time:
 * <ul>
 *   <li>judges allowlist and containment rules on the spot (UNAUTHORIZED_MIGRATION, SUBTREE_ESCAPE,
 *       and ENFORCEMENT_BYPASS when the rule was in enforce mode and the kernel allowed it);</li>
 *   <li>counts decisions towards the denial-burst / churn windows of their subject (rule + writer or
 *       target tgid on this node: {@link SubjectWindows}) and raises DENIAL_BURST and CHURN;</li>
 *   <li>checks the node's seq per boot and raises COLLECTOR_LOSS for a gap.</li>
 * </ul>
 * The broadcast side keeps every accepted rule version (the policy history), so versions apply by
 * event time rather than by arrival.
 */
public final class DecisionRouter extends KeyedBroadcastProcessFunction<String, EncodedDecision, RuleChange, PolicyViolation> {

    private static final long RETENTION_CHECK_MILLIS = 60_000;

    private final ProcessorSettings settings;
    private final boolean awaitPolicy;
    private final KeyArrival arrival;

    private transient GatedBuffer<EncodedDecision> buffer;
    private transient SubjectWindows windows;
    private transient EventCodec<AttachDecision> codec;
    private transient MapState<String, SeqMark> seqs;
    private transient ValueState<Long> cleanupAt;
    private transient RuleMatcher matcher;
    private transient CachedRuleBook book;
    private transient List<RuleTimeline> candidates;
    private transient Counter late;
    private transient Counter routedCounter;

    /**
     * @param awaitPolicy hold events until the policy log is loaded (live); false in replay
     * @param arrival     how a node's decisions come: nearly in order (live) or all before its timers (BATCH)
     */
    public DecisionRouter(ProcessorSettings settings, boolean awaitPolicy, KeyArrival arrival) {
        this.settings = settings;
        this.awaitPolicy = awaitPolicy;
        this.arrival = arrival;
    }

    @Override
    public void open(OpenContext openContext) {
        book = new CachedRuleBook();
        buffer = new GatedBuffer<>(new PolicyGate(awaitPolicy),
                new EventTimeBuffer<>(getRuntimeContext().getState(JobDescriptors.ROUTER_BUFFER),
                        EncodedDecision.ORDER, EncodedDecision::millis, settings.timerGranularity().toMillis(), arrival));
        windows = new SubjectWindows(getRuntimeContext().getState(JobDescriptors.ROUTER_WINDOWS),
                settings.timerGranularity().toMillis());
        seqs = getRuntimeContext().getMapState(JobDescriptors.ROUTER_SEQ);
        cleanupAt = getRuntimeContext().getState(JobDescriptors.ROUTER_CLEANUP);
        codec = EventCodec.of(AttachDecision.class);
        matcher = new RuleMatcher();
        candidates = new ArrayList<>();
        late = getRuntimeContext().getMetricGroup().counter("lateDecisions");
        routedCounter = getRuntimeContext().getMetricGroup().counter("decisionsEvaluated");
    }

    @Override
    public void processElement(EncodedDecision decision, ReadOnlyContext ctx, Collector<PolicyViolation> out) throws Exception {
        if (!buffer.add(decision, ctx.getBroadcastState(JobDescriptors.POLICY_LOADED), ctx.timerService())) {
            // Later than the watermark (a node back from a long silence): evaluated now rather than
            // dropped; its place in the node's order, and so in windows, may differ from a replay.
            late.inc();
            evaluate(decision, ctx, out);
            windows.afterUntimedCount(ctx.timerService().currentWatermark());
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PolicyViolation> out) throws Exception {
        if (!buffer.release(ctx.getBroadcastState(JobDescriptors.POLICY_LOADED), ctx.timerService(), ctx.timeDomain(),
                decision -> evaluate(decision, ctx, out))) {
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            windows.afterTimer(timestamp, watermark);
        } else {
            windows.afterUntimedCount(watermark);
        }
        Long cleanup = cleanupAt.value();
        if (cleanup != null && cleanup <= watermark) {
            forgetQuietBoots(watermark, ctx);
        }
    }

    @Override
    public void processBroadcastElement(RuleChange change, Context ctx, Collector<PolicyViolation> out) throws Exception {
        book.apply(change, ctx.getBroadcastState(JobDescriptors.POLICY_LOADED), ctx.getBroadcastState(JobDescriptors.RULES));
        if (change.deleted()) {
            SubjectWindows.deleteRule(change.ruleId(), ctx);
        }
    }

    private void evaluate(EncodedDecision encoded, ReadOnlyContext ctx, Collector<PolicyViolation> out) throws Exception {
        routedCounter.inc();
        AttachDecision d = decode(encoded);
        long micros = encoded.timestampMicros();
        checkSeq(d, micros, ctx, out);
        RuleBook rules = book.get(ctx.getBroadcastState(JobDescriptors.RULES));
        rules.candidates(d, candidates);
        for (RuleTimeline timeline : candidates) {
            RuleTimeline.Version inForce = timeline.at(micros);
            if (inForce == null) {
                continue;
            }
            PolicyRule rule = inForce.rule();
            Match match = matcher.evaluate(rule, d);
            if (!match.violated()) {
                continue;
            }
            switch (rule.kind()) {
                case ALLOWLIST, CONTAINMENT -> {
                    out.collect(Violations.perDecision(rule, inForce.version(), d, match));
                    if (rule.mode() == Mode.ENFORCE && d.getOutcome() == Outcome.ALLOWED) {
                        out.collect(Violations.bypass(rule, inForce.version(), d, match));
                    }
                }
                case DENIAL_BURST -> windows.count(rule, inForce.version(), d.getWriter().getTgid(), d.getWriter().getComm(),
                        encoded, d.getOutcome(), ctx.timerService(), out);
                case CHURN -> {
                    Target t = d.getTarget();
                    windows.count(rule, inForce.version(), t.getTgid(), t.getComm(), encoded, d.getOutcome(),
                            ctx.timerService(), out);
                }
            }
        }
    }

    /** The one place a decision is decoded after the source checked it. */
    private AttachDecision decode(EncodedDecision encoded) {
        try {
            return codec.decodeAccepted(encoded.message());
        } catch (DecodeException e) {
            throw new IllegalStateException("decision " + encoded.eventId() + " decoded at the source but not here", e);
        }
    }

    /** Gaps only: the first seq seen of a boot is its baseline (a replay may start mid-boot). */
    private void checkSeq(AttachDecision d, long micros, ReadOnlyContext ctx, Collector<PolicyViolation> out) throws Exception {
        SeqMark mark = seqs.get(d.getBootId());
        long seq = d.getSeq();
        if (mark != null && seq > mark.nextSeq()) {
            out.collect(Violations.seqGap(d, mark.nextSeq(), seq - 1, mark.lastSeenMicros()));
        }
        if (mark == null || seq >= mark.nextSeq()) {
            seqs.put(d.getBootId(), new SeqMark(seq + 1, micros));
        }
        long due = EventTime.roundUp(EventTime.millis(micros) + settings.nodeRetention().toMillis(), RETENTION_CHECK_MILLIS);
        long watermark = ctx.timerService().currentWatermark();
        Long current = cleanupAt.value();
        if (due <= watermark) {
            // BATCH at its end registers nothing (the job's end discards state); a very late decision
            // makes sure some timer will look at this node again.
            if (current == null && watermark != Long.MAX_VALUE) {
                ctx.timerService().registerEventTimeTimer(watermark + 1);
                cleanupAt.update(watermark + 1);
            }
            return;
        }
        if (current == null || current < due) {
            // The earlier cleanup timer stays and finds nothing to do: a timer is one per key and time,
            // so deleting it would also delete the buffer's or a sweep's timer due at that time.
            ctx.timerService().registerEventTimeTimer(due);
            cleanupAt.update(due);
        }
    }

    /** Drops the seq bookkeeping of boots not heard of for the retention period. */
    private void forgetQuietBoots(long watermark, OnTimerContext ctx) throws Exception {
        long retentionMillis = settings.nodeRetention().toMillis();
        long latestDue = Long.MIN_VALUE;
        for (Iterator<Map.Entry<String, SeqMark>> it = seqs.iterator(); it.hasNext(); ) {
            SeqMark mark = it.next().getValue();
            long due = EventTime.millis(mark.lastSeenMicros()) + retentionMillis;
            if (due <= watermark) {
                it.remove();
            } else {
                latestDue = Math.max(latestDue, due);
            }
        }
        if (latestDue == Long.MIN_VALUE) {
            // An emptied map is still an entry of the heap backend: clear() removes the key's state.
            seqs.clear();
            cleanupAt.clear();
        } else {
            long next = EventTime.roundUp(latestDue, RETENTION_CHECK_MILLIS);
            ctx.timerService().registerEventTimeTimer(next);
            cleanupAt.update(next);
        }
    }
}
