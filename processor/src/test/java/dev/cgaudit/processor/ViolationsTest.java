package dev.cgaudit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ViolationsTest {

    /** Window explanations are part of a violation's content, which live and replay must agree on across builds. */
    @Test
    void seconds_are_written_as_the_formatter_wrote_them() {
        SplittableRandom random = new SplittableRandom(20261128);
        long[] edges = {0, 1, 499, 500, 501, 1_499, 1_500, 1_501, 999_499, 999_500, 999_999, 1_000_000, 59_999_500,
                60_000_000, 3_600_000_000L, 86_400_000_499L};
        for (long micros : edges) {
            assertThat(Violations.secondsText(micros)).as("%d µs", micros)
                    .isEqualTo(String.format(Locale.ROOT, "%.3f", micros / 1_000_000.0));
        }
        for (int i = 0; i < 200_000; i++) {
            long micros = i % 2 == 0 ? random.nextLong(120_000_000) : random.nextLong(1_000) * 1_000 + 500;
            assertThat(Violations.secondsText(micros)).as("%d µs", micros)
                    .isEqualTo(String.format(Locale.ROOT, "%.3f", micros / 1_000_000.0));
        }
    }
}
