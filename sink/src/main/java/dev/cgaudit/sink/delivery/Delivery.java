package dev.cgaudit.sink.delivery;

import java.io.Closeable;
import java.io.IOException;

/**
 * A place findings go to. {@link #deliver} makes one attempt and says by the type of its failure
 * whether another attempt may succeed; retrying is {@link RetryPolicy}'s job, so every target
 * gets the same backoff and attempt limit.
 */
public interface Delivery extends Closeable {

    /** Names the target in logs and dead letters, e.g. {@code file:/var/log/cgaudit.jsonl}. */
    String target();

    /** One attempt to hand over {@code finding}. */
    void deliver(Finding finding) throws DeliveryException;

    /**
     * Makes what was delivered so far durable. Offsets are committed only after every target was
     * flushed, so a failure here must throw: the batch is then delivered again after a restart.
     */
    default void flush() throws IOException {
    }

    @Override
    default void close() throws IOException {
    }
}
