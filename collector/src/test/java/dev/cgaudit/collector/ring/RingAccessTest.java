package dev.cgaudit.collector.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both ways of touching the ring see the same words, and a header position always lands in the data area. */
class RingAccessTest {

    private static final int SIZE = 16 * InMemoryRing.PAGE_SIZE;

    private static RingAccess access(String kind, RingMemory ring) {
        return kind.equals("addresses") ? RingAccess.addresses(ring) : RingAccess.buffers(ring);
    }

    @ParameterizedTest
    @ValueSource(strings = {"addresses", "buffers"})
    void readsThePositionsAndHeadersTheProducerWrote(String kind) {
        InMemoryRing ring = new InMemoryRing(SIZE);
        RingAccess access = access(kind, ring);
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

    @ParameterizedTest
    @ValueSource(strings = {"addresses", "buffers"})
    void anyPositionIsMaskedIntoTheDataArea(String kind) {
        InMemoryRing ring = new InMemoryRing(SIZE);
        RingAccess access = access(kind, ring);
        ring.commit(ring.reserve(40));
        // positions are free-running u64 counters: every lap, and absurd values, read the same header
        for (long position : List.of((long) SIZE, 7L * SIZE, Long.MIN_VALUE, -SIZE * 3L, 0x7fff_ffffL * SIZE)) {
            assertThat(access.headerWord(position)).as("position %d", position).isEqualTo(40);
        }
        access.headerWord(-8); // the last word of the area, never past it
    }
}
