package dev.cgaudit.collector.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cgaudit.collector.ring.bench.FieldReader;
import dev.cgaudit.collector.ring.bench.RingBenchProgram;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reader on a real kernel ring buffer fed by a real BPF program (the benchmark producer).
 * Needs root and the compiled ringbench.bpf.o; skipped with the reason otherwise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MappedRingIT {

    private static final int BURST = 1000;

    @BeforeAll
    static void kernelAvailable() {
        String why = RingBenchProgram.unavailable().orElse(null);
        assumeTrue(why == null, () -> "SKIPPED kernel ring tests: " + why);
    }

    @Test
    void readsEveryRecordOfARealRingExactlyOnceAcrossWrapArounds() throws Exception {
        try (RingBenchProgram program = RingBenchProgram.load(64, BURST, true);
                MappedRing ring = MappedRing.map(program.ringFd(), program.ringSize())) {
            FieldReader fields = new FieldReader();
            RingBufferReader reader = new RingBufferReader(ring, fields);
            int triggers = 300;
            for (int i = 0; i < triggers; i++) {
                program.trigger();
                reader.consume();
            }
            reader.consume();

            // 300k records of 72 ring bytes: about five trips round the 4 MiB ring
            assertThat(program.dropped()).isZero();
            assertThat(program.emitted()).isEqualTo((long) triggers * BURST);
            assertThat(fields.count()).isEqualTo(program.emitted());
            assertThat(fields.gaps()).isZero();
            assertThat(fields.expected()).isEqualTo((long) triggers * BURST);
            assertThat(reader.totals().corruptions()).isZero();
            assertThat((long) triggers * BURST * 72).isGreaterThan(4L * ring.size());
        }
    }

    @Test
    void aFullRealRingDropsInTheKernelAndTheReaderDrainsIt() throws Exception {
        try (RingBenchProgram program = RingBenchProgram.load(256, BURST, true);
                MappedRing ring = MappedRing.map(program.ringFd(), program.ringSize())) {
            FieldReader fields = new FieldReader();
            RingBufferReader reader = new RingBufferReader(ring, fields);
            while (program.dropped() == 0) {
                program.trigger();
            }
            ConsumeResult drained = reader.consume();

            assertThat(drained.consumed()).isEqualTo(program.emitted());
            // the ring holds (4 MiB - 1 byte) / 264-byte records
            assertThat(drained.consumed()).isEqualTo((ring.size() - 1) / 264);
            program.trigger();
            assertThat(reader.consume().consumed()).isEqualTo(BURST);
        }
    }

    @Test
    void aReaderBlockedInEpollWakesWhenTheKernelCommits() throws Exception {
        try (RingBenchProgram program = RingBenchProgram.load(64, 10, true);
                MappedRing ring = MappedRing.map(program.ringFd(), program.ringSize());
                EpollWaiter waiter = EpollWaiter.open(program.ringFd())) {
            FieldReader fields = new FieldReader();
            RingBufferReader reader = new RingBufferReader(ring, fields);
            assertThat(waiter.await(0)).as("empty ring is not readable").isFalse();

            AtomicBoolean returned = new AtomicBoolean();
            CompletableFuture<ConsumeResult> blocked = CompletableFuture.supplyAsync(() -> {
                ConsumeResult r = reader.poll(waiter, 20_000);
                returned.set(true);
                return r;
            });
            // still blocked in epoll_wait after a while: no spinning, no early return
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).untilFalse(returned);

            program.trigger();

            ConsumeResult woken = blocked.get(5, TimeUnit.SECONDS);
            assertThat(woken.consumed()).isEqualTo(10);
            assertThat(waiter.await(0)).as("level-triggered: nothing left after the drain").isFalse();
            program.trigger();
            assertThat(waiter.await(0)).as("level-triggered: readable while records wait").isTrue();
        }
    }

    @Test
    void aReaderThreadWithEpollKeepsUpWithBurstsFromAnotherThread() throws Exception {
        try (RingBenchProgram program = RingBenchProgram.load(64, BURST, true);
                MappedRing ring = MappedRing.map(program.ringFd(), program.ringSize());
                EpollWaiter waiter = EpollWaiter.open(program.ringFd())) {
            FieldReader fields = new FieldReader();
            RingBufferReader reader = new RingBufferReader(ring, fields);
            int triggers = 500;
            CompletableFuture<ConsumeResult> readerThread = CompletableFuture.supplyAsync(() ->
                    reader.run(waiter, 100, () -> fields.count() + program.dropped() < (long) triggers * BURST));
            for (int i = 0; i < triggers; i++) {
                program.trigger();
            }

            ConsumeResult totals = readerThread.get(30, TimeUnit.SECONDS);
            assertThat(totals.consumed() + program.dropped()).isEqualTo((long) triggers * BURST);
            assertThat(totals.consumed()).isEqualTo(program.emitted());
        }
    }

    @Test
    void mappingWithTheWrongSizeFailsWithTheReason() throws Exception {
        try (RingBenchProgram program = RingBenchProgram.load(64, 1, true)) {
            assertThatThrownBy(() -> MappedRing.map(program.ringFd(), 2 * program.ringSize()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("max_entries");
        }
    }
}
