package dev.cgaudit.sink.delivery;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Raised once to stop; waits between retries end early when it is, so a stop is prompt. */
public final class StopSignal {

    private final CountDownLatch stopped = new CountDownLatch(1);

    public void raise() {
        stopped.countDown();
    }

    public boolean raised() {
        return stopped.getCount() == 0;
    }

    /** Waits {@code duration} unless stopped first; returns true when stopped. */
    public boolean await(Duration duration) {
        try {
            return stopped.await(duration.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
