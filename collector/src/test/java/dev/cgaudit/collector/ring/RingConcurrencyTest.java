package dev.cgaudit.collector.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A producer thread and a reader thread over one ring, as in the kernel, with real waiting. */
class RingConcurrencyTest {

    private static final long RECORDS = 8_000_000;

    /** Checks each record's sequence number against the next one expected. */
    private static final class SequenceChecker implements RecordHandler {
        long expected;
        long outOfOrder;

        @Override
        public void onRecord(RingRecord record) {
            long seq = record.getLong(0);
            if (seq != expected || record.getLong(8) != ~seq || record.length() != 16 + (int) (seq % 5) * 8) {
                outOfOrder++;
            }
            expected = seq + 1;
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyRecordArrivesExactlyOnceAndInOrder() throws Exception {
        InMemoryRing ring = new InMemoryRing(64 * 1024);
        SequenceChecker checker = new SequenceChecker();
        RingBufferReader reader = new RingBufferReader(ring, checker);
        AtomicLong discards = new AtomicLong();

        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            for (long seq = 0; seq < RECORDS; seq++) {
                int length = 16 + (int) (seq % 5) * 8;
                int at;
                while ((at = ring.reserve(length)) < 0) {
                    Thread.yield();
                }
                ring.putLong(at, seq);
                ring.putLong(at + 8, ~seq);
                ring.commit(at);
                if (seq % 1000 == 999) {
                    // a discarded record between two real ones must not disturb the sequence
                    int dropped = ring.reserve(32);
                    if (dropped >= 0) {
                        ring.discard(dropped);
                        discards.incrementAndGet();
                    }
                }
            }
        });

        try (RingWaiter waiter = ring.waiter()) {
            ConsumeResult totals = reader.run(waiter, 50, () -> reader.totals().consumed() < RECORDS && !producer.isCompletedExceptionally());
            producer.get();
            assertThat(totals.consumed()).isEqualTo(RECORDS);
            assertThat(totals.discarded()).isEqualTo(discards.get());
        }
        assertThat(checker.outOfOrder).isZero();
        assertThat(checker.expected).isEqualTo(RECORDS);
        assertThat(ring.consumerPosition()).isEqualTo(ring.producerPosition());
        assertThat(ring.refused()).isPositive();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aWaitingReaderBlocksAndIsWokenByACommit() throws Exception {
        InMemoryRing ring = new InMemoryRing(4096);
        Payloads.Collecting collected = new Payloads.Collecting();
        RingBufferReader reader = new RingBufferReader(ring, collected);
        AtomicLong wokenAfterNanos = new AtomicLong(-1);

        Thread readerThread = new Thread(() -> {
            try (RingWaiter waiter = ring.waiter()) {
                long start = System.nanoTime();
                reader.poll(waiter, 20_000);
                wokenAfterNanos.set(System.nanoTime() - start);
            }
        }, "ring-reader");
        readerThread.start();
        // parked in the waiter, not spinning
        await().atMost(Duration.ofSeconds(10)).until(() -> readerThread.getState() == Thread.State.TIMED_WAITING);
        assertThat(collected.records).isEmpty();

        ring.offer(Payloads.payload(5, 8));

        readerThread.join(Duration.ofSeconds(10).toMillis());
        assertThat(readerThread.isAlive()).isFalse();
        assertThat(collected.records).containsExactly(Payloads.payload(5, 8));
        assertThat(wokenAfterNanos.get()).isBetween(0L, TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void anEmptyRingMakesTheWaiterTimeOutAndAClosedOneReturnsAtOnce() {
        InMemoryRing ring = new InMemoryRing(4096);
        RingWaiter waiter = ring.waiter();
        long start = System.nanoTime();
        assertThat(waiter.await(30)).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
        ring.offer(new byte[1]);
        assertThat(waiter.await(10_000)).isTrue();
        waiter.close();
        assertThat(waiter.await(10_000)).isFalse();
    }
}
