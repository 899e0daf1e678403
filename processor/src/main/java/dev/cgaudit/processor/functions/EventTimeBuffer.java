package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.EventTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.streaming.api.TimerService;

/**
 * Holds a key's events until the watermark passes them, then hands them out in one total order.
 * This is what makes the live job (events arriving out of order, per partition) and a BATCH replay
 * (events sorted by key, watermark jumping to the end) process every key's events identically.
 * Timers are rounded up to a granularity so a busy key does not hold one timer per event.
 */
final class EventTimeBuffer<T> implements EventBuffer<T> {

    private final ListState<T> state;
    private final Comparator<T> order;
    private final ToLongFunction<T> millis;
    private final long granularityMillis;
    /** Keys drained at the current watermark: their other timers at this watermark have nothing to do. */
    private final java.util.Set<Object> drainedAtWatermark = new java.util.HashSet<>();
    private long drainWatermark = Long.MIN_VALUE;

    EventTimeBuffer(ListState<T> state, Comparator<T> order, ToLongFunction<T> millis, long granularityMillis) {
        this.state = state;
        this.order = order;
        this.millis = millis;
        this.granularityMillis = granularityMillis;
    }

    /**
     * Buffers {@code event}; false when the watermark has already passed it (a late event), which the
     * caller must handle itself: buffering it would hold it behind a timer that never fires again.
     */
    @Override
    public boolean add(T event, TimerService timers) throws Exception {
        long ms = millis.applyAsLong(event);
        if (ms <= timers.currentWatermark()) {
            return false;
        }
        state.add(event);
        timers.registerEventTimeTimer(EventTime.roundUp(ms, granularityMillis));
        return true;
    }

    /** Buffers {@code event} even when it is late (held at a closed policy gate); it goes with the next drain. */
    @Override
    public void hold(T event, TimerService timers) throws Exception {
        long ms = millis.applyAsLong(event);
        state.add(event);
        // A held event may be behind the watermark: the next drain of this key must look again.
        drainWatermark = Long.MIN_VALUE;
        if (ms > timers.currentWatermark()) {
            timers.registerEventTimeTimer(EventTime.roundUp(ms, granularityMillis));
        }
    }

    /**
     * The buffered events the watermark has passed, in order; the rest stay buffered. A key's events
     * are scanned once per watermark (one advance fires many of its rounded timers): without this a
     * key with a deep buffer is rescanned for every timer, quadratic in a backlog.
     */
    @Override
    public List<T> drain(Object key, long watermark) throws Exception {
        if (watermark != drainWatermark) {
            drainedAtWatermark.clear();
            drainWatermark = watermark;
        }
        if (!drainedAtWatermark.add(key)) {
            return List.of();
        }
        return drain(watermark);
    }

    private List<T> drain(long watermark) throws Exception {
        Iterable<T> buffered = state.get();
        if (buffered == null) {
            return List.of();
        }
        List<T> ready = new ArrayList<>();
        List<T> rest = new ArrayList<>();
        for (T e : buffered) {
            (millis.applyAsLong(e) <= watermark ? ready : rest).add(e);
        }
        if (ready.isEmpty()) {
            return ready;
        }
        if (rest.isEmpty()) {
            state.clear();
        } else {
            state.update(rest);
        }
        ready.sort(order);
        return ready;
    }
}
