package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.EventTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.TimerService;

/**
 * A key's events held until the watermark passes them: a drain hands out every buffered event the
 * watermark has passed, in order. A late event (behind the watermark) is not taken by {@link #add}:
 * the caller handles it at once, as buffering it would hold it behind a timer that never fires
 * again.
 *
 * <p>The key's events are one list in state, kept in order (they arrive nearly in order, so an
 * insert is almost always an append), with one event-time timer: at the end of the granule of the
 * earliest event. A drain takes the ready events from the front and asks for the timer of the new
 * earliest; another timer of the key at the same watermark (a sweep's, a cleanup's) finds the front
 * not ready and leaves at once. Why not a map of timer bucket → events with a timer per bucket:
 * with the job's 5 s of out-of-orderness a busy node holds some fifty buckets, so the router kept
 * tens of thousands of timers in its queue and rewrote a bucket's list at every event; that was
 * about half of the router's CPU per decision.
 *
 * <p>With {@link KeyArrival#WHOLE_KEY_FIRST} (BATCH) events are appended as they come and the list is
 * sorted at the drain; one timer (asked for with the first event) is enough, as BATCH fires every
 * timer of a key after its last event. Should such a buffer see a drain before that, the sort still
 * hands out the ready events in order and the timer of the earliest left is asked for as above.
 */
final class EventTimeBuffer<T> {

    private final ValueState<List<T>> events;
    private final Comparator<T> order;
    private final ToLongFunction<T> millis;
    private final long granularityMillis;
    private final KeyArrival arrival;

    /** @param order must order by event time first (a drain takes the ready events from the front) */
    EventTimeBuffer(ValueState<List<T>> events, Comparator<T> order, ToLongFunction<T> millis, long granularityMillis,
                    KeyArrival arrival) {
        this.events = events;
        this.order = order;
        this.millis = millis;
        this.granularityMillis = granularityMillis;
        this.arrival = arrival;
    }

    /** Buffers {@code event}; false when the watermark has already passed it (a late event, the caller's). */
    public boolean add(T event, TimerService timers) throws Exception {
        if (millis.applyAsLong(event) <= timers.currentWatermark()) {
            return false;
        }
        insert(event, timers);
        return true;
    }

    /** Buffers {@code event} even when it is late (held at a closed policy gate); it goes with the next drain. */
    public void hold(T event, TimerService timers) throws Exception {
        insert(event, timers);
    }

    /** The buffered events the watermark has passed, in order (none left: a later drain finds nothing). */
    public List<T> drain(TimerService timers) throws Exception {
        long watermark = timers.currentWatermark();
        List<T> held = events.value();
        if (held == null) {
            return List.of();
        }
        if (arrival == KeyArrival.WHOLE_KEY_FIRST) {
            held.sort(order);
        }
        int ready = 0;
        while (ready < held.size() && millis.applyAsLong(held.get(ready)) <= watermark) {
            ready++;
        }
        if (ready == 0) {
            return List.of();
        }
        List<T> out = new ArrayList<>(held.subList(0, ready));
        held.subList(0, ready).clear();
        if (held.isEmpty()) {
            events.clear();
        } else {
            events.update(held);
            // The earliest left is after the watermark, and so is the end of its granule: a timer still to come.
            timers.registerEventTimeTimer(bucket(held.get(0)));
        }
        return out;
    }

    private void insert(T event, TimerService timers) throws Exception {
        List<T> held = events.value();
        if (held == null) {
            held = new ArrayList<>();
        }
        if (arrival == KeyArrival.WHOLE_KEY_FIRST) {
            held.add(event);
            events.update(held);
            long watermark = timers.currentWatermark();
            if (held.size() == 1 && watermark != Long.MAX_VALUE) {
                timers.registerEventTimeTimer(Math.max(bucket(event), watermark + 1));
            }
            return;
        }
        int at = held.size();
        if (at > 0 && order.compare(held.get(at - 1), event) > 0) {
            int found = Collections.binarySearch(held, event, order);
            at = found >= 0 ? found + 1 : -found - 1;
        }
        held.add(at, event);
        events.update(held);
        if (at == 0) {
            // A new earliest: its granule's end may come before the timer already asked for (which stays, and
            // finds nothing or the rest when it fires). Behind the watermark (held late) the next drain takes it.
            long bucket = bucket(event);
            if (bucket > timers.currentWatermark()) {
                timers.registerEventTimeTimer(bucket);
            }
        }
    }

    /** The end of the event's timer granule (event time, ms). */
    private long bucket(T event) {
        return EventTime.roundUp(millis.applyAsLong(event), granularityMillis);
    }
}
