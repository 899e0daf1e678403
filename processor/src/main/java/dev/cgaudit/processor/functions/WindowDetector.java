package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RoutedDecision;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.SubjectWindow;
import dev.cgaudit.processor.Violations;
import dev.cgaudit.schema.PolicyViolation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * DENIAL_BURST and CHURN, keyed by rule + subject (node + writer tgid, or node + target tgid).
 *
 * <p>Semantics (DESIGN.md "Policy file"), in event time: counted decisions of one subject are taken
 * in (timestamp, eventId) order; those more than {@code within} before the newest drop out of the
 * window; when the window holds {@code count} decisions a violation is raised with all of them and
 * counting starts afresh. Threshold, mode and version are those in force at the decision that
 * completes the window.
 *
 * <p>A key holds one {@link SubjectWindow} and at most one event-time timer, at the earlier of the
 * next pending decision's (rounded) time and the window's expiry. Whenever the timer fires, the
 * pending decisions the watermark has passed are counted in order: the same sequence whichever
 * watermark releases them, since a decision arriving behind the watermark is late either way.
 *
 * <p>State hygiene: the window is cleared when it completes, and once the watermark is {@code within}
 * past its newest decision (nothing later can join it); the value goes when nothing is pending or
 * counted. Deleting a rule clears the windows of all its subjects at once (the timers left behind
 * find nothing and go).
 */
public final class WindowDetector extends KeyedBroadcastProcessFunction<String, RoutedDecision, RuleChange, PolicyViolation> {

    static final Comparator<RoutedDecision> ORDER = Comparator.comparingLong(RoutedDecision::timestampMicros)
            .thenComparing(RoutedDecision::eventId);

    private final ProcessorSettings settings;

    private transient ValueState<SubjectWindow> state;
    private transient long granularityMillis;
    private transient Counter late;

    public WindowDetector(ProcessorSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(JobDescriptors.WINDOW_STATE);
        granularityMillis = settings.timerGranularity().toMillis();
        late = getRuntimeContext().getMetricGroup().counter("lateRoutedDecisions");
    }

    @Override
    public void processElement(RoutedDecision routed, ReadOnlyContext ctx, Collector<PolicyViolation> out) throws Exception {
        SubjectWindow w = state.value();
        if (w == null) {
            w = SubjectWindow.EMPTY;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (millis(routed) <= watermark) {
            // Buffering it would hold it behind a timer that never fires again.
            late.inc();
            w = expire(count(w, routed, out), watermark);
        } else {
            List<RoutedDecision> pending = new ArrayList<>(w.pending().size() + 1);
            pending.addAll(w.pending());
            pending.add(routed);
            w = new SubjectWindow(pending, w.counted(), w.expiresAt(), w.timer());
        }
        store(w, ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PolicyViolation> out) throws Exception {
        SubjectWindow w = state.value();
        if (w == null) {
            return;   // the rule was deleted
        }
        long watermark = ctx.timerService().currentWatermark();
        List<RoutedDecision> ready = new ArrayList<>();
        List<RoutedDecision> rest = new ArrayList<>();
        for (RoutedDecision r : w.pending()) {
            (millis(r) <= watermark ? ready : rest).add(r);
        }
        ready.sort(ORDER);
        w = new SubjectWindow(rest, w.counted(), w.expiresAt(), w.timer());
        for (RoutedDecision routed : ready) {
            w = count(w, routed, out);
        }
        store(expire(w, watermark), ctx.timerService());
    }

    @Override
    public void processBroadcastElement(RuleChange change, Context ctx, Collector<PolicyViolation> out) throws Exception {
        if (!change.deleted()) {
            return;
        }
        String prefix = change.ruleId() + '|';
        ctx.applyToKeyedState(JobDescriptors.WINDOW_STATE, (key, state) -> {
            if (key.startsWith(prefix)) {
                state.clear();
            }
        });
    }

    private SubjectWindow count(SubjectWindow w, RoutedDecision routed, Collector<PolicyViolation> out) {
        List<RoutedDecision> counted = w.counted();
        long withinMicros = routed.withinMillis() * 1_000;
        int first = 0;
        while (first < counted.size() && routed.timestampMicros() - counted.get(first).timestampMicros() > withinMicros) {
            first++;
        }
        List<RoutedDecision> window = new ArrayList<>(counted.size() - first + 1);
        window.addAll(counted.subList(first, counted.size()));
        window.add(routed);
        if (window.size() >= routed.thresholdCount()) {
            out.collect(Violations.window(window));
            return new SubjectWindow(w.pending(), List.of(), SubjectWindow.NONE, w.timer());
        }
        long expiresAt = EventTime.roundUp(millis(routed) + routed.withinMillis(), granularityMillis);
        return new SubjectWindow(w.pending(), window, expiresAt, w.timer());
    }

    /** The window without its decisions once the watermark has passed its expiry. */
    private static SubjectWindow expire(SubjectWindow w, long watermark) {
        if (w.expiresAt() != SubjectWindow.NONE && w.expiresAt() <= watermark) {
            return new SubjectWindow(w.pending(), List.of(), SubjectWindow.NONE, w.timer());
        }
        return w;
    }

    /** Stores {@code w} and moves the key's one timer to the earlier of next release and expiry. */
    private void store(SubjectWindow w, TimerService timers) throws Exception {
        long watermark = timers.currentWatermark();
        long due = w.counted().isEmpty() ? Long.MAX_VALUE : w.expiresAt();
        for (RoutedDecision r : w.pending()) {
            due = Math.min(due, EventTime.roundUp(millis(r), granularityMillis));
        }
        long next = w.isEmpty() ? SubjectWindow.NONE : due;
        if (next != w.timer()) {
            if (w.timer() != SubjectWindow.NONE && w.timer() > watermark) {
                timers.deleteEventTimeTimer(w.timer());
            }
            if (next != SubjectWindow.NONE) {
                timers.registerEventTimeTimer(next);
            }
        }
        if (w.isEmpty()) {
            state.clear();
        } else if (next != w.timer()) {
            state.update(new SubjectWindow(w.pending(), w.counted(), w.expiresAt(), next));
        } else {
            state.update(w);
        }
    }

    private static long millis(RoutedDecision r) {
        return EventTime.millis(r.timestampMicros());
    }
}
