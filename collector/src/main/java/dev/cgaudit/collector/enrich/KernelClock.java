package dev.cgaudit.collector.enrich;

import java.time.Clock;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Converts bpf_ktime_get_ns() (CLOCK_MONOTONIC) to wall-clock time. On Linux the JVM's
 * System.nanoTime() reads the same clock, so one offset measured at start maps any kernel
 * timestamp; it is re-measured on {@link #resync()} because NTP may step the wall clock.
 */
public final class KernelClock {

    private final Clock wall;
    private final LongSupplier monotonicNanos;
    private volatile long offsetNanos;

    public KernelClock(Clock wall, LongSupplier monotonicNanos) {
        this.wall = wall;
        this.monotonicNanos = monotonicNanos;
        resync();
    }

    public static KernelClock system() {
        return new KernelClock(Clock.systemUTC(), System::nanoTime);
    }

    public void resync() {
        // Sample monotonic on both sides of the wall read and take the middle, to halve the error.
        long before = monotonicNanos.getAsLong();
        Instant now = wall.instant();
        long after = monotonicNanos.getAsLong();
        long wallNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        offsetNanos = wallNanos - (before + (after - before) / 2);
    }

    /** Wall-clock instant of a kernel monotonic timestamp, truncated to microseconds (the wire precision). */
    public Instant toInstant(long kernelNanos) {
        long wallNanos = kernelNanos + offsetNanos;
        long micros = Math.floorDiv(wallNanos, 1_000L);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
