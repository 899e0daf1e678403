package dev.cgaudit.collector.enrich;

import dev.cgaudit.collector.Errno;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class KernelClockTest {

    @Test
    void mapsMonotonicNanosToWallClockAtMicrosecondPrecision() {
        long[] mono = {1_000_000_000L};
        KernelClock clock = new KernelClock(Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC), () -> mono[0]);
        assertThat(clock.toInstant(1_000_000_000L)).isEqualTo(Instant.parse("2026-11-28T10:00:00Z"));
        assertThat(clock.toInstant(1_500_001_999L)).isEqualTo(Instant.parse("2026-11-28T10:00:00.500001Z"));
        assertThat(clock.toInstant(999_999_999L)).isEqualTo(Instant.parse("2026-11-28T09:59:59.999999Z"));
    }

    @Test
    void theSystemClockAgreesWithNowWithinASecond() {
        Instant mapped = KernelClock.system().toInstant(System.nanoTime());
        assertThat(mapped).isBetween(Instant.now().minusSeconds(1), Instant.now().plusSeconds(1));
    }

    @Test
    void errnoNamesCoverTheMigrationErrors() {
        assertThat(Errno.name(0)).isNull();
        assertThat(Errno.name(13)).isEqualTo("EACCES");
        assertThat(Errno.name(95)).isEqualTo("EOPNOTSUPP");
        assertThat(Errno.name(16)).isEqualTo("EBUSY");
        assertThat(Errno.name(4095)).isEqualTo("ERRNO_4095");
    }
}
