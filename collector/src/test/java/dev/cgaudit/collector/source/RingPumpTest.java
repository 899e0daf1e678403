package dev.cgaudit.collector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cgaudit.collector.ring.ConsumeResult;
import dev.cgaudit.collector.ring.InMemoryRing;
import dev.cgaudit.collector.ring.RingBufferReader;
import dev.cgaudit.collector.ring.RingWaiter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RingPumpTest {

    /** Counts how often the pump asks to wait: each is an epoll_wait syscall on a kernel ring. */
    private static final class CountingWaiter implements RingWaiter {
        final RingWaiter inner;
        final AtomicLong awaits = new AtomicLong();

        CountingWaiter(RingWaiter inner) {
            this.inner = inner;
        }

        @Override
        public boolean await(int timeoutMillis) {
            awaits.incrementAndGet();
            return inner.await(timeoutMillis);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void aPumpReadsEveryRecordOnceInOrderWhetherItFindsThemAfterAPauseOrAfterWaiting() throws Exception {
        InMemoryRing ring = new InMemoryRing(1 << 20);
        AtomicLong expected = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        RingBufferReader reader = new RingBufferReader(ring, record -> {
            if (record.getLong(0) != expected.getAndIncrement()) {
                outOfOrder.incrementAndGet();
            }
        });
        AtomicLong passes = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        int records = 200_000;
        try (CountingWaiter waiter = new CountingWaiter(ring.waiter())) {
            Thread pump = new Thread(() -> new RingPump(reader, waiter).run(stop::get, (ConsumeResult pass) -> passes.incrementAndGet()));
            pump.start();
            ByteBuffer record = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
            for (long i = 0; i < records; i++) {
                record.putLong(0, i);
                while (!ring.offer(record.array())) {
                    Thread.onSpinWait();
                }
            }
            await().atMost(30, TimeUnit.SECONDS).until(() -> expected.get() >= records || !pump.isAlive());
            stop.set(true);
            pump.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(pump.isAlive()).isFalse();
            assertThat(expected.get()).isEqualTo(records);
            assertThat(outOfOrder.get()).isZero();
            assertThat(passes.get()).isPositive();
            assertThat(waiter.awaits.get()).isPositive(); // the ring ran dry at times: the pump waited then
        }
    }
}
