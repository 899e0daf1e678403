package dev.cgaudit.processor.kafka;

import dev.cgaudit.processor.PolicyRecord;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Policy records with their key and position; undecodable ones go on too, to be rejected visibly. */
public final class PolicyRecordDeserializer implements KafkaRecordDeserializationSchema<PolicyRecord> {

    private transient EventCodec<PolicyCommand> codec;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<PolicyRecord> out) {
        if (codec == null) {
            codec = EventCodec.of(PolicyCommand.class);
        }
        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        String position = record.topic() + "-" + record.partition() + "@" + record.offset();
        try {
            out.collect(new PolicyRecord(key, codec.decode(record.value()), null, record.partition(), record.offset(), position,
                    record.timestamp()));
        } catch (DecodeException | RuntimeException e) {
            out.collect(new PolicyRecord(key, null, e.getMessage(), record.partition(), record.offset(), position,
                    record.timestamp()));
        }
    }

    @Override
    public TypeInformation<PolicyRecord> getProducedType() {
        return TypeInformation.of(PolicyRecord.class);
    }
}
