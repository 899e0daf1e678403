package dev.cgaudit.collector.ring;

import static dev.cgaudit.collector.ring.RingLayout.DISCARD_BIT;
import static dev.cgaudit.collector.ring.RingLayout.HEADER_SIZE;
import static dev.cgaudit.collector.ring.RingLayout.LENGTH_MASK;

import dev.cgaudit.collector.decode.RecordDecodeException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * libbpf's consume loop ({@code ringbuf_process_ring}) in Java, over the ring's memory directly:
 * the reader never crosses into native code per record, and hands each payload to the handler as
 * a view of the ring itself ({@link RingRecord}), without copying. The same algorithm runs over the
 * kernel's mapping ({@link MappedRing}) and over {@link InMemoryRing} (tests, benchmarks).
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
    /** More records than one {@link #handOver} can see: 2^30-byte ring / 8-byte minimum span. */
    private static final int MAX_RECORDS_PER_CALL = 1 << 27;

    private final RingMemory ring;
    private final RecordHandler handler;
    private final RingAccess access;
    private final RingRecord record = new RingRecord();
    private final long mask;
    private final int maxLength;
    private final long publishEveryBytes;

    private Failures failures;
    /** Records handed to the handler in the current pass (a field: {@link #handOver} adds to it). */
    private long delivered;
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
        this.access = new RingAccess(ring);
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
        // The records themselves go through handOver; this loop deals with the positions and the
        // rare records, in locals.
        final RingAccess a = access;
        final long mask = a.mask;
        final int maxLength = this.maxLength;
        final long publishEvery = publishEveryBytes;
        long cons = a.consumerPosition();
        long published = cons;
        delivered = 0;
        long discarded = 0;
        failures = null;
        long passStart;
        do {
            passStart = cons;
            long prod = a.producerPosition();
            if (prod - cons > mask) {
                // the kernel never lets the producer get a whole ring ahead of us: nothing up to it
                // can be trusted
                cons = producerTooFarAhead(cons, prod);
            }
            // positions are u64 counters; differences compare correctly even across a wrap
            while (prod - cons > 0) {
                final long publishAt = published + publishEvery;
                cons = handOver(cons, prod, publishAt);
                if ((cons - publishAt >= 0) & (cons != published)) {
                    a.publishConsumerPosition(cons);
                    published = cons;
                } else if (prod - cons > 0) {
                    // the fast loop stopped early: look at why
                    int word = a.headerWord(cons);
                    if (word < 0) {
                        // BUSY (bit 31): its commit wakes the waiter, since it sits at the consumer position
                        break;
                    }
                    int length = word & LENGTH_MASK;
                    long next = cons + (((long) length + HEADER_SIZE + 7) & ~7L);
                    if ((length > maxLength) | (next - prod > 0)) {
                        cons = impossibleHeader(cons, prod, length);
                    } else if ((word & DISCARD_BIT) != 0) {
                        discarded++;
                        cons = next;
                    }
                    // otherwise the handler threw and the loop goes on after its record
                }
            }
            if (cons != published) {
                a.publishConsumerPosition(cons);
                published = cons;
            }
            // The producer stores its header, then loads our position to decide on a wake-up; we
            // store our position, then load its. Without a full fence both loads may see the old
            // value, the producer skips the wake-up and we go to sleep with a record pending.
            a.fullFence();
        } while (cons != passStart);
        long delivered = this.delivered;
        if (delivered + discarded == 0 && failures == null) {
            return ConsumeResult.EMPTY;
        }
        ConsumeResult result = failures == null
                ? new ConsumeResult(delivered, discarded, 0, 0, 0, 0, List.of())
                : failures.result(delivered, discarded);
        totals = totals.plus(result);
        return result;
    }

    /**
     * The fast path: hands over committed records from {@code cons} until the producer position,
     * the publication point or the first record that needs a closer look (BUSY, DISCARD, a length
     * that does not fit before the producer position, a handler that threw), and returns the
     * position after the last record handed over.
     *
     * <p>A method of its own, with no call inside its loop but the (inlined) handler: Java has no
     * callee-saved registers, so a call anywhere in a loop, even on a path never taken, makes the
     * JIT keep the loop's state on the stack, and the position went through memory on every
     * record. No separate check of the length against the ring either: with the record's span
     * within {@code prod - cons <= mask} (checked per pass), {@code length + 8 < size}, and since
     * the header is in the first copy of the data area, the payload lies inside the double mapping.
     */
    private long handOver(final long cons, final long prod, final long publishAt) {
        final RingRecord r = record;
        final RecordHandler h = handler;
        final long data = access.data;
        // Ints: the ring is at most 2^30 bytes (RingLayout.checkSize), both budgets are within a
        // ring (prod - cons <= mask, checked per pass; publishAt - cons <= size), and the offset
        // starts below the ring size and grows by at most `available`, so nothing overflows.
        final int mask = (int) access.mask;
        // Each record's header is found from the one before: that chain of dependent loads sets
        // the pace once the payload reads are few (256-byte records). It is kept to the header
        // load and four ALU operations (span, offset, mask, address), as short as libbpf's: the
        // position is not carried in the loop but given back as prod - available, and the span is
        // computed from the raw header word, which the flag test below makes exact for every
        // record that is handed over (the earlier long-position loop had three more steps and
        // spilled the mask and data address to the stack; BENCHMARKS.md "Ring reader").
        int offset = (int) cons & mask;
        // The two bounds as byte budgets that shrink by each record's span: a subtraction and a
        // sign test per record instead of comparing positions by difference.
        int available = (int) (prod - cons);
        int beforePublishing = (int) (publishAt - cons);
        int handed = 0;
        try {
            do {
                int word = RingAccess.headerWord(data, mask, offset);
                int span = (word + HEADER_SIZE + 7) & ~7; // meaningless if a flag is set: not used then
                // also how the loop ends at the producer position: whatever stale header lies
                // there, a record starting at prod cannot end at or before it
                if (((word & ~LENGTH_MASK) != 0) | (span > available)) {
                    break;
                }
                // no flag set: the word is the length
                r.point(data + (offset & mask) + HEADER_SIZE, word);
                // passed and counted before the handler runs: a record whose handler throws is
                // consumed all the same
                offset += span;
                available -= span;
                beforePublishing -= span;
                handed++;
                h.onRecord(r);
                // The record bound never ends the loop (each record takes at least 8 bytes of a
                // ring of at most 2^30, so a call hands over fewer than 2^27): it makes this a
                // counted loop, which C2 strip-mines, polling for safepoints once per 1000 records
                // instead of on every one. About 4% at 256 B (BENCHMARKS.md "Ring reader").
            } while ((beforePublishing > 0) && (handed < MAX_RECORDS_PER_CALL));
        } catch (Exception e) {
            failed(e);
        }
        delivered += handed;
        return prod - available;
    }

    /**
     * An impossible header: no length up to the producer position can be trusted any more, so
     * skip to it. Returns the new consumer position.
     */
    private long impossibleHeader(long cons, long prod, int length) {
        return resynchronise(cons, prod, "record header at position " + cons + " claims " + length + " bytes");
    }

    /** A producer position the kernel cannot have written: it keeps less than a ring unread. */
    private long producerTooFarAhead(long cons, long prod) {
        return resynchronise(cons, prod, "producer position more than a ring ahead");
    }

    private long resynchronise(long cons, long prod, String what) {
        failures().corrupt(prod - cons, new RingCorruptionException(what + " (ring " + (mask + 1)
                + ", consumer at " + cons + ", producer at " + prod + "): skipped " + (prod - cons)
                + " bytes to the producer position"));
        // the kernel keeps positions 8-aligned; never let a bad one misalign header reads
        return (prod + 7) & ~7L;
    }

    private void failed(Exception e) {
        failures().handler(e);
    }

    private Failures failures() {
        if (failures == null) {
            failures = new Failures();
        }
        return failures;
    }

    /** The rare outcomes of one pass, kept off the hot path. */
    private static final class Failures {
        long decodeErrors;
        long handlerErrors;
        long corruptions;
        long lostBytes;
        final List<Exception> kept = new ArrayList<>(KEPT_ERRORS);

        void handler(Exception e) {
            if (e instanceof RecordDecodeException) {
                decodeErrors++;
            } else {
                handlerErrors++;
            }
            keep(e);
        }

        void corrupt(long skipped, RingCorruptionException e) {
            corruptions++;
            lostBytes += skipped;
            keep(e);
        }

        private void keep(Exception e) {
            if (kept.size() < KEPT_ERRORS) {
                kept.add(e);
            }
        }

        /** Delivered records whose handler threw are failures, not consumed ones. */
        ConsumeResult result(long delivered, long discarded) {
            return new ConsumeResult(delivered - decodeErrors - handlerErrors, discarded, decodeErrors,
                    handlerErrors, corruptions, lostBytes, kept);
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
