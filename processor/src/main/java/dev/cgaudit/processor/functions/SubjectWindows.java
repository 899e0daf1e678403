package dev.cgaudit.processor.functions;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.processor.CountedDecision;
import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.NodeWindows;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Violations;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyViolation;
import java.util.Arrays;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The denial-burst and churn windows of one node's subjects (rule + writer or target tgid), kept in
 * the router's keyed state for that node.
 *
 * <p>Semantics (DESIGN.md "Policy file"), in event time: the router hands over a node's counted
 * decisions in its event-time order; those more than {@code within} before the newest drop out of
 * the window; when the window holds {@code count} decisions a violation is raised with all of them
 * and counting starts afresh. Threshold, mode and version are those in force at the decision that
 * completes the window.
 *
 * <p>Why here and not in an operator keyed by subject: a subject always belongs to one node, and
 * the node key already spreads a rule on {@code /} over the fleet. Keyed by rule + node + tgid, the
 * bench's churn rule alone made a million keys, each with its own event-time timer: the timer heap
 * and per-key state were most of the job's CPU. Here a window is a slot in its node's one
 * {@link NodeWindows} value.
 *
 * <p>State hygiene: a window goes when it completes, and at the first sweep after the watermark
 * passes its expiry (nothing later can join it). Sweeps run on the node's event-time timers on a
 * {@link #SWEEP_MILLIS} grid: each counted window asks for the sweep after its expiry, and a sweep
 * visits all of the node's windows (a scan of its arrays). That costs about {@code within /
 * SWEEP_MILLIS} visits per counted decision, where an index by expiry would cost more on every
 * count. Deleting a rule removes the windows of all its subjects at once.
 */
final class SubjectWindows {

    /** How late after its expiry (event time) a window may still be held. */
    static final long SWEEP_MILLIS = 10_000;

    private final ValueState<NodeWindows> state;
    private final long granularityMillis;
    /** A window expired as it was counted (a drain at the end of a BATCH key, a late decision): sweep after it. */
    private boolean sweepNow;
    /**
     * The node's windows while one callback counts its decisions: read from state at the first count,
     * stored once by the after-hook that ends the callback ({@link #afterTimer}, {@link
     * #afterUntimedCount}); null between callbacks, when a snapshot or a rule deletion may look at the
     * state. A drain counts a node's ~20 decisions of a timer twice or more each (a burst and a churn
     * rule on {@code /}): a state read and write per count was a tenth of the router's CPU.
     */
    private NodeWindows pending;

    SubjectWindows(ValueState<NodeWindows> state, long granularityMillis) {
        this.state = state;
        this.granularityMillis = granularityMillis;
    }

    /**
     * Counts {@code encoded} (with the kernel's {@code outcome}) of its node's subject {@code tgid}
     * towards {@code rule} (the version in force at the decision), raising the window's violation
     * when it completes. The caller ends its callback with {@link #afterTimer} or {@link
     * #afterUntimedCount}, which store what the counts changed.
     */
    void count(PolicyRule rule, long version, int tgid, String subjectComm, EncodedDecision encoded, Outcome outcome,
               TimerService timers, Collector<PolicyViolation> out) throws Exception {
        var threshold = rule.threshold().orElseThrow();
        NodeWindows windows = pending();
        String node = encoded.node();
        CountedDecision decision = CountedDecision.of(encoded, windows.boot(encoded.bootId()), outcome);
        long subject = windows.subject(rule.id(), tgid);
        CountedDecision[] counted = windows.counted(subject);
        long withinMicros = threshold.within().toMillis() * 1_000;
        int first = 0;
        while (first < counted.length && decision.timestampMicros() - counted[first].timestampMicros() > withinMicros) {
            first++;
        }
        // A new array each time: a copy of the node's windows for a snapshot shares the old one.
        CountedDecision[] window = Arrays.copyOfRange(counted, first, counted.length + 1);
        window[window.length - 1] = decision;
        if (window.length >= threshold.count()) {
            out.collect(Violations.window(rule, version, node, tgid, subjectComm, Arrays.asList(window)));
            if (counted.length > 0) {
                windows.remove(subject);
            }
            return;
        }
        long expiresAt = EventTime.roundUp(EventTime.millis(decision.timestampMicros()) + threshold.within().toMillis(),
                granularityMillis);
        windows.put(subject, window, expiresAt);
        long sweep = EventTime.roundUp(expiresAt, SWEEP_MILLIS);
        if (sweep <= timers.currentWatermark()) {
            sweepNow = true;
        } else if (windows.askSweep(sweep)) {
            timers.registerEventTimeTimer(sweep);
        }
    }

    /**
     * After a timer's decisions are counted: sweeps if the timer is a sweep's, or a window was counted
     * expired; then stores what the timer's counts changed.
     */
    void afterTimer(long timestamp, long watermark) throws Exception {
        if (sweepNow || EventTime.roundUp(timestamp, SWEEP_MILLIS) == timestamp) {
            sweep(watermark);
        }
        flush();
    }

    /**
     * After decisions counted outside an event-time timer (a late decision, or a release on the
     * policy gate's processing-time timer): sweeps if a window was counted expired; then stores what
     * the counts changed.
     */
    void afterUntimedCount(long watermark) throws Exception {
        if (sweepNow) {
            sweep(watermark);
        }
        flush();
    }

    /** The node's windows for this callback's counts: read once, kept until {@link #flush}. */
    private NodeWindows pending() throws Exception {
        if (pending == null) {
            NodeWindows stored = state.value();
            pending = stored != null ? stored : new NodeWindows();
        }
        return pending;
    }

    /** Removes the node's windows the watermark has expired. */
    private void sweep(long watermark) throws Exception {
        sweepNow = false;
        NodeWindows windows = pending != null ? pending : state.value();
        if (windows != null) {
            windows.removeExpired(watermark);
            pending = windows;
        }
    }

    /** Stores the callback's windows, if it read them. */
    private void flush() throws Exception {
        if (pending != null) {
            store(state, pending);
            pending = null;
        }
    }

    /** Keeps the node's windows, or no state at all when it has none left. */
    private static void store(ValueState<NodeWindows> state, NodeWindows windows) throws Exception {
        if (windows.isEmpty()) {
            state.clear();
        } else {
            state.update(windows);
        }
    }

    /** Removes the windows of every subject of {@code ruleId} on every node (the rule was deleted). */
    static void deleteRule(String ruleId,
                           KeyedBroadcastProcessFunction<String, EncodedDecision, RuleChange, PolicyViolation>.Context ctx) throws Exception {
        ctx.applyToKeyedState(JobDescriptors.ROUTER_WINDOWS, (node, state) -> {
            NodeWindows windows = state.value();
            if (windows == null) {
                return;
            }
            windows.removeRule(ruleId);
            store(state, windows);
        });
    }
}
