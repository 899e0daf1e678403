package dev.cgaudit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

class SilenceAwareWatermarksTest {

    static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(2);
    static final Duration IDLENESS = Duration.ofSeconds(5);
    static final long T = 1_700_000_000_000L;

    final ManualClock clock = new ManualClock(42_000_000_000L);
    final SilenceAwareWatermarks<String> generator = new SilenceAwareWatermarks<>(OUT_OF_ORDERNESS, IDLENESS, clock);
    final RecordingOutput out = new RecordingOutput();

    @Test
    void flowing_decisions_give_bounded_out_of_orderness() {
        generator.onEvent("a", T, out);
        generator.onEvent("b", T + 3_000, out);
        generator.onEvent("late", T + 1_000, out);
        clock.advanceTime(Duration.ofSeconds(1));
        generator.onPeriodicEmit(out);
        clock.advanceTime(Duration.ofMillis(3_999));
        generator.onPeriodicEmit(out);

        assertThat(out.watermarks).containsExactly(T + 3_000 - 2_000 - 1, T + 3_000 - 2_000 - 1);
        assertThat(out.events).doesNotContain("idle");
    }

    @Test
    void a_silent_partition_advances_by_its_silence() {
        generator.onEvent("last", T, out);
        clock.advanceTime(IDLENESS);
        generator.onPeriodicEmit(out);
        clock.advanceTime(Duration.ofSeconds(10));
        generator.onPeriodicEmit(out);

        assertThat(out.watermarks).containsExactly(T + 5_000 - 2_000 - 1, T + 15_000 - 2_000 - 1);
        assertThat(out.events).doesNotContain("idle");
    }

    @Test
    void the_next_decision_after_a_silence_is_ahead_and_the_watermark_never_goes_back() {
        generator.onEvent("last", T, out);
        clock.advanceTime(Duration.ofSeconds(30));
        generator.onPeriodicEmit(out);
        long afterSilence = out.lastWatermark();
        long next = T + 30_000;   // the node's real clock, as far on as the processor's
        assertThat(next).isGreaterThan(afterSilence);

        generator.onEvent("next", next, out);
        generator.onPeriodicEmit(out);
        assertThat(out.lastWatermark()).isEqualTo(next - 2_000 - 1);

        // A node whose clock lags: its own bound would lie behind what the silence passed.
        SilenceAwareWatermarks<String> lagging = new SilenceAwareWatermarks<>(OUT_OF_ORDERNESS, IDLENESS, clock);
        RecordingOutput laggingOut = new RecordingOutput();
        lagging.onEvent("last", T, laggingOut);
        clock.advanceTime(Duration.ofSeconds(30));
        lagging.onPeriodicEmit(laggingOut);
        lagging.onEvent("behind", T + 10_000, laggingOut);
        lagging.onPeriodicEmit(laggingOut);
        assertThat(laggingOut.watermarks).isSorted().containsExactly(T + 30_000 - 2_001, T + 30_000 - 2_001);
    }

    @Test
    void a_partition_without_decisions_idles_and_its_first_decision_makes_it_active() {
        generator.onPeriodicEmit(out);
        clock.advanceTime(Duration.ofMillis(4_999));
        generator.onPeriodicEmit(out);
        assertThat(out.events).isEmpty();

        clock.advanceTime(Duration.ofMillis(1));
        generator.onPeriodicEmit(out);
        generator.onPeriodicEmit(out);
        assertThat(out.events).containsExactly("idle");

        generator.onEvent("first", T, out);
        generator.onPeriodicEmit(out);
        assertThat(out.events).containsExactly("idle", "active", "watermark " + (T - 2_001));
    }

    @Test
    void dead_letters_move_neither_the_watermark_nor_the_silence() {
        generator.onEvent("last", T, out);
        clock.advanceTime(Duration.ofSeconds(4));
        generator.onEvent("dead letter", SilenceAwareWatermarks.NO_TIMESTAMP, out);
        clock.advanceTime(Duration.ofSeconds(2));
        generator.onPeriodicEmit(out);
        assertThat(out.watermarks).containsExactly(T + 6_000 - 2_001);

        SilenceAwareWatermarks<String> onlyDead = new SilenceAwareWatermarks<>(OUT_OF_ORDERNESS, IDLENESS, clock);
        RecordingOutput deadOut = new RecordingOutput();
        onlyDead.onEvent("dead letter", SilenceAwareWatermarks.NO_TIMESTAMP, deadOut);
        clock.advanceTime(IDLENESS);
        onlyDead.onPeriodicEmit(deadOut);
        assertThat(deadOut.events).containsExactly("idle");
    }

    /** What the generator told its source output, in order. */
    static final class RecordingOutput implements WatermarkOutput {
        final List<String> events = new ArrayList<>();
        final List<Long> watermarks = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark watermark) {
            events.add("watermark " + watermark.getTimestamp());
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            events.add("idle");
        }

        @Override
        public void markActive() {
            events.add("active");
        }

        long lastWatermark() {
            return watermarks.get(watermarks.size() - 1);
        }
    }
}
