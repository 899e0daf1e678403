package dev.cgaudit.processor;

import dev.cgaudit.schema.AttachDecision;
import java.time.Instant;

/** Event-time conversions (the order decisions are processed in is {@link EncodedDecision#ORDER}). */
public final class EventTime {

    private EventTime() {
    }

    public static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    public static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** Flink's event time is in milliseconds. */
    public static long millis(long micros) {
        return Math.floorDiv(micros, 1_000L);
    }

    public static long millis(AttachDecision d) {
        return d.getTimestamp().toEpochMilli();
    }

    /** The last millisecond of the bucket {@code ms} falls in: timers rounded up to a granularity. */
    public static long roundUp(long ms, long granularityMs) {
        long bucketEnd = ms - Math.floorMod(ms, granularityMs) + granularityMs - 1;
        return bucketEnd < ms ? Long.MAX_VALUE : bucketEnd;
    }
}
