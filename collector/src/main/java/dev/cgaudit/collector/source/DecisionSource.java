package dev.cgaudit.collector.source;

import dev.cgaudit.collector.Sequencer;
import dev.cgaudit.collector.publish.DecisionSink;
import dev.cgaudit.collector.status.CollectorHealth;
import java.util.function.BooleanSupplier;

/** Where decisions come from: the kernel (BPF) or a recorded JSON Lines trace. */
public interface DecisionSource extends AutoCloseable {

    /**
     * Delivers decisions to the sink until {@code stop} says so or the source is exhausted.
     * Returns normally in both cases; the sink is flushed after every batch.
     */
    void run(DecisionSink sink, BooleanSupplier stop) throws Exception;

    /** The source's own health for StatusEvent and metrics. */
    CollectorHealth health();

    /** The sequencer of a source that numbers decisions itself; null when they come numbered (a trace). */
    default Sequencer sequencer() {
        return null;
    }

    @Override
    default void close() throws Exception {
    }
}
