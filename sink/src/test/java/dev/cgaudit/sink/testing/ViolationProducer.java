package dev.cgaudit.sink.testing;

import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.testing.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes violations to {@code cgaudit.violations} the way the processor does: transactionally,
 * keyed by rule id. Remembers the last offset written per partition, for offset checks.
 */
public final class ViolationProducer implements AutoCloseable {

    private static final EventCodec<PolicyViolation> CODEC = EventCodec.of(PolicyViolation.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<TopicPartition, Long> lastOffsets = new HashMap<>();

    public ViolationProducer(KafkaBrokerExtension kafka) {
        Properties props = kafka.producerProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-processor-" + UUID.randomUUID());
        producer = new KafkaProducer<>(props);
        producer.initTransactions();
    }

    /** One committed transaction. */
    public void commit(List<PolicyViolation> violations) throws Exception {
        send(violations, true);
    }

    /** One aborted transaction: a read_committed reader must never see these. */
    public void abort(List<PolicyViolation> violations) throws Exception {
        send(violations, false);
    }

    /** Bytes that are no PolicyViolation, in a committed transaction. */
    public void commitGarbage(String text) throws Exception {
        producer.beginTransaction();
        RecordMetadata m = producer.send(new ProducerRecord<>(Topic.VIOLATIONS.topicName(),
                "garbage".getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8))).get();
        remember(m);
        producer.commitTransaction();
    }

    public Map<TopicPartition, Long> lastOffsets() {
        return Map.copyOf(lastOffsets);
    }

    private void send(List<PolicyViolation> violations, boolean commit) throws Exception {
        producer.beginTransaction();
        for (PolicyViolation v : violations) {
            RecordMetadata m = producer.send(new ProducerRecord<>(Topic.VIOLATIONS.topicName(),
                    v.getRuleId().getBytes(StandardCharsets.UTF_8), CODEC.encode(v))).get();
            if (commit) {
                remember(m);
            }
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private void remember(RecordMetadata m) {
        lastOffsets.merge(new TopicPartition(m.topic(), m.partition()), m.offset(), Math::max);
    }

    @Override
    public void close() {
        producer.close();
    }
}
