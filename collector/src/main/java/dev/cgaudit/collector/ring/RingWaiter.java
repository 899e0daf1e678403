package dev.cgaudit.collector.ring;

/**
 * Blocks the reader thread until the ring may hold data. Level-triggered like epoll on a ring
 * buffer map: it reports ready as long as the producer position is ahead of the consumer's, so a
 * reader that consumes everything it is woken for never misses a record.
 */
public interface RingWaiter extends AutoCloseable {

    /**
     * Waits at most {@code timeoutMillis} (0 = just check). Returns true when the ring reports data,
     * false on timeout or interruption, so the caller's loop regains control to notice shutdown.
     */
    boolean await(int timeoutMillis);

    @Override
    void close();
}
