package dev.cgaudit.collector.ring;

import static dev.cgaudit.collector.ring.RingLayout.BUSY_BIT;
import static dev.cgaudit.collector.ring.RingLayout.DISCARD_BIT;
import static dev.cgaudit.collector.ring.RingLayout.HEADER_SIZE;
import static dev.cgaudit.collector.ring.RingLayout.INTS;
import static dev.cgaudit.collector.ring.RingLayout.LENGTH_MASK;
import static dev.cgaudit.collector.ring.RingLayout.LONGS;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * A ring with the kernel's layout in ordinary direct memory, plus a producer that behaves like
 * {@code bpf_ringbuf_reserve/submit/discard}: so the reader can be tested and benchmarked without
 * privileges. The double mapping is emulated by writing every byte into both copies of the data
 * area, so a record crossing the end is contiguous for the reader exactly as in the kernel.
 *
 * <p>The producer methods are for one producer thread at a time (the kernel serialises
 * reservations with a spin lock; tests and benchmarks here need only one producer).
 */
public final class InMemoryRing implements RingMemory {

    /** Page size of the emulated layout; only alignment and size rules depend on it. */
    public static final int PAGE_SIZE = 4096;

    private final int size;
    private final int mask;
    private final ByteBuffer consumerPage;
    private final ByteBuffer producerPage;
    private final ByteBuffer data;
    private final ByteBuffer readOnlyProducerPage;
    private final ByteBuffer readOnlyData;

    private long producerPos;
    private volatile long refused;
    private volatile Thread waiter;

    public InMemoryRing(int size) {
        RingLayout.checkSize(size, PAGE_SIZE);
        this.size = size;
        this.mask = size - 1;
        this.consumerPage = page(PAGE_SIZE);
        this.producerPage = page(PAGE_SIZE);
        this.data = page(2 * size);
        this.readOnlyProducerPage = producerPage.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        this.readOnlyData = data.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer page(int bytes) {
        // page-aligned like the kernel's mapping, so every aligned VarHandle access is legal; the
        // aligned slice runs to the end of the allocation, so cut it to exactly the ring's size
        return ByteBuffer.allocateDirect(bytes + PAGE_SIZE).alignedSlice(PAGE_SIZE).slice(0, bytes)
                .order(ByteOrder.nativeOrder());
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public ByteBuffer consumerPage() {
        return consumerPage;
    }

    @Override
    public ByteBuffer producerPage() {
        return readOnlyProducerPage;
    }

    @Override
    public ByteBuffer data() {
        return readOnlyData;
    }

    @Override
    public void close() {
        // direct buffers are freed by the GC; nothing to unmap
    }

    /** The position the reader has published. */
    public long consumerPosition() {
        return (long) LONGS.getAcquire(consumerPage, 0);
    }

    public long producerPosition() {
        return (long) LONGS.getAcquire(producerPage, 0);
    }

    /** Reservations refused because the ring was full (the kernel's drops). */
    public long refused() {
        return refused;
    }

    /**
     * Reserves a record of {@code length} payload bytes, BUSY until {@link #commit} or
     * {@link #discard}. Returns the payload's offset in {@link #data()}, or -1 when the ring is full,
     * which is counted in {@link #refused()}.
     */
    public int reserve(int length) {
        if (length < 0 || length > size - HEADER_SIZE) {
            throw new IllegalArgumentException("record of " + length + " bytes in a ring of " + size);
        }
        long next = producerPos + RingLayout.recordSpan(length);
        long consumer = (long) LONGS.getAcquire(consumerPage, 0);
        // the kernel's test: the ring never fills completely, the last byte stays free
        if (next - consumer > mask) {
            refused++;
            return -1;
        }
        int header = (int) (producerPos & mask);
        putMirrored(header, length | BUSY_BIT);
        putMirrored(header + 4, 0);
        producerPos = next;
        // the header is written before the position that makes it visible, as under the kernel's lock
        LONGS.setRelease(producerPage, 0, next);
        return header + HEADER_SIZE;
    }

    /** Makes the record visible to the reader (clears BUSY) and wakes a waiter if it is the next one. */
    public void commit(int payloadOffset) {
        finish(payloadOffset, 0);
    }

    /** Releases the record without content (sets DISCARD): the reader skips it. */
    public void discard(int payloadOffset) {
        finish(payloadOffset, DISCARD_BIT);
    }

    private void finish(int payloadOffset, int flags) {
        int header = (payloadOffset - HEADER_SIZE) & mask;
        int word = (((int) INTS.get(data, header)) & ~BUSY_BIT) | flags;
        INTS.set(data, header + size, word);
        INTS.setRelease(data, header, word);
        // kernel: xchg on the header (a full barrier), then read the consumer position
        VarHandle.fullFence();
        long consumer = (long) LONGS.getAcquire(consumerPage, 0);
        if ((consumer & mask) == header) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** Reserves, copies {@code payload} and commits; false when the ring is full. */
    public boolean offer(byte[] payload) {
        int at = reserve(payload.length);
        if (at < 0) {
            return false;
        }
        put(at, payload, 0, payload.length);
        commit(at);
        return true;
    }

    /** Writes bytes at an absolute data offset, into both copies, wrapping at the end of the ring. */
    public void put(int offset, byte[] src, int from, int length) {
        int p = offset & mask;
        int first = Math.min(length, size - p);
        data.put(p, src, from, first);
        data.put(p + size, src, from, first);
        if (first < length) {
            data.put(0, src, from + first, length - first);
            data.put(size, src, from + first, length - first);
        }
    }

    /** Writes an 8-aligned long at an absolute data offset into both copies. */
    public void putLong(int offset, long value) {
        int p = offset & mask;
        data.putLong(p, value);
        data.putLong(p + size, value);
    }

    /** Writes a 4-aligned int at an absolute data offset into both copies. */
    public void putInt(int offset, int value) {
        putMirrored(offset & mask, value);
    }

    /**
     * Replaces the header word of a reserved record, as a damaged kernel or a wrong size would:
     * for tests of the reader's corruption handling.
     */
    public void overwriteHeader(int payloadOffset, int word) {
        int header = (payloadOffset - HEADER_SIZE) & mask;
        INTS.set(data, header + size, word);
        INTS.setRelease(data, header, word);
    }

    /** Payload length the header of a reserved record claims (without flags). */
    public int lengthAt(int payloadOffset) {
        return ((int) INTS.getAcquire(data, (payloadOffset - HEADER_SIZE) & mask)) & LENGTH_MASK;
    }

    private void putMirrored(int p, int value) {
        data.putInt(p, value);
        data.putInt(p + size, value);
    }

    /** A waiter that blocks until this ring's producer commits the record the reader waits for. */
    public RingWaiter waiter() {
        return new InMemoryWaiter();
    }

    private boolean hasData() {
        return (long) LONGS.getAcquire(producerPage, 0) != (long) LONGS.getAcquire(consumerPage, 0);
    }

    private final class InMemoryWaiter implements RingWaiter {

        private volatile boolean closed;

        @Override
        public boolean await(int timeoutMillis) {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            // registered before checking, so a commit after the check sees us and unparks
            waiter = Thread.currentThread();
            try {
                while (!closed) {
                    if (hasData()) {
                        return true;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || Thread.currentThread().isInterrupted()) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                }
                return false;
            } finally {
                waiter = null;
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
