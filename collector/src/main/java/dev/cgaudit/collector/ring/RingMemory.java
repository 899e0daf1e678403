package dev.cgaudit.collector.ring;

import java.nio.ByteBuffer;

/**
 * Memory of one ring with the kernel's layout: a read-write page whose first u64 is the consumer
 * position, a read-only page whose first u64 is the producer position, and the data area of
 * {@link #size()} bytes mapped twice back to back so that a record crossing the end is contiguous.
 * All buffers are direct and in native byte order; positions and offsets are absolute.
 */
public interface RingMemory extends AutoCloseable {

    /** Size of the data area in bytes: a power of two, a multiple of the page size. */
    int size();

    /** The consumer page; the reader stores its position at offset 0. */
    ByteBuffer consumerPage();

    /** The producer page, read-only. */
    ByteBuffer producerPage();

    /** The data area, read-only, capacity {@code 2 * size()}: byte {@code i + size()} is byte {@code i}. */
    ByteBuffer data();

    /** Releases the memory. The buffers must not be touched afterwards. */
    @Override
    void close();
}
