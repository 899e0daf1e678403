package dev.cgaudit.sink.archive;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Topic;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.AvroBuilder;
import org.apache.flink.formats.avro.AvroWriterFactory;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The decision archive: every decision of {@code cgaudit.decisions} into Avro object container
 * files under {@link ArchiveLayout}. Files roll on every checkpoint and become visible (renamed
 * from a hidden in-progress name) only when that checkpoint completes, so a reader never sees a
 * half-written file, and checkpointing must be on.
 *
 * <p>Source and sink are parameters of {@link #build} so tests and other run modes can swap
 * either; {@link #kafkaSource} and {@link #fileSink} are the production ones.
 */
public final class ArchiveJob {

    public static final String SOURCE_UID = "archive-decisions-source";
    public static final String SINK_UID = "archive-avro-files";

    private ArchiveJob() {
    }

    /** Adds source → sink to {@code env}. */
    public static DataStreamSink<AttachDecision> build(StreamExecutionEnvironment env,
            Source<AttachDecision, ?, ?> source, Sink<AttachDecision> sink) {
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "cgaudit.decisions")
                .uid(SOURCE_UID)
                .name("cgaudit.decisions")
                .sinkTo(sink)
                .uid(SINK_UID)
                .name("avro archive");
    }

    /**
     * Reads {@code cgaudit.decisions} as group {@code groupId}, committed transactions only. A new
     * group starts at the earliest retained decision; offsets are committed to Kafka on checkpoints
     * (for monitoring lag; a restart restores them from the checkpoint).
     *
     * @param bounded stop at the offsets that are latest when the job starts (tests, backfills)
     */
    public static KafkaSource<AttachDecision> kafkaSource(String bootstrapServers, String groupId, boolean bounded) {
        KafkaSourceBuilder<AttachDecision> builder = KafkaSource.<AttachDecision>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(Topic.DECISIONS.topicName())
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new DecisionDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("client.id.prefix", "cgaudit-archive-" + groupId);
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Avro object container files (deflate-compressed, writer schema = AttachDecision's) in
     * {@code date=/node=} buckets, rolled on every checkpoint.
     */
    public static FileSink<AttachDecision> fileSink(Path dir) {
        return FileSink.forBulkFormat(new org.apache.flink.core.fs.Path(dir.toAbsolutePath().toUri()), avroWriter())
                .withBucketAssigner(new DecisionBucketAssigner())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder()
                        .withPartPrefix(ArchiveLayout.PART_PREFIX)
                        .withPartSuffix(ArchiveLayout.PART_SUFFIX)
                        .build())
                .build();
    }

    /** Like flink-avro's {@code AvroWriters.forSpecificRecord}, but each file as {@link ArchiveLayout#fileWriter} writes it. */
    static AvroWriterFactory<AttachDecision> avroWriter() {
        AvroBuilder<AttachDecision> builder = ArchiveLayout::fileWriter;
        return new AvroWriterFactory<>(builder);
    }
}
