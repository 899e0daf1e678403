package dev.cgaudit.sink.archive;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka records of {@code cgaudit.decisions} (Avro single-object encoding) to AttachDecisions.
 * A record that does not decode is not archived, and never silently: it is logged with its
 * position and counted in the {@code undecodableDecisions} metric; the job goes on, because one
 * bad record must not stop the archive of a fleet.
 */
public final class DecisionDeserializer implements KafkaRecordDeserializationSchema<AttachDecision> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecisionDeserializer.class);

    private transient EventCodec<AttachDecision> codec;
    private transient Counter undecodable;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        codec = EventCodec.of(AttachDecision.class);
        undecodable = context.getMetricGroup().counter("undecodableDecisions");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<AttachDecision> out) {
        try {
            out.collect(codec.decode(record.value()));
        } catch (DecodeException e) {
            undecodable.inc();
            LOG.warn("{}-{}@{}: not an AttachDecision, not archived: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<AttachDecision> getProducedType() {
        return new AvroTypeInfo<>(AttachDecision.class);
    }
}
