package dev.cgaudit.collector.ring;

import static dev.cgaudit.collector.ring.Payloads.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RingBufferReaderTest {

    private static final int RING = 4096;

    private final InMemoryRing ring = new InMemoryRing(RING);
    private final Payloads.Collecting collected = new Payloads.Collecting();

    @ParameterizedTest(name = "publish every {0} bytes")
    @ValueSource(ints = {RingBufferReader.PUBLISH_PER_RECORD, 512, RING})
    void readsOneRecordAndReleasesItsSpace(int publishEvery) {
        RingBufferReader reader = new RingBufferReader(ring, collected, publishEvery);
        assertThat(ring.offer(payload(1, 13))).isTrue();

        ConsumeResult result = reader.consume();

        assertThat(result.consumed()).isEqualTo(1);
        assertThat(collected.records).containsExactly(payload(1, 13));
        // 13 bytes + 8 header, rounded up to 8
        assertThat(ring.consumerPosition()).isEqualTo(24).isEqualTo(ring.producerPosition());
        assertThat(reader.consume().isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "publish every {0} bytes")
    @ValueSource(ints = {RingBufferReader.PUBLISH_PER_RECORD, 512, RING})
    void readsManyRecordsInOrderAcrossManyWrapArounds(int publishEvery) {
        RingBufferReader reader = new RingBufferReader(ring, collected, publishEvery);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            byte[] p = payload(i, 1 + i % 97);
            if (!ring.offer(p)) {
                reader.consume();
                assertThat(ring.offer(p)).isTrue();
            }
            sent.add(p);
        }
        reader.consume();

        assertThat(collected.records).containsExactlyElementsOf(sent);
        assertThat(reader.totals().consumed()).isEqualTo(2000);
        assertThat(ring.producerPosition()).isGreaterThan(10L * RING);
        assertThat(ring.refused()).isPositive();
    }

    @Test
    void aRecordCrossingTheEndIsContiguousThanksToTheDoubleMapping() {
        RingBufferReader reader = new RingBufferReader(ring, collected);
        // move both positions to 16 bytes before the end
        int filler = ring.reserve(RING - 16 - 8);
        ring.commit(filler);
        reader.consume();
        collected.records.clear();
        assertThat(ring.consumerPosition()).isEqualTo(RING - 16);

        byte[] straddling = payload(7, 100);
        List<int[]> views = new ArrayList<>();
        long data = new RingAccess(ring).data;
        RingBufferReader viewing = new RingBufferReader(ring, record -> {
            views.add(new int[] {(int) (record.address() - data), record.length()});
            collected.onRecord(record);
        });
        assertThat(ring.offer(straddling)).isTrue();
        assertThat(ring.offer(payload(8, 5))).isTrue();
        viewing.consume();

        assertThat(collected.records).containsExactly(straddling, payload(8, 5));
        // the first payload starts 8 bytes before the end and runs on into the second copy
        assertThat(views.get(0)).containsExactly(RING - 8, 100);
        // the next record starts at the beginning of the first copy again
        assertThat(views.get(1)[0]).isEqualTo(RING - 16 + 112 - RING + 8);
    }

    @Test
    void discardedRecordsAreSkippedButTheirSpaceIsConsumed() {
        RingBufferReader reader = new RingBufferReader(ring, collected);
        ring.offer(payload(1, 8));
        int dropped = ring.reserve(40);
        ring.put(dropped, payload(99, 40), 0, 40);
        ring.discard(dropped);
        ring.offer(payload(3, 8));

        ConsumeResult result = reader.consume();

        assertThat(collected.records).containsExactly(payload(1, 8), payload(3, 8));
        assertThat(result.consumed()).isEqualTo(2);
        assertThat(result.discarded()).isEqualTo(1);
        assertThat(ring.consumerPosition()).isEqualTo(ring.producerPosition());
    }

    @Test
    void aBusyRecordHoldsTheConsumerUntilItIsCommitted() {
        RingBufferReader reader = new RingBufferReader(ring, collected);
        ring.offer(payload(1, 8));
        int slow = ring.reserve(8);
        ring.put(slow, payload(2, 8), 0, 8);
        long slowHeader = ring.producerPosition() - 16;
        ring.offer(payload(3, 8));
        ring.offer(payload(4, 8));

        ConsumeResult first = reader.consume();

        assertThat(first.consumed()).isEqualTo(1);
        assertThat(collected.records).containsExactly(payload(1, 8));
        assertThat(ring.consumerPosition()).isEqualTo(slowHeader);
        assertThat(reader.consume().isEmpty()).isTrue();

        ring.commit(slow);
        ConsumeResult second = reader.consume();

        assertThat(second.consumed()).isEqualTo(3);
        assertThat(collected.records).containsExactly(payload(1, 8), payload(2, 8), payload(3, 8), payload(4, 8));
    }

    @Test
    void aFullRingRefusesTheProducerUntilTheReaderDrainsIt() {
        RingBufferReader reader = new RingBufferReader(ring, collected);
        int accepted = 0;
        while (ring.offer(payload(accepted, 56))) {
            accepted++;
        }
        // 64 bytes a record; the kernel keeps the last byte free, so one slot stays empty
        assertThat(accepted).isEqualTo(RING / 64 - 1);
        assertThat(ring.refused()).isEqualTo(1);
        assertThat(ring.offer(payload(0, 56))).isFalse();
        assertThat(ring.refused()).isEqualTo(2);

        assertThat(reader.consume().consumed()).isEqualTo(accepted);
        assertThat(ring.offer(payload(1000, 56))).isTrue();
        reader.consume();

        assertThat(collected.records).hasSize(accepted + 1);
        assertThat(collected.records.get(accepted)).isEqualTo(payload(1000, 56));
    }

    @ParameterizedTest(name = "publish every {0} bytes")
    @ValueSource(ints = {RingBufferReader.PUBLISH_PER_RECORD, RING})
    void theConsumerPositionMovesOnlyAfterTheHandlerReturned(int publishEvery) {
        List<long[]> seen = new ArrayList<>();
        long data = new RingAccess(ring).data;
        RingBufferReader reader = new RingBufferReader(ring, record -> {
            long recordStart = record.address() - data - RingLayout.HEADER_SIZE;
            seen.add(new long[] {recordStart, ring.consumerPosition()});
        }, publishEvery);
        for (int i = 0; i < 10; i++) {
            ring.offer(payload(i, 24));
        }

        reader.consume();

        assertThat(seen).hasSize(10);
        for (long[] s : seen) {
            // while the handler runs, the record it reads is still owned by the consumer
            assertThat(s[1]).isLessThanOrEqualTo(s[0]);
        }
        assertThat(ring.consumerPosition()).isEqualTo(ring.producerPosition());
    }

    @Test
    void aThrowingHandlerIsCountedAndTheLoopGoesOn() {
        RingBufferReader reader = new RingBufferReader(ring, record -> {
            if (record.getByte(0) == 13) {
                throw new IllegalStateException("handler bug on record 13");
            }
            collected.onRecord(record);
        });
        for (int i = 10; i < 16; i++) {
            ring.offer(new byte[] {(byte) i, 0, 0});
        }

        ConsumeResult result = reader.consume();

        assertThat(result.consumed()).isEqualTo(5);
        assertThat(result.handlerErrors()).isEqualTo(1);
        assertThat(result.errors()).singleElement().satisfies(e ->
                assertThat(e).hasMessage("handler bug on record 13"));
        assertThat(collected.records).extracting(b -> (int) b[0]).containsExactly(10, 11, 12, 14, 15);
        assertThat(ring.consumerPosition()).isEqualTo(ring.producerPosition());
    }

    @Test
    void aReadOutsideTheRecordIsAHandlerErrorNeverAReadOfOtherMemory() {
        List<Integer> offsets = List.of(8, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 4);
        List<Exception> thrown = new ArrayList<>();
        RingBufferReader reader = new RingBufferReader(ring, record -> {
            for (int at : offsets) {
                try {
                    record.getInt(at);
                } catch (IndexOutOfBoundsException e) {
                    thrown.add(e);
                }
            }
            try {
                record.get(4, new byte[8], 0, 8);
            } catch (IndexOutOfBoundsException e) {
                thrown.add(e);
            }
            collected.onRecord(record);
        });
        ring.offer(payload(1, 8));
        ring.offer(payload(2, 8));

        assertThat(reader.consume().consumed()).isEqualTo(2);
        // per record: every offset except the last one that fits, and the copy past the end
        assertThat(thrown).hasSize(2 * offsets.size());
        assertThat(collected.records).containsExactly(payload(1, 8), payload(2, 8));
    }

    @Test
    void theDataAreaIsReadOnlyForTheConsumer() {
        ByteBuffer data = ring.data();
        assertThat(data.isReadOnly()).isTrue();
        assertThat(data.capacity()).isEqualTo(2 * RING);
        assertThatThrownBy(() -> new InMemoryRing(3 * 4096)).isInstanceOf(IllegalArgumentException.class);
    }
}
