package dev.cgaudit.collector.ring;

/**
 * How the reader touches the ring's shared words: the two positions and the record headers, with
 * the ordering the kernel's protocol needs (acquire loads, a release store, a full fence). The
 * reader's algorithm is one; only this access differs between {@link #addresses raw addresses}
 * (the default) and {@link #buffers ByteBuffer views}.
 *
 * <p>Every header offset is masked into the data area by the implementation, so no value read from
 * the ring can make an access leave the mapping.
 */
public interface RingAccess {

    /** Acquire load of the consumer position. */
    long consumerPosition();

    /** Release store of the consumer position: the record bytes before it are no longer read. */
    void publishConsumerPosition(long position);

    /** Acquire load of the producer position. */
    long producerPosition();

    /** Acquire load of the header word of the record at ring position {@code position}. */
    int headerWord(long position);

    /** Orders the consumer store before the next producer load (see RingBufferReader). */
    void fullFence();

    /** Raw addresses through {@code sun.misc.Unsafe}: what libbpf does in C. */
    static RingAccess addresses(RingMemory ring) {
        return new AddressRingAccess(ring);
    }

    /** VarHandle views of the ring's ByteBuffers: bounds-checked by the JDK on every access. */
    static RingAccess buffers(RingMemory ring) {
        return new BufferRingAccess(ring);
    }
}
