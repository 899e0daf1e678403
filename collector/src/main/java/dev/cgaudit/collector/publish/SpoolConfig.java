package dev.cgaudit.collector.publish;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how the disk spool keeps decisions until Kafka has them.
 *
 * @param dir          the collector's state folder (segments, committed position); keep it across restarts
 * @param maxBytes     bound on undelivered data; beyond it new decisions are dropped and counted
 * @param segmentBytes size at which the active segment is rolled
 * @param fsync        when appended data is forced to disk
 * @param fsyncInterval for {@link Fsync#INTERVAL}: at most this long between forces
 */
public record SpoolConfig(Path dir, long maxBytes, long segmentBytes, Fsync fsync, Duration fsyncInterval) {

    /**
     * ALWAYS: force after every flushed batch (survives power loss; slowest). INTERVAL: force at
     * most every {@code fsyncInterval} (a process crash loses nothing — the page cache survives it —
     * a power loss loses at most the interval). NEVER: leave it to the kernel.
     */
    public enum Fsync { ALWAYS, INTERVAL, NEVER }

    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    public SpoolConfig {
        if (maxBytes < segmentBytes) {
            throw new IllegalArgumentException("spool max bytes (" + maxBytes + ") must be at least the segment size ("
                    + segmentBytes + ")");
        }
        if (segmentBytes < 4096) {
            throw new IllegalArgumentException("spool segment size must be at least 4096 bytes, got " + segmentBytes);
        }
    }

    public static SpoolConfig defaults(Path dir) {
        return new SpoolConfig(dir, DEFAULT_MAX_BYTES, DEFAULT_SEGMENT_BYTES, Fsync.INTERVAL, Duration.ofSeconds(1));
    }
}
