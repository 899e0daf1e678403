package dev.cgaudit.collector.ring;

import com.kenai.jffi.MemoryIO;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import sun.misc.Unsafe;

/**
 * How the reader touches the ring's shared words — the two positions and the record headers — at
 * raw addresses through {@code sun.misc.Unsafe} (module jdk.unsupported; jnr-ffi relies on it too):
 * {@code getLongVolatile}/{@code getIntVolatile} are the acquire loads and {@code putOrderedLong}
 * the release store of libbpf's {@code smp_load_acquire}/{@code smp_store_release}. A ByteBuffer
 * view would check bounds, limit and scope on every access and reload the buffer's fields after
 * every acquire; that was most of the reader's overhead against libbpf (BENCHMARKS.md "Ring
 * reader"). One final class, so every call site in the reader is monomorphic.
 *
 * <p>Safety does not rest on the JDK here, so it rests on this class: the only addresses it ever
 * touches are the two position words and {@code data + (position & mask)} for a 4-byte header,
 * with {@code mask = size - 1}, inside the data area of {@code 2 * size} bytes whatever the ring
 * holds. The addresses are those of the ring's own direct buffers, valid until the ring is closed;
 * as with the buffers, the reader must stop before the ring is closed.
 */
final class RingAccess {

    static final Unsafe UNSAFE = unsafe();

    private final long consumer;
    private final long producer;
    final long data;
    final long mask;

    RingAccess(RingMemory ring) {
        this.consumer = address(ring.consumerPage(), Long.BYTES);
        this.producer = address(ring.producerPage(), Long.BYTES);
        this.data = address(ring.data(), 2L * ring.size());
        this.mask = ring.size() - 1L;
        if (((consumer | producer | data) & 7) != 0) {
            throw new IllegalArgumentException("ring memory is not 8-byte aligned");
        }
    }

    static long address(ByteBuffer buffer, long needed) {
        if (!buffer.isDirect() || buffer.capacity() < needed) {
            throw new IllegalArgumentException("buffer must be direct and hold " + needed + " bytes, got "
                    + buffer);
        }
        return MemoryIO.getInstance().getDirectBufferAddress(buffer);
    }

    /** Acquire load of the consumer position. */
    long consumerPosition() {
        return UNSAFE.getLongVolatile(null, consumer);
    }

    /** Release store of the consumer position: the record bytes before it are no longer read. */
    void publishConsumerPosition(long position) {
        UNSAFE.putOrderedLong(null, consumer, position);
    }

    /** Acquire load of the producer position. */
    long producerPosition() {
        return UNSAFE.getLongVolatile(null, producer);
    }

    /** Acquire load of the header word of the record at ring position {@code position}. */
    int headerWord(long position) {
        return headerWord(data, mask, position);
    }

    /**
     * The same load for the reader's loop, which keeps {@link #data} and {@link #mask} in locals:
     * after each acquire the JIT would otherwise reload them from this object for the next record.
     */
    static int headerWord(long data, long mask, long position) {
        return UNSAFE.getIntVolatile(null, data + (position & mask));
    }

    /**
     * The same load at a ring offset held in an int ({@code position} modulo 2^31 or less; the
     * ring is at most 2^30 bytes), masked here like every header address.
     */
    static int headerWord(long data, int mask, int offset) {
        return UNSAFE.getIntVolatile(null, data + (offset & mask));
    }

    /** Orders the consumer store before the next producer load (see RingBufferReader). */
    void fullFence() {
        UNSAFE.fullFence();
    }

    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
