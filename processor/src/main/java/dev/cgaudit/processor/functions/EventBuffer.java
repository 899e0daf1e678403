package dev.cgaudit.processor.functions;

import java.util.List;
import org.apache.flink.streaming.api.TimerService;

/** What {@link GatedBuffer} needs of a key's event-time buffer; see {@link EventTimeBuffer} for the contract. */
interface EventBuffer<T> {

    /** Buffers {@code event}; false when the watermark has already passed it (a late event, the caller's). */
    boolean add(T event, TimerService timers) throws Exception;

    /** Buffers {@code event} even when it is late (held at a closed policy gate); it goes with the next drain. */
    void hold(T event, TimerService timers) throws Exception;

    /** The buffered events the watermark has passed, in order; once per key and watermark. */
    List<T> drain(Object key, long watermark) throws Exception;
}
