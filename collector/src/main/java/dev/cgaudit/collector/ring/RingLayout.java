package dev.cgaudit.collector.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The kernel's BPF ring buffer layout (kernel/bpf/ringbuf.c), shared by the reader and both
 * memory implementations so that the in-memory ring cannot drift from the real one.
 */
public final class RingLayout {

    /** {@code struct bpf_ringbuf_hdr}: {@code u32 len; u32 pg_off}. */
    public static final int HEADER_SIZE = 8;
    /** Set in {@code len} while the producer still owns the record. */
    public static final int BUSY_BIT = 1 << 31;
    /** Set in {@code len} by {@code bpf_ringbuf_discard}: consume the space, skip the payload. */
    public static final int DISCARD_BIT = 1 << 30;
    public static final int LENGTH_MASK = ~(BUSY_BIT | DISCARD_BIT);

    /**
     * Acquire/release access to the positions and header words. The view handles check bounds
     * and alignment on every access, which keeps a wrong offset an exception instead of a stray
     * read of process memory, and the JIT folds those checks into a couple of compares.
     */
    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private RingLayout() {
    }

    /** Bytes a record with this header word occupies in the ring, header included. */
    public static long recordSpan(int headerWord) {
        return ((headerWord & LENGTH_MASK) + HEADER_SIZE + 7L) & ~7L;
    }

    /**
     * Rejects sizes the kernel would not create, and sizes whose double mapping does not fit one
     * {@link java.nio.ByteBuffer} (capacity is an int, so the data area is limited to 512 MiB).
     */
    public static void checkSize(long size, int pageSize) {
        if (size <= 0 || Long.bitCount(size) != 1 || size % pageSize != 0) {
            throw new IllegalArgumentException("ring size " + size
                    + " must be a power of two and a multiple of the page size " + pageSize);
        }
        if (2 * size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ring size " + size
                    + " is above 512 MiB, the largest double mapping a ByteBuffer can address");
        }
    }
}
