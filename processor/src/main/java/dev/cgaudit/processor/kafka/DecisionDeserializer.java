package dev.cgaudit.processor.kafka;

import dev.cgaudit.processor.DeadLetter;
import dev.cgaudit.processor.DecisionRecord;
import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.schema.codec.FieldsReader;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Never throws: every record becomes a decision or a dead letter naming its position and reason. A
 * decision is checked here as decoding checks it, but only its routing fields are built; it travels
 * on as the record's bytes ({@link EncodedDecision}) and is decoded where it is evaluated.
 */
public final class DecisionDeserializer implements KafkaRecordDeserializationSchema<DecisionRecord> {

    private transient FieldsReader<AttachDecision> routing;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecisionRecord> out) {
        if (routing == null) {
            routing = EventCodec.of(AttachDecision.class).fieldsReader(EncodedDecision.ROUTING_FIELDS);
        }
        try {
            byte[] message = record.value();
            out.collect(DecisionRecord.decoded(EncodedDecision.routed(routing.read(message), message)));
        } catch (DecodeException e) {
            out.collect(DecisionRecord.failed(new DeadLetter(record.topic(), record.partition(), record.offset(),
                    record.timestamp(), e.reason().name(), e.getMessage())));
        } catch (RuntimeException e) {
            // The codec turns bad bytes into DecodeException; anything else is still this record's fault.
            out.collect(DecisionRecord.failed(new DeadLetter(record.topic(), record.partition(), record.offset(),
                    record.timestamp(), "UNEXPECTED", e.toString())));
        }
    }

    @Override
    public TypeInformation<DecisionRecord> getProducedType() {
        return TypeInformation.of(DecisionRecord.class);
    }
}
