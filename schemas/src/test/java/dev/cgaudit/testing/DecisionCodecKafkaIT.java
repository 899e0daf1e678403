package dev.cgaudit.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** AttachDecisions travel through a real broker in single-object encoding and come back equal. */
class DecisionCodecKafkaIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private final EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);

    @Test
    void decisionsProducedWithTheCodecAreConsumedBackEqualAndInOrderPerNode() throws Exception {
        List<AttachDecision> sent = new ArrayList<>();
        for (int seq = 0; seq < 200; seq++) {
            AttachDecision.Builder b = (seq % 3 == 0 ? Decisions.deniedAtOpen()
                    : seq % 3 == 1 ? Decisions.allowedProcsWrite() : Decisions.enforcedClone());
            String node = "node-" + (seq % 4);
            sent.add(b.setNode(node).setSeq(seq).setEventId(node + "/boot/" + seq)
                    .setTimestamp(Decisions.BEGINNING.plusMillis(seq)).build());
        }
        String topic = Topic.DECISIONS.topicName();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.producerProperties())) {
            for (AttachDecision d : sent) {
                producer.send(new ProducerRecord<>(topic, d.getNode().getBytes(StandardCharsets.UTF_8), codec.encode(d)))
                        .get();
            }
        }

        List<AttachDecision> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.consumerProperties("codec-it"))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    AttachDecision d = codec.decode(r.value());
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(d.getNode());
                    received.add(d);
                }
            }
        }

        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
        // Keyed by node, so each node's decisions keep their order across partitions.
        for (int n = 0; n < 4; n++) {
            String node = "node-" + n;
            assertThat(received.stream().filter(d -> d.getNode().equals(node)).map(AttachDecision::getSeq).toList())
                    .isSorted();
        }
    }
}
