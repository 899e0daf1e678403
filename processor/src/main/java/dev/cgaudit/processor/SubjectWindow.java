package dev.cgaudit.processor;

import dev.cgaudit.processor.types.SubjectWindowSerializer;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Everything the window detector keeps for one rule + subject, as one keyed value: the routed
 * decisions the watermark has not passed yet, the window counted so far, when that window expires,
 * and the one event-time timer the key holds. One value and one timer per key (not a buffer, a
 * window and a cleanup value, with a release and a cleanup timer per decision) because there are
 * about a million such keys, most holding one or two decisions: per-key state and timer operations
 * were the detector's cost.
 *
 * <p>Immutable, with its own serializer ({@link SubjectWindowSerializer}); the lists are
 * unmodifiable, so the heap backend's copies are the instance.
 *
 * @param pending decisions waiting for the watermark, in arrival order
 * @param counted the open window, in event-time order
 * @param expiresAt when the watermark passes this (ms), nothing later can join {@code counted}; {@link #NONE} when it is empty
 * @param timer the event time (ms) of the key's registered timer, {@link #NONE} when there is none
 */
@TypeInfo(SubjectWindowSerializer.TypeInfoFactory.class)
public record SubjectWindow(List<RoutedDecision> pending, List<RoutedDecision> counted, long expiresAt, long timer) {

    public static final long NONE = Long.MIN_VALUE;

    public static final SubjectWindow EMPTY = new SubjectWindow(List.of(), List.of(), NONE, NONE);

    public SubjectWindow {
        pending = List.copyOf(pending);
        counted = List.copyOf(counted);
    }

    public boolean isEmpty() {
        return pending.isEmpty() && counted.isEmpty();
    }
}
