package dev.cgaudit.processor;

import dev.cgaudit.processor.types.SubjectWindowSerializer;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One subject's open denial-burst or churn window (rule + writer or target tgid, within a node's
 * keyed state): the decisions counted so far, in the node's event-time order, and when the
 * watermark passing it means nothing later can join them.
 *
 * <p>Immutable, with its own serializer ({@link SubjectWindowSerializer}); the list is unmodifiable,
 * so the heap backend's copies are the instance.
 *
 * @param expiresAt event time (ms, a timer bucket) at and after which the window is empty
 */
@TypeInfo(SubjectWindowSerializer.TypeInfoFactory.class)
public record SubjectWindow(List<CountedDecision> counted, long expiresAt) {

    public SubjectWindow {
        counted = List.copyOf(counted);
    }
}
