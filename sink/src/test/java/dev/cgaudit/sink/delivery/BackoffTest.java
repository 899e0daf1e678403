package dev.cgaudit.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(1));

    @Test
    void nominalDelayDoublesUpToTheCap() {
        assertThat(backoff.nominal(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.nominal(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.nominal(5)).isEqualTo(Duration.ofMillis(1600));
        assertThat(backoff.nominal(6)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.nominal(1000)).as("no overflow").isEqualTo(Duration.ofSeconds(2));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 4711})
    void delaysStayInTheUpperHalfOfTheNominalDelay(long seed) {
        Backoff jittered = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(seed));
        for (int retry = 1; retry <= 12; retry++) {
            Duration nominal = jittered.nominal(retry);
            assertThat(jittered.delay(retry)).as("retry %d", retry).isBetween(nominal.dividedBy(2), nominal);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 4711})
    void delaysNeverShrinkBelowTheCap(long seed) {
        Backoff jittered = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(seed));
        Duration previous = Duration.ZERO;
        // nominal 100, 200, 400, 800, 1600 ms: all below the 2 s cap
        for (int retry = 1; retry <= 5; retry++) {
            Duration delay = jittered.delay(retry);
            assertThat(delay).as("retry %d", retry).isGreaterThanOrEqualTo(previous);
            previous = delay;
        }
    }

    @Test
    void jitterSpreadsDelays() {
        long distinct = java.util.stream.IntStream.range(0, 50).mapToObj(i -> backoff.delay(3)).distinct().count();
        assertThat(distinct).isGreaterThan(40);
    }

    @Test
    void nonsenseSettingsAreRejected() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new Random()))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random()))
                .hasMessageContaining("below the initial");
    }
}
