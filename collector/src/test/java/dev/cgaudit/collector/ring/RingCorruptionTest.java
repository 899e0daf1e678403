package dev.cgaudit.collector.ring;

import static dev.cgaudit.collector.decode.RecordLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.collector.decode.DecisionDecoder;
import dev.cgaudit.collector.decode.RawDecision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Garbage in the ring: counted, never thrown, and the records after it are still read. */
class RingCorruptionTest {

    private static final int RING = 64 * 1024;

    private final InMemoryRing ring = new InMemoryRing(RING);
    private final DecisionDecoder decoder = new DecisionDecoder();
    private final List<RawDecision> decoded = new ArrayList<>();
    private final RingBufferReader reader = new RingBufferReader(ring,
            record -> decoded.add(decoder.decode(record)));

    /** A well-formed {@code struct cga_decision} from writer {@code tgid}. */
    private static byte[] decision(int tgid) {
        ByteBuffer b = ByteBuffer.allocate(DECISION_SIZE).order(ByteOrder.nativeOrder());
        b.put(HDR_TYPE, (byte) REC_DECISION).put(HDR_VERSION, (byte) ABI_VERSION)
                .putInt(HDR_SIZE, DECISION_SIZE).putLong(HDR_KTIME_NS, 1_000L + tgid)
                .putLong(DST_CGROUP_ID, 42).putInt(WRITER_TGID, tgid).putInt(RET, -13)
                .put(OP, (byte) OP_PROCS_WRITE).put(STAGE, (byte) STAGE_WRITE);
        b.put(WRITER_COMM, "bash".getBytes(StandardCharsets.UTF_8));
        b.put(PATH, "/system.slice".getBytes(StandardCharsets.UTF_8));
        return b.array();
    }

    @Test
    void randomBytesBehindValidHeadersAreDecodeErrors() {
        Random random = new Random(20260228);
        ring.offer(decision(1));
        int garbage = 0;
        for (int i = 0; i < 50; i++) {
            byte[] junk = new byte[1 + random.nextInt(DECISION_SIZE + 64)];
            random.nextBytes(junk);
            // a random type byte of 1 could decode; keep the test about garbage
            junk[0] = (byte) (REC_DECISION + 1 + random.nextInt(200));
            garbage++;
            ring.offer(junk);
        }
        ring.offer(decision(2));

        ConsumeResult result = reader.consume();

        assertThat(result.decodeErrors()).isEqualTo(garbage);
        assertThat(result.handlerErrors()).isZero();
        assertThat(result.consumed()).isEqualTo(2);
        assertThat(decoded).extracting(RawDecision::writerTgid).containsExactly(1, 2);
        assertThat(result.errors()).hasSize(8);
    }

    @Test
    void truncatedRecordsAreDecodeErrors() {
        byte[] whole = decision(3);
        for (int cut : new int[] {0, 1, HEADER_SIZE - 1, HEADER_SIZE, 100, DECISION_SIZE - 1}) {
            byte[] truncated = new byte[cut];
            System.arraycopy(whole, 0, truncated, 0, cut);
            ring.offer(truncated);
        }
        ring.offer(whole);

        ConsumeResult result = reader.consume();

        assertThat(result.decodeErrors()).isEqualTo(6);
        assertThat(decoded).extracting(RawDecision::writerTgid).containsExactly(3);
    }

    @Test
    void anAbsurdLengthIsACorruptionAndTheReaderResynchronisesAtTheProducer() {
        ring.offer(decision(4));
        int bad = ring.reserve(DECISION_SIZE);
        ring.put(bad, decision(5), 0, DECISION_SIZE);
        ring.overwriteHeader(bad, 0x3FFF_FFF0);
        ring.offer(decision(6));
        long skipped = ring.producerPosition() - (bad - RingLayout.HEADER_SIZE);

        ConsumeResult result = reader.consume();

        assertThat(result.corruptions()).isEqualTo(1);
        assertThat(result.lostBytes()).isEqualTo(skipped);
        assertThat(result.errors()).singleElement().isInstanceOf(RingCorruptionException.class);
        assertThat(ring.consumerPosition()).isEqualTo(ring.producerPosition());
        assertThat(decoded).extracting(RawDecision::writerTgid).containsExactly(4);

        ring.offer(decision(7));
        assertThat(reader.consume().consumed()).isEqualTo(1);
        assertThat(decoded).extracting(RawDecision::writerTgid).containsExactly(4, 7);
    }

    @Test
    void aRecordReachingPastTheProducerPositionIsACorruption() {
        int bad = ring.reserve(16);
        // plausible for the ring, but longer than what was reserved
        ring.overwriteHeader(bad, 4000);

        ConsumeResult result = reader.consume();

        assertThat(result.corruptions()).isEqualTo(1);
        assertThat(result.lostBytes()).isEqualTo(24);
        assertThat(ring.consumerPosition()).isEqualTo(24);

        ring.offer(decision(8));
        assertThat(reader.consume().consumed()).isEqualTo(1);
        assertThat(decoded).extracting(RawDecision::writerTgid).containsExactly(8);
        assertThat(reader.totals().corruptions()).isEqualTo(1);
    }

    @Test
    void aProducerPositionMoreThanARingAheadIsACorruptionAndNothingBeforeItIsRead() {
        ring.offer(decision(9));
        // the kernel never lets the producer run a whole ring ahead of the consumer; the fast loop
        // relies on that to bound every record, so a position that breaks it is not trusted
        long producer = RingAccess.address(ring.producerPage(), Long.BYTES);
        long claimed = 2L * RING;
        RingAccess.UNSAFE.putLongVolatile(null, producer, claimed);

        ConsumeResult result = reader.consume();

        assertThat(result.corruptions()).isEqualTo(1);
        assertThat(result.lostBytes()).isEqualTo(claimed);
        assertThat(result.errors()).singleElement().satisfies(e ->
                assertThat(e).hasMessageContaining("producer position more than a ring ahead"));
        assertThat(decoded).isEmpty();
        assertThat(ring.consumerPosition()).isEqualTo(claimed);
    }

    @Test
    void aLengthOfTheWholeRingIsRejectedBeforeAnyRead() {
        int bad = ring.reserve(8);
        ring.overwriteHeader(bad, RING);

        ConsumeResult result = reader.consume();

        assertThat(result.corruptions()).isEqualTo(1);
        assertThat(result.records()).isZero();
    }
}
