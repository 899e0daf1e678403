package dev.cgaudit.processor;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Bounded out-of-orderness for one Kafka partition of decisions that keeps time moving when the
 * partition falls silent. Keyed functions judge a decision only once the watermark passes it; with
 * plain idleness a fleet that goes quiet right after a violating decision would keep that decision
 * buffered until the next one arrives, possibly never.
 *
 * <p>After {@code idleness} without a decision the watermark runs on with the partition's silence,
 * as if the last decision's clock had kept ticking ({@code maxTimestamp + silence - outOfOrderness - 1}).
 * A node's next decision is stamped with its real clock and so still lies ahead of it, unless its
 * delivery is more than the out-of-orderness slower than the last one's was, which is the bound that
 * applies while decisions flow anyway. A partition that has never had a decision is marked idle
 * instead, so it does not hold the others back.
 *
 * <p>Silence is measured on the source's input activity clock, which stands still while the source is
 * back-pressured or paused: decisions waiting in Kafka are not silence.
 */
public final class SilenceAwareWatermarks<T> implements WatermarkGenerator<T> {

    /** The assigner's timestamp for records without event time (dead letters). */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    private final long outOfOrdernessMs;
    private final long idlenessMs;
    private final RelativeClock clock;

    private boolean seen;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastEventAt;
    private long emitted = Long.MIN_VALUE;
    private boolean idle;

    public SilenceAwareWatermarks(Duration outOfOrderness, Duration idleness, RelativeClock clock) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.idlenessMs = idleness.toMillis();
        this.clock = clock;
        this.lastEventAt = clock.relativeTimeMillis();   // a partition that never has a decision idles from here
    }

    /** The strategy for a source; records the assigner gives {@link #NO_TIMESTAMP} are ignored. */
    public static <T> WatermarkStrategy<T> strategy(Duration outOfOrderness, Duration idleness) {
        return WatermarkStrategy.forGenerator(context ->
                new SilenceAwareWatermarks<>(outOfOrderness, idleness, context.getInputActivityClock()));
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        // A dead letter has no event time, and a stream of them must not postpone judging the decisions before it.
        if (eventTimestamp == NO_TIMESTAMP) {
            return;
        }
        seen = true;
        maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
        lastEventAt = clock.relativeTimeMillis();
        if (idle) {
            idle = false;
            output.markActive();
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long silence = clock.relativeTimeMillis() - lastEventAt;
        if (!seen) {
            if (silence >= idlenessMs && !idle) {
                idle = true;
                output.markIdle();
            }
            return;
        }
        long watermark = saturatedAdd(maxTimestamp, (silence >= idlenessMs ? silence : 0) - outOfOrdernessMs - 1);
        // After a silence the next decision's own bound can lie behind what the silence already passed.
        if (watermark > emitted) {
            emitted = watermark;
        }
        output.emitWatermark(new Watermark(emitted));
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }
}
