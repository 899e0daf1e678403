package dev.cgaudit.demo;

import dev.cgaudit.collector.publish.DecisionSink;
import dev.cgaudit.collector.source.DecisionSource;
import dev.cgaudit.collector.status.CollectorHealth;
import dev.cgaudit.schema.AttachDecision;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Plays a {@link DemoTrace} as if it happened now: decisions keep their recorded spacing (gaps
 * capped at {@link #MAX_GAP}) and are stamped with the time they are played, and the playback
 * halts at each step's recorded start until the demo has published that step's policy commands.
 * Re-stamping is what lets the rules applied now judge them (a rule version is in force from its
 * command's issuedAt on); the recorded times are not kept.
 */
final class TraceReplay implements DecisionSource, StepDriver {

    static final Duration MAX_GAP = Duration.ofSeconds(1);

    private final DemoTrace trace;
    private final Set<DemoStep> released = EnumSet.noneOf(DemoStep.class);
    private DemoStep waitingAt;
    private boolean finished;
    private volatile boolean stopping;

    TraceReplay(DemoTrace trace) {
        this.trace = trace;
    }

    @Override
    public void run(DecisionSink sink, BooleanSupplier stop) throws InterruptedException {
        try {
            Instant previous = null;
            for (AttachDecision recorded : trace.decisions()) {
                if (!haltAtSteps(recorded.getTimestamp(), stop)) {
                    return;
                }
                if (previous != null && !pause(gap(previous, recorded.getTimestamp()), stop)) {
                    return;
                }
                previous = recorded.getTimestamp();
                AttachDecision now = AttachDecision.newBuilder(recorded)
                        .setTimestamp(Instant.now().truncatedTo(ChronoUnit.MICROS)).build();
                sink.accept(now);
                sink.flush();
            }
            // steps recorded after the last decision still need their turn
            haltAtSteps(Instant.MAX, stop);
        } finally {
            synchronized (this) {
                finished = true;
                notifyAll();
            }
        }
    }

    private static Duration gap(Instant previous, Instant next) {
        Duration d = Duration.between(previous, next);
        return d.isNegative() ? Duration.ZERO : d.compareTo(MAX_GAP) > 0 ? MAX_GAP : d;
    }

    /** Halts before {@code at} at every step that began at or before it and is not yet released. */
    private synchronized boolean haltAtSteps(Instant at, BooleanSupplier stop) throws InterruptedException {
        for (Map.Entry<DemoStep, Instant> step : trace.steps().entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            if (released.contains(step.getKey()) || step.getValue().isAfter(at)) {
                continue;
            }
            waitingAt = step.getKey();
            notifyAll();
            while (!released.contains(step.getKey())) {
                if (stop.getAsBoolean() || stopping) {
                    return false;
                }
                wait(100);
            }
        }
        return true;
    }

    private synchronized boolean pause(Duration d, BooleanSupplier stop) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        for (long left = d.toNanos(); left > 0; left = until - System.nanoTime()) {
            if (stop.getAsBoolean() || stopping) {
                return false;
            }
            wait(Math.max(1, Math.min(100, left / 1_000_000)));
        }
        return true;
    }

    /** Waits until the playback reached {@code step} (or ran out of decisions). */
    @Override
    public synchronized void begin(DemoStep step) throws InterruptedException {
        if (!trace.steps().containsKey(step)) {
            return;
        }
        while (waitingAt != step && !finished && !stopping) {
            wait(100);
        }
    }

    /** Lets the playback go on past {@code step}. */
    @Override
    public synchronized void perform(DemoStep step) {
        released.add(step);
        notifyAll();
    }

    @Override
    public CollectorHealth health() {
        return CollectorHealth.NONE;
    }

    @Override
    public synchronized void close() {
        stopping = true;
        notifyAll();
    }
}
