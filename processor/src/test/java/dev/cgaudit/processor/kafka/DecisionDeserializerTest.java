package dev.cgaudit.processor.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.processor.DecisionRecord;
import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.testing.Decisions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The decisions topic's records as the source turns them into decisions and dead letters. */
class DecisionDeserializerTest {

    private final EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);
    private final DecisionDeserializer deserializer = new DecisionDeserializer();

    @Test
    void aDecisionCarriesItsMessageAndTheRoutingFieldsOfItsDecodedEvent() throws Exception {
        for (AttachDecision d : List.of(Decisions.allowedProcsWrite().build(), Decisions.deniedAtOpen().build(),
                Decisions.enforcedClone().setEventId("imported-7").build())) {
            byte[] message = codec.encode(d);
            DecisionRecord record = one(message, 41);
            assertThat(record.deadLetter()).isNull();
            EncodedDecision routed = record.decision();
            assertThat(routed).isEqualTo(EncodedDecision.of(codec.decode(message), message));
            assertThat(routed.message()).isSameAs(message);
            assertThat(routed.eventId()).isEqualTo(d.getEventId());
            assertThat(routed.timestampMicros()).isEqualTo(EventTime.micros(d.getTimestamp()));
        }
    }

    @Test
    void recordsThatDoNotDecodeBecomeDeadLettersWithTheDecodersReason() {
        byte[] valid = codec.encode(Decisions.allowedProcsWrite().build());
        byte[] badMarker = valid.clone();
        badMarker[0] = 0x00;
        byte[] cut = Arrays.copyOf(valid, valid.length - 3);
        byte[] trailing = Arrays.copyOf(valid, valid.length + 1);
        assertDeadLetter(new byte[3], "TRUNCATED_HEADER");
        assertDeadLetter(badMarker, "BAD_MARKER");
        assertDeadLetter(cut, "MALFORMED_BODY");
        assertDeadLetter(trailing, "TRAILING_BYTES");
        assertDeadLetter(null, "TRUNCATED_HEADER");
    }

    private void assertDeadLetter(byte[] message, String reason) {
        DecisionRecord record = one(message, 7);
        assertThat(record.decision()).isNull();
        assertThat(record.deadLetter().reason()).isEqualTo(reason);
        assertThat(record.deadLetter().position()).isEqualTo("cgaudit.decisions-3@7");
    }

    private DecisionRecord one(byte[] message, long offset) {
        List<DecisionRecord> out = new ArrayList<>();
        deserializer.deserialize(new ConsumerRecord<>("cgaudit.decisions", 3, offset, null, message), new Collector<>() {
            @Override
            public void collect(DecisionRecord record) {
                out.add(record);
            }

            @Override
            public void close() {
            }
        });
        assertThat(out).hasSize(1);
        return out.get(0);
    }
}
