package dev.cgaudit.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class CliUnitsTest {

    private final CliUnits.DurationConverter durations = new CliUnits.DurationConverter();
    private final CliUnits.SizeConverter sizes = new CliUnits.SizeConverter();

    @Test
    void durationsInTheShortFormAndIso8601() {
        assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(durations.convert("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(durations.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(durations.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(durations.convert("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(durations.convert("PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> durations.convert("soon"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'soon' is not a duration");
    }

    @Test
    void sizesInPowersOf1024() {
        assertThat(sizes.convert("4096")).isEqualTo(4096L);
        assertThat(sizes.convert("64k")).isEqualTo(64L << 10);
        assertThat(sizes.convert("512M")).isEqualTo(512L << 20);
        assertThat(sizes.convert("1gb")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> sizes.convert("big"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'big' is not a size");
    }
}
