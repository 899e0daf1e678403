package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RoutedDecision;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.Violations;
import dev.cgaudit.schema.PolicyViolation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
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
 * <p>State hygiene: the window is cleared when it completes, and by a timer once the watermark is
 * {@code within} past its newest decision (nothing later can join it). Deleting a rule clears the
 * windows and buffers of all its subjects at once (the timers left behind find nothing and go).
 */
public final class WindowDetector extends KeyedBroadcastProcessFunction<String, RoutedDecision, RuleChange, PolicyViolation> {

    static final Comparator<RoutedDecision> ORDER = Comparator.comparingLong(RoutedDecision::timestampMicros)
            .thenComparing(RoutedDecision::eventId);

    private final ProcessorSettings settings;

    private transient EventTimeBuffer<RoutedDecision> buffer;
    private transient ListState<RoutedDecision> counted;
    private transient ValueState<Long> cleanupAt;
    private transient Counter late;

    public WindowDetector(ProcessorSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        buffer = new EventTimeBuffer<>(getRuntimeContext().getListState(JobDescriptors.WINDOW_BUFFER), ORDER,
                r -> EventTime.millis(r.timestampMicros()), settings.timerGranularity().toMillis());
        counted = getRuntimeContext().getListState(JobDescriptors.WINDOW_COUNTED);
        cleanupAt = getRuntimeContext().getState(JobDescriptors.WINDOW_CLEANUP);
        late = getRuntimeContext().getMetricGroup().counter("lateRoutedDecisions");
    }

    @Override
    public void processElement(RoutedDecision routed, ReadOnlyContext ctx, Collector<PolicyViolation> out) throws Exception {
        if (!buffer.add(routed, ctx.timerService())) {
            late.inc();
            count(routed, ctx, out);
            clearIfExpired(ctx.timerService().currentWatermark());
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PolicyViolation> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        for (RoutedDecision routed : buffer.drain(ctx.getCurrentKey(), watermark)) {
            count(routed, ctx, out);
        }
        clearIfExpired(watermark);
    }

    private void clearIfExpired(long watermark) throws Exception {
        Long cleanup = cleanupAt.value();
        if (cleanup != null && cleanup <= watermark) {
            counted.clear();
            cleanupAt.clear();
        }
    }

    @Override
    public void processBroadcastElement(RuleChange change, Context ctx, Collector<PolicyViolation> out) throws Exception {
        if (!change.deleted()) {
            return;
        }
        String prefix = change.ruleId() + '|';
        ctx.applyToKeyedState(JobDescriptors.WINDOW_BUFFER, (key, state) -> {
            if (key.startsWith(prefix)) {
                state.clear();
            }
        });
        ctx.applyToKeyedState(JobDescriptors.WINDOW_COUNTED, (key, state) -> {
            if (key.startsWith(prefix)) {
                state.clear();
            }
        });
        ctx.applyToKeyedState(JobDescriptors.WINDOW_CLEANUP, (key, state) -> {
            if (key.startsWith(prefix)) {
                state.clear();
            }
        });
    }

    private void count(RoutedDecision routed, ReadOnlyContext ctx, Collector<PolicyViolation> out) throws Exception {
        List<RoutedDecision> window = new ArrayList<>();
        Iterable<RoutedDecision> stored = counted.get();
        if (stored != null) {
            stored.forEach(window::add);
        }
        long withinMicros = routed.withinMillis() * 1_000;
        while (!window.isEmpty() && routed.timestampMicros() - window.get(0).timestampMicros() > withinMicros) {
            window.remove(0);
        }
        window.add(routed);
        Long previousCleanup = cleanupAt.value();
        if (window.size() >= routed.thresholdCount()) {
            out.collect(Violations.window(window));
            counted.clear();
            cleanupAt.clear();
            if (previousCleanup != null) {
                ctx.timerService().deleteEventTimeTimer(previousCleanup);
            }
            return;
        }
        long due = EventTime.roundUp(EventTime.millis(routed.timestampMicros()) + routed.withinMillis(),
                settings.timerGranularity().toMillis());
        counted.update(window);
        if (due <= ctx.timerService().currentWatermark()) {
            // Behind the watermark (BATCH, or a late decision): no timer; the caller clears the window
            // once the events ready now are counted (later ones in the same drain may still join it).
            if (previousCleanup != null) {
                ctx.timerService().deleteEventTimeTimer(previousCleanup);
            }
            cleanupAt.update(due);
            return;
        }
        if (previousCleanup == null || previousCleanup != due) {
            if (previousCleanup != null) {
                ctx.timerService().deleteEventTimeTimer(previousCleanup);
            }
            ctx.timerService().registerEventTimeTimer(due);
            cleanupAt.update(due);
        }
    }
}
