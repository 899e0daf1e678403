package dev.cgaudit.processor.functions;

import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;

/**
 * A keyed function's event-time buffer behind its {@link PolicyGate}: while the gate is closed events
 * are held (late ones too) and a processing-time timer keeps coming back to look at the gate; once it
 * is open they go out in event-time order as the watermark passes them.
 */
final class GatedBuffer<T> {

    /** What the function does with an event that is due. */
    interface Handler<T> {
        void handle(T event) throws Exception;
    }

    private final PolicyGate gate;
    private final EventTimeBuffer<T> buffer;

    GatedBuffer(PolicyGate gate, EventTimeBuffer<T> buffer) {
        this.gate = gate;
        this.buffer = buffer;
    }

    /**
     * Takes an arriving event; false when the gate is open and the watermark has already passed it:
     * the caller handles such a late event itself, at once.
     */
    boolean add(T event, ReadOnlyBroadcastState<String, Boolean> loaded, TimerService timers) throws Exception {
        if (!gate.isOpen(loaded)) {
            buffer.hold(event, timers);
            timers.registerProcessingTimeTimer(PolicyGate.recheckAt(timers.currentProcessingTime()));
            return true;
        }
        return buffer.add(event, timers);
    }

    /**
     * On a timer: hands the events the watermark has passed to {@code handler}, in order; false when
     * the gate is still closed (nothing is handed out, and the caller's other timer work waits too).
     */
    boolean release(ReadOnlyBroadcastState<String, Boolean> loaded, TimerService timers, TimeDomain domain,
                    Handler<T> handler) throws Exception {
        if (!gate.isOpen(loaded)) {
            // Event-time timers come back on their own with the watermark; the recheck timer must be renewed.
            if (domain == TimeDomain.PROCESSING_TIME) {
                timers.registerProcessingTimeTimer(PolicyGate.recheckAt(timers.currentProcessingTime()));
            }
            return false;
        }
        for (T event : buffer.drain(timers)) {
            handler.handle(event);
        }
        return true;
    }
}
