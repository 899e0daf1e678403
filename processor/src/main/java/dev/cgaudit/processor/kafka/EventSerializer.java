package dev.cgaudit.processor.kafka;

import dev.cgaudit.schema.codec.EventCodec;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/** An event as a Kafka record: the key a function of it, the value single-object Avro. */
public final class EventSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {

    private final String topic;
    private final Class<T> type;
    private final SerializableFunction<T, String> key;
    private transient EventCodec<T> codec;

    public EventSerializer(String topic, Class<T> type, SerializableFunction<T, String> key) {
        this.topic = topic;
        this.type = type;
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T event, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = EventCodec.of(type);
        }
        // Kafka refuses negative timestamps; an element without a usable one gets the broker's clock.
        Long recordTimestamp = timestamp != null && timestamp >= 0 ? timestamp : null;
        return new ProducerRecord<>(topic, null, recordTimestamp, key.apply(event).getBytes(StandardCharsets.UTF_8),
                codec.encode(event));
    }
}
