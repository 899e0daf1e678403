package dev.cgaudit.processor.functions;

import dev.cgaudit.processor.EventTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.streaming.api.TimerService;

/**
 * A key's events held until the watermark passes them: a drain hands out every buffered event the
 * watermark has passed, in order, once per key and watermark. A late event (behind the watermark)
 * is not taken by {@link #add}: the caller handles it at once, as buffering it would hold it behind
 * a timer that never fires again. The events are kept per timer bucket, so a drain visits the
 * buckets (a few dozen even for a busy node's decisions) and takes out the ready ones whole, instead
 * of scanning every buffered event and writing the rest back at each watermark.
 */
final class EventTimeBuffer<T> {

    private final MapState<Long, List<T>> buckets;
    private final Comparator<T> order;
    private final ToLongFunction<T> millis;
    private final long granularityMillis;
    /** Keys drained at the current watermark: their other timers at this watermark have nothing to do. */
    private final Set<Object> drainedAtWatermark = new HashSet<>();
    private long drainWatermark = Long.MIN_VALUE;

    EventTimeBuffer(MapState<Long, List<T>> buckets, Comparator<T> order, ToLongFunction<T> millis,
                            long granularityMillis) {
        this.buckets = buckets;
        this.order = order;
        this.millis = millis;
        this.granularityMillis = granularityMillis;
    }

    /** Buffers {@code event}; false when the watermark has already passed it (a late event, the caller's). */
    public boolean add(T event, TimerService timers) throws Exception {
        long ms = millis.applyAsLong(event);
        if (ms <= timers.currentWatermark()) {
            return false;
        }
        long bucket = EventTime.roundUp(ms, granularityMillis);
        put(bucket, event);
        timers.registerEventTimeTimer(bucket);
        return true;
    }

    /** Buffers {@code event} even when it is late (held at a closed policy gate); it goes with the next drain. */
    public void hold(T event, TimerService timers) throws Exception {
        long bucket = EventTime.roundUp(millis.applyAsLong(event), granularityMillis);
        put(bucket, event);
        // A held event may be behind the watermark: the next drain of this key must look again.
        drainWatermark = Long.MIN_VALUE;
        if (bucket > timers.currentWatermark()) {
            timers.registerEventTimeTimer(bucket);
        }
    }

    /** The buffered events the watermark has passed, in order; once per key and watermark, as {@link EventTimeBuffer}. */
    public List<T> drain(Object key, long watermark) throws Exception {
        if (watermark != drainWatermark) {
            drainedAtWatermark.clear();
            drainWatermark = watermark;
        }
        if (!drainedAtWatermark.add(key)) {
            return List.of();
        }
        List<T> ready = new ArrayList<>();
        // Only the bucket that holds the watermark can be partly ready: every event of a bucket lies
        // at or before its key (the end of its granule) and after the previous bucket's key.
        long partial = EventTime.roundUp(watermark, granularityMillis);
        List<T> rest = null;
        for (Iterator<Map.Entry<Long, List<T>>> it = buckets.iterator(); it.hasNext(); ) {
            Map.Entry<Long, List<T>> bucket = it.next();
            if (bucket.getKey() <= watermark) {
                ready.addAll(bucket.getValue());
                it.remove();
            } else if (bucket.getKey() == partial) {
                rest = new ArrayList<>();
                for (T event : bucket.getValue()) {
                    (millis.applyAsLong(event) <= watermark ? ready : rest).add(event);
                }
            }
        }
        if (rest != null && rest.isEmpty()) {
            buckets.remove(partial);
        } else if (rest != null && rest.size() < buckets.get(partial).size()) {
            buckets.put(partial, rest);
        }
        if (buckets.isEmpty()) {
            // An emptied map is still an entry of the heap backend: clear() removes the key's state.
            buckets.clear();
        }
        ready.sort(order);
        return ready;
    }

    private void put(long bucket, T event) throws Exception {
        List<T> events = buckets.get(bucket);
        List<T> updated = new ArrayList<>(events == null ? 1 : events.size() + 1);
        if (events != null) {
            updated.addAll(events);
        }
        updated.add(event);
        buckets.put(bucket, updated);
    }
}
