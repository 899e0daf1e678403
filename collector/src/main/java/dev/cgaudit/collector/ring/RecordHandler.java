package dev.cgaudit.collector.ring;

/**
 * Receives each committed, non-discarded record of the ring, in ring order, on the reader thread.
 *
 * <p>Contract: {@code record} is a view of the payload in the ring itself (no copy), contiguous
 * even when it wraps. The reader reuses the view for the next record, and the bytes belong to the
 * ring only until this method returns: the reader publishes the consumer position afterwards, and
 * from then on the producer may overwrite them. So parse or copy before returning, and never keep
 * {@code record}.
 *
 * <p>An exception is not fatal: the reader counts it (a {@code RecordDecodeException} as a decode
 * error, anything else as a handler error), keeps the first few, and goes on with the next record.
 */
@FunctionalInterface
public interface RecordHandler {

    void onRecord(RingRecord record) throws Exception;
}
