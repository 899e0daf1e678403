package dev.cgaudit.collector.ring;

import java.nio.ByteBuffer;

/**
 * Receives each committed, non-discarded record of the ring, in ring order, on the reader thread.
 *
 * <p>Contract: {@code data} is a read-only view of the ring's data area itself (no copy); the
 * payload is the {@code length} bytes at absolute {@code offset}, contiguous even when it wraps.
 * The bytes belong to the ring only until this method returns: the reader publishes the consumer
 * position afterwards, and from then on the producer may overwrite them. So parse or copy before
 * returning, read with absolute accessors only, and never keep {@code data}. The view is the
 * handler's own, so changing its position or limit cannot disturb the reader.
 *
 * <p>An exception is not fatal: the reader counts it (a {@code RecordDecodeException} as a decode
 * error, anything else as a handler error), keeps the first few, and goes on with the next record.
 */
@FunctionalInterface
public interface RecordHandler {

    void onRecord(ByteBuffer data, int offset, int length) throws Exception;
}
