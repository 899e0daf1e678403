package dev.cgaudit.processor.functions;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.processor.CountedDecision;
import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.SubjectWindow;
import dev.cgaudit.processor.Violations;
import dev.cgaudit.schema.PolicyViolation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
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
 * and per-key state were most of the job's CPU. Here a window is one map entry in its node's state.
 *
 * <p>State hygiene: a window goes when it completes, and at the first sweep after the watermark
 * passes its expiry (nothing later can join it). Sweeps run on the node's event-time timers on a
 * {@link #SWEEP_MILLIS} grid: each counted window asks for the sweep after its expiry, and a sweep
 * visits all of the node's windows. That costs about {@code within / SWEEP_MILLIS} visits per counted
 * decision, where an index by expiry would cost state writes on every one. Deleting a rule removes
 * the windows of all its subjects at once.
 */
final class SubjectWindows {

    /** How late after its expiry (event time) a window may still be held. */
    static final long SWEEP_MILLIS = 10_000;

    private final MapState<String, SubjectWindow> windows;
    private final long granularityMillis;
    /** A window expired as it was counted (a drain at the end of a BATCH key, a late decision): sweep after it. */
    private boolean sweepNow;

    SubjectWindows(MapState<String, SubjectWindow> windows, long granularityMillis) {
        this.windows = windows;
        this.granularityMillis = granularityMillis;
    }

    /** The state key of a subject within its node: rule ids are [a-z0-9-]+, so the '|' is unambiguous. */
    static String subject(String ruleId, int tgid) {
        return ruleId + '|' + tgid;
    }

    /**
     * Counts one decision of {@code node}'s subject {@code tgid} towards {@code rule} (the version in
     * force at the decision), raising the window's violation when it completes.
     */
    void count(PolicyRule rule, long version, String node, int tgid, String subjectComm, CountedDecision decision,
               TimerService timers, Collector<PolicyViolation> out) throws Exception {
        var threshold = rule.threshold().orElseThrow();
        String key = subject(rule.id(), tgid);
        SubjectWindow w = windows.get(key);
        List<CountedDecision> counted = w == null ? List.of() : w.counted();
        long withinMicros = threshold.within().toMillis() * 1_000;
        int first = 0;
        while (first < counted.size() && decision.timestampMicros() - counted.get(first).timestampMicros() > withinMicros) {
            first++;
        }
        List<CountedDecision> window = new ArrayList<>(counted.size() - first + 1);
        window.addAll(counted.subList(first, counted.size()));
        window.add(decision);
        if (window.size() >= threshold.count()) {
            out.collect(Violations.window(rule, version, node, tgid, subjectComm, window));
            if (w != null) {
                windows.remove(key);
            }
            return;
        }
        long expiresAt = EventTime.roundUp(EventTime.millis(decision.timestampMicros()) + threshold.within().toMillis(),
                granularityMillis);
        windows.put(key, new SubjectWindow(window, expiresAt));
        long sweep = EventTime.roundUp(expiresAt, SWEEP_MILLIS);
        if (sweep <= timers.currentWatermark()) {
            sweepNow = true;
        } else {
            timers.registerEventTimeTimer(sweep);
        }
    }

    /** After a timer's decisions are counted: sweeps if the timer is a sweep's, or a window was counted expired. */
    void afterTimer(long timestamp, long watermark) throws Exception {
        if (sweepNow || EventTime.roundUp(timestamp, SWEEP_MILLIS) == timestamp) {
            sweep(watermark);
        }
    }

    /**
     * After decisions counted outside an event-time timer (a late decision, or a release on the
     * policy gate's processing-time timer): sweeps if a window was counted expired.
     */
    void afterUntimedCount(long watermark) throws Exception {
        if (sweepNow) {
            sweep(watermark);
        }
    }

    /** Removes the node's windows the watermark has expired. */
    private void sweep(long watermark) throws Exception {
        sweepNow = false;
        for (Iterator<SubjectWindow> it = windows.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAt() <= watermark) {
                it.remove();
            }
        }
        if (windows.isEmpty()) {
            // An emptied map is still an entry of the heap backend: clear() removes the key's state.
            windows.clear();
        }
    }

    /** Removes the windows of every subject of {@code ruleId} on every node (the rule was deleted). */
    static void deleteRule(String ruleId,
                           KeyedBroadcastProcessFunction<String, EncodedDecision, RuleChange, PolicyViolation>.Context ctx) throws Exception {
        String prefix = ruleId + '|';
        ctx.applyToKeyedState(JobDescriptors.ROUTER_WINDOWS, (node, state) -> {
            for (Iterator<String> it = state.keys().iterator(); it.hasNext(); ) {
                if (it.next().startsWith(prefix)) {
                    it.remove();
                }
            }
            if (state.isEmpty()) {
                state.clear();
            }
        });
    }
}
