package dev.cgaudit.collector.ring;

import com.kenai.jffi.MemoryIO;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import sun.misc.Unsafe;

/**
 * Ring access at raw addresses through {@code sun.misc.Unsafe} (module jdk.unsupported; jnr-ffi
 * relies on it too): {@code getLongVolatile}/{@code getIntVolatile} are the acquire loads and
 * {@code putOrderedLong} the release store of libbpf's {@code smp_load_acquire}/
 * {@code smp_store_release}. Unlike a ByteBuffer view, an access costs no bounds, limit or scope
 * check and reloads no buffer fields after each acquire: the reader's per-record overhead against
 * libbpf was mostly that (BENCHMARKS.md "Ring reader").
 *
 * <p>Safety does not rest on the JDK here, so it rests on this class: the only addresses ever
 * touched are the two position words and {@code data + (position & mask)} for a 4-byte header,
 * with {@code mask = size - 1}, inside the data area of {@code 2 * size} bytes whatever the ring
 * holds. The addresses are those of the ring's own direct buffers, valid until the ring is closed;
 * as with the buffers, the reader must stop before the ring is closed.
 */
final class AddressRingAccess implements RingAccess {

    private static final Unsafe UNSAFE = unsafe();

    private final long consumer;
    private final long producer;
    private final long data;
    private final long mask;

    AddressRingAccess(RingMemory ring) {
        this.consumer = address(ring.consumerPage(), Long.BYTES);
        this.producer = address(ring.producerPage(), Long.BYTES);
        this.data = address(ring.data(), 2L * ring.size());
        this.mask = ring.size() - 1L;
        if (((consumer | producer | data) & 7) != 0) {
            throw new IllegalArgumentException("ring memory is not 8-byte aligned");
        }
    }

    private static long address(ByteBuffer buffer, long needed) {
        if (!buffer.isDirect() || buffer.capacity() < needed) {
            throw new IllegalArgumentException("ring buffer must be direct and hold " + needed + " bytes, got "
                    + buffer);
        }
        return MemoryIO.getInstance().getDirectBufferAddress(buffer);
    }

    @Override
    public long consumerPosition() {
        return UNSAFE.getLongVolatile(null, consumer);
    }

    @Override
    public void publishConsumerPosition(long position) {
        UNSAFE.putOrderedLong(null, consumer, position);
    }

    @Override
    public long producerPosition() {
        return UNSAFE.getLongVolatile(null, producer);
    }

    @Override
    public int headerWord(long position) {
        return UNSAFE.getIntVolatile(null, data + (position & mask));
    }

    @Override
    public void fullFence() {
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
