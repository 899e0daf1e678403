package dev.cgaudit.collector.publish;

import dev.cgaudit.schema.AttachDecision;
import java.io.Closeable;

/** Where the collector's decisions go. Called from the reader thread only. */
public interface DecisionSink extends Closeable {

    /** Takes one decision; false when it could not be kept (counted by the sink). */
    boolean accept(AttachDecision decision);

    /** Makes what was accepted durable/visible; the reader calls it after each batch. */
    void flush();

    /** Decisions waiting to be delivered (0 for sinks that deliver synchronously). */
    default long backlog() {
        return 0;
    }

    /** Decisions refused because the sink was full, since start. */
    default long dropped() {
        return 0;
    }
}
