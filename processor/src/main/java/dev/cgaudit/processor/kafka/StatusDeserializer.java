package dev.cgaudit.processor.kafka;

import dev.cgaudit.schema.Component;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collector statuses from {@code cgaudit.status}. The processor writes to the same topic; its own
 * records (and sinks') are skipped. A record that does not decode is counted and logged, never fatal.
 */
public final class StatusDeserializer implements KafkaRecordDeserializationSchema<StatusEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(StatusDeserializer.class);

    private transient EventCodec<StatusEvent> codec;
    private transient Counter undecodable;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        codec = EventCodec.of(StatusEvent.class);
        undecodable = context.getMetricGroup().counter("undecodableStatuses");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<StatusEvent> out) {
        try {
            StatusEvent status = codec.decode(record.value());
            if (status.getComponent() == Component.COLLECTOR) {
                out.collect(status);
            }
        } catch (DecodeException | RuntimeException e) {
            undecodable.inc();
            LOG.warn("status record {}-{}@{} skipped: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<StatusEvent> getProducedType() {
        return TypeInformation.of(StatusEvent.class);
    }
}
