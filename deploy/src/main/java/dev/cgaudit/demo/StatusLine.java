package dev.cgaudit.demo;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The status line: decisions per second (over the last refresh), decisions, violations and
 * records lost so far. Redrawn every second on a terminal, printed every {@link #PLAIN_EVERY}
 * otherwise.
 */
final class StatusLine implements AutoCloseable {

    static final Duration PLAIN_EVERY = Duration.ofSeconds(5);

    private final DemoConsole console;
    private final LongSupplier decisions;
    private final LongSupplier violations;
    private final LongSupplier lost;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cgaudit-demo-status");
        t.setDaemon(true);
        return t;
    });
    private long lastCount;
    private long lastNanos = startNanos;

    StatusLine(DemoConsole console, LongSupplier decisions, LongSupplier violations, LongSupplier lost) {
        this.console = console;
        this.decisions = decisions;
        this.violations = violations;
        this.lost = lost;
    }

    void start() {
        long every = console.tty() ? 1000 : PLAIN_EVERY.toMillis();
        timer.scheduleAtFixedRate(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    private synchronized void refresh() {
        long now = System.nanoTime();
        long count = decisions.getAsLong();
        double rate = (count - lastCount) / Math.max(1e-9, (now - lastNanos) / 1e9);
        lastCount = count;
        lastNanos = now;
        console.status(render(Duration.ofNanos(now - startNanos), rate, count, violations.getAsLong(), lost.getAsLong()));
    }

    static String render(Duration elapsed, double decisionsPerSecond, long decisions, long violations, long lost) {
        return String.format(Locale.ROOT, "[%3ds] %6.1f decisions/s | %d decisions | %d violations | %d lost",
                elapsed.toSeconds(), decisionsPerSecond, decisions, violations, lost);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        console.endStatus();
    }
}
