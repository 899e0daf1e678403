package dev.cgaudit.collector.source;

import dev.cgaudit.collector.ring.ConsumeResult;
import dev.cgaudit.collector.ring.RingBufferReader;
import dev.cgaudit.collector.ring.RingWaiter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The reader thread's loop over a kernel ring, paced for a busy node.
 *
 * <p>After a pass that found records the pump pauses {@value #BUSY_PAUSE_MICROS} µs before the next
 * pass instead of going straight back to epoll. The kernel wakes a waiting reader only when a
 * record lands in a ring the reader had emptied, so a reader that keeps up perfectly is woken once
 * per decision: a context switch per migration, which on a 2-CPU node cost the migrating task two
 * thirds of its rate (BENCHMARKS.md "Kernel overhead"). Pausing while busy lets records gather —
 * one wake-up per batch, at most a millisecond of added latency — and when a pass finds nothing
 * the pump blocks in epoll until the kernel wakes it.
 */
public final class RingPump {

    static final long BUSY_PAUSE_MICROS = 1_000;
    private static final int POLL_TIMEOUT_MILLIS = 200;

    private final RingBufferReader reader;
    private final RingWaiter waiter;

    public RingPump(RingBufferReader reader, RingWaiter waiter) {
        this.reader = reader;
        this.waiter = waiter;
    }

    /**
     * Pumps until {@code stop} is true (noticed within the poll timeout), then drains what is left.
     * {@code afterBatch} sees every pass that found records (flush the sink, count errors).
     */
    public void run(BooleanSupplier stop, Consumer<ConsumeResult> afterBatch) {
        boolean busy = false;
        while (!stop.getAsBoolean()) {
            // After a pause that followed records, look at the ring first: on a busy node records
            // are there, and asking epoll first would cost a syscall per pass for nothing.
            ConsumeResult pass = busy ? reader.consume() : ConsumeResult.EMPTY;
            if (pass.isEmpty()) {
                pass = reader.poll(waiter, POLL_TIMEOUT_MILLIS);
            }
            busy = !pass.isEmpty();
            if (busy) {
                afterBatch.accept(pass);
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(BUSY_PAUSE_MICROS));
            }
        }
        afterBatch.accept(reader.consume());
    }
}
