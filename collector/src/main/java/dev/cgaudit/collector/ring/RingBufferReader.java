package dev.cgaudit.collector.ring;

import static dev.cgaudit.collector.ring.RingLayout.BUSY_BIT;
import static dev.cgaudit.collector.ring.RingLayout.DISCARD_BIT;
import static dev.cgaudit.collector.ring.RingLayout.HEADER_SIZE;
import static dev.cgaudit.collector.ring.RingLayout.INTS;
import static dev.cgaudit.collector.ring.RingLayout.LENGTH_MASK;
import static dev.cgaudit.collector.ring.RingLayout.LONGS;

import dev.cgaudit.collector.decode.RecordDecodeException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * libbpf's consume loop ({@code ringbuf_process_ring}) in Java, over the ring's memory directly:
 * the reader never crosses into native code per record, and hands each payload to the handler as
 * a view of the ring itself, without copying.
 *
 * <p>Single-threaded: one reader per ring, driven by one thread ({@link #consume()},
 * {@link #poll(RingWaiter, int)} or {@link #run(RingWaiter, int, BooleanSupplier)}).
 * {@link #totals()} may be read from any thread.
 *
 * <p>Corruption: a header whose length cannot fit the ring, or a record that would extend past
 * the producer position, means the reader can no longer trust any length up to the producer
 * position, so it cannot find the next record boundary. It counts a corruption, skips straight to
 * the producer position (counting the skipped bytes as lost) and goes on from there: losing that
 * stretch is better than spinning on it or reading garbage as records.
 */
public final class RingBufferReader {

    /** Consumer position published after every record, as libbpf does. */
    public static final int PUBLISH_PER_RECORD = 0;

    private static final int KEPT_ERRORS = 8;

    private final RingMemory ring;
    private final RecordHandler handler;
    private final ByteBuffer consumerPage;
    private final ByteBuffer producerPage;
    private final ByteBuffer data;
    private final ByteBuffer handlerView;
    private final long mask;
    private final int maxLength;
    private final long publishEveryBytes;

    private long decodeErrors;
    private long handlerErrors;
    private List<Exception> errors;
    private volatile ConsumeResult totals = ConsumeResult.EMPTY;

    /** A reader that publishes its position at most every eighth of the ring (see {@link #RingBufferReader(RingMemory, RecordHandler, int)}). */
    public RingBufferReader(RingMemory ring, RecordHandler handler) {
        this(ring, handler, ring.size() / 8);
    }

    /**
     * @param publishEveryBytes how many consumed bytes may accumulate before the consumer position
     *     is published within a pass; {@link #PUBLISH_PER_RECORD} for libbpf's behaviour. The
     *     position is always published before a pass returns and before the reader re-reads the
     *     producer position. Only the producer needs it, to reuse space, so publishing less often
     *     trades a little free space for fewer writes to a cache line the producer reads.
     */
    public RingBufferReader(RingMemory ring, RecordHandler handler, int publishEveryBytes) {
        if (publishEveryBytes < 0 || publishEveryBytes > ring.size()) {
            throw new IllegalArgumentException("publishEveryBytes " + publishEveryBytes
                    + " must be within 0.." + ring.size());
        }
        this.ring = ring;
        this.handler = handler;
        this.consumerPage = ring.consumerPage();
        this.producerPage = ring.producerPage();
        this.data = ring.data();
        // duplicate() resets the byte order; the handler reads native-endian kernel structs
        this.handlerView = ring.data().duplicate().order(ByteOrder.nativeOrder());
        this.mask = ring.size() - 1L;
        this.maxLength = ring.size() - HEADER_SIZE;
        this.publishEveryBytes = publishEveryBytes;
    }

    public RingMemory ring() {
        return ring;
    }

    /**
     * Consumes every committed record up to the first one still being written (BUSY), like
     * {@code ring_buffer__consume}. Never blocks, never throws for what is in the ring or what the
     * handler does.
     */
    public ConsumeResult consume() {
        final ByteBuffer cp = consumerPage;
        final ByteBuffer d = data;
        final long mask = this.mask;
        long cons = (long) LONGS.getAcquire(cp, 0);
        long published = cons;
        long consumed = 0;
        long discarded = 0;
        long corruptions = 0;
        long lostBytes = 0;
        decodeErrors = 0;
        handlerErrors = 0;
        errors = null;
        boolean progress;
        scan:
        do {
            progress = false;
            long prod = (long) LONGS.getAcquire(producerPage, 0);
            while (Long.compareUnsigned(cons, prod) < 0) {
                int offset = (int) (cons & mask);
                int word = (int) INTS.getAcquire(d, offset);
                if ((word & BUSY_BIT) != 0) {
                    // its commit wakes the waiter, since it sits at the consumer position
                    break scan;
                }
                int length = word & LENGTH_MASK;
                long next = cons + (((long) length + HEADER_SIZE + 7) & ~7L);
                if (length > maxLength || Long.compareUnsigned(next, prod) > 0) {
                    corruptions++;
                    lostBytes += prod - cons;
                    keep(new RingCorruptionException("record header at position " + cons + " claims "
                            + length + " bytes (ring " + (mask + 1) + ", producer at " + prod
                            + "): skipped " + (prod - cons) + " bytes to the producer position"));
                    // the kernel keeps positions 8-aligned; never let a bad one misalign header reads
                    cons = (prod + 7) & ~7L;
                    progress = true;
                    break;
                }
                cons = next;
                progress = true;
                if ((word & DISCARD_BIT) == 0) {
                    if (deliver(offset + HEADER_SIZE, length)) {
                        consumed++;
                    }
                } else {
                    discarded++;
                }
                if (cons - published >= publishEveryBytes) {
                    LONGS.setRelease(cp, 0, cons);
                    published = cons;
                }
            }
            if (cons != published) {
                LONGS.setRelease(cp, 0, cons);
                published = cons;
            }
            // The producer stores its header, then loads our position to decide on a wake-up; we
            // store our position, then load its. Without a full fence both loads may see the old
            // value, the producer skips the wake-up and we go to sleep with a record pending.
            VarHandle.fullFence();
        } while (progress);
        if (cons != published) {
            LONGS.setRelease(cp, 0, cons);
        }
        if (consumed + discarded + decodeErrors + handlerErrors + corruptions == 0) {
            return ConsumeResult.EMPTY;
        }
        ConsumeResult result = new ConsumeResult(consumed, discarded, decodeErrors, handlerErrors,
                corruptions, lostBytes, errors == null ? List.of() : errors);
        totals = totals.plus(result);
        return result;
    }

    private boolean deliver(int offset, int length) {
        try {
            handler.onRecord(handlerView, offset, length);
            return true;
        } catch (RecordDecodeException e) {
            decodeErrors++;
            keep(e);
        } catch (Exception e) {
            handlerErrors++;
            keep(e);
        }
        return false;
    }

    private void keep(Exception e) {
        if (errors == null) {
            errors = new ArrayList<>(KEPT_ERRORS);
        }
        if (errors.size() < KEPT_ERRORS) {
            errors.add(e);
        }
    }

    /** Waits for data (at most {@code timeoutMillis}), then consumes: {@code ring_buffer__poll}. */
    public ConsumeResult poll(RingWaiter waiter, int timeoutMillis) {
        waiter.await(timeoutMillis);
        return consume();
    }

    /**
     * The reader thread's loop: polls until {@code keepRunning} turns false, which it notices
     * within {@code timeoutMillis}. Returns the totals.
     */
    public ConsumeResult run(RingWaiter waiter, int timeoutMillis, BooleanSupplier keepRunning) {
        while (keepRunning.getAsBoolean()) {
            poll(waiter, timeoutMillis);
        }
        consume();
        return totals;
    }

    /** Everything consumed since this reader was created (without the kept errors). */
    public ConsumeResult totals() {
        return totals;
    }
}
