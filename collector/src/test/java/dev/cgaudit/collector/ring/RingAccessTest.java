package dev.cgaudit.collector.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The raw-address access sees the words the producer wrote, and a header position always lands in the data area. */
class RingAccessTest {

    private static final int SIZE = 16 * InMemoryRing.PAGE_SIZE;

    @Test
    void readsThePositionsAndHeadersTheProducerWrote() {
        InMemoryRing ring = new InMemoryRing(SIZE);
        RingAccess access = new RingAccess(ring);
        int first = ring.reserve(100);
        ring.commit(first);
        int second = ring.reserve(24);
        assertThat(access.producerPosition()).isEqualTo(ring.producerPosition()).isEqualTo(112 + 32);
        assertThat(access.headerWord(0)).isEqualTo(100);
        assertThat(access.headerWord(112)).isEqualTo(24 | RingLayout.BUSY_BIT);
        ring.discard(second);
        assertThat(access.headerWord(112)).isEqualTo(24 | RingLayout.DISCARD_BIT);
        access.publishConsumerPosition(112);
        assertThat(ring.consumerPosition()).isEqualTo(112);
        assertThat(access.consumerPosition()).isEqualTo(112);
    }

    @Test
    void anyPositionIsMaskedIntoTheDataArea() {
        InMemoryRing ring = new InMemoryRing(SIZE);
        RingAccess access = new RingAccess(ring);
        ring.commit(ring.reserve(40));
        // positions are free-running u64 counters: every lap, and absurd values, read the same header
        for (long position : List.of((long) SIZE, 7L * SIZE, Long.MIN_VALUE, -SIZE * 3L, 0x7fff_ffffL * SIZE)) {
            assertThat(access.headerWord(position)).as("position %d", position).isEqualTo(40);
        }
        access.headerWord(-8); // the last word of the area, never past it
    }
}
