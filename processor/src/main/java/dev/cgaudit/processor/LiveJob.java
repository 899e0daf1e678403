package dev.cgaudit.processor;

import dev.cgaudit.processor.functions.DeadLetterSplitter;
import dev.cgaudit.processor.functions.KeyArrival;
import dev.cgaudit.processor.kafka.DecisionDeserializer;
import dev.cgaudit.processor.kafka.EventSerializer;
import dev.cgaudit.processor.kafka.PolicyRecordDeserializer;
import dev.cgaudit.processor.kafka.StatusDeserializer;
import dev.cgaudit.processor.policy.PolicyVerifier;
import dev.cgaudit.processor.policy.TrustedKeys;
import dev.cgaudit.schema.Component;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.StatusEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The live wiring around {@link DecisionJob}: Kafka sources for decisions (per-partition watermarks,
 * dead letters), policy (from the earliest offset, verified) and collector statuses; an
 * exactly-once Kafka sink for violations, an at-least-once one for the processor's own statuses
 * (policy command results, dead letters: informational, and read as "latest per key").
 */
public final class LiveJob {

    public static final String DECISIONS_SOURCE_UID = "decisions-source";
    public static final String POLICY_SOURCE_UID = "policy-source";
    public static final String STATUS_SOURCE_UID = "status-source";
    public static final String DEAD_LETTER_UID = "split-dead-letters";
    public static final String VERIFIER_UID = "verify-policy";
    public static final String VIOLATIONS_SINK_UID = "violations-sink";
    public static final String STATUS_SINK_UID = "status-sink";

    /**
     * The policy topic is quiet almost always, and its watermark (the newest issuedAt) would hold every
     * decision back until it is marked idle. It need not: decisions already wait for the policy log at
     * startup (the load gate), and a live command's issuedAt is "now", ahead of the decisions' watermark.
     */
    static final Duration POLICY_IDLENESS = Duration.ofSeconds(1);

    /** Below the broker's default transaction.max.timeout.ms (15 min), so the sink's transactions are accepted. */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

    /**
     * The violations producer's batches: each produce request of a transactional producer costs the
     * broker a transaction check and a log append, and Kafka's default 16 KB batch held about thirty
     * violations (the in-process broker's request handling was 7% of the bench's CPU; a third of
     * that with these). Readers see violations only when a checkpoint commits them
     * (read_committed), so lingering 50 ms delays no one. lz4, as for decisions: the topic keeps a year.
     */
    static final int VIOLATIONS_BATCH_BYTES = 512 * 1024;
    static final Duration VIOLATIONS_LINGER = Duration.ofMillis(50);

    /**
     * @param checkpointDir    where checkpoints go (a URI: file:///..., s3://...); the JobManager's memory
     *                         holds only 5 MB, less than the buffered decisions of a busy fleet
     * @param policyEndOffsets end offsets of the policy topic when the job is built ({@link #policyEndOffsets});
     *                         decisions wait until the verifier has read that far
     */
    public record Config(String bootstrap, Topics topics, String groupId, String transactionalIdPrefix,
                         TrustedKeys trust, ProcessorSettings settings, Duration checkpointInterval,
                         String checkpointDir, Map<Integer, Long> policyEndOffsets) {
        public Config {
            Objects.requireNonNull(bootstrap, "bootstrap");
            Objects.requireNonNull(topics, "topics");
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix");
            Objects.requireNonNull(trust, "trust");
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(checkpointInterval, "checkpointInterval");
            Objects.requireNonNull(checkpointDir, "checkpointDir");
            policyEndOffsets = Map.copyOf(policyEndOffsets);
        }
    }

    private LiveJob() {
    }

    /** Adds the whole live job to {@code env}; run it with {@code env.execute} / {@code executeAsync}. */
    public static void define(StreamExecutionEnvironment env, Config config) {
        Configuration checkpoints = new Configuration();
        checkpoints.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        checkpoints.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        env.configure(checkpoints);
        env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        DecisionJob.configure(env);
        ProcessorSettings settings = config.settings();
        Topics topics = config.topics();

        KafkaSource<DecisionRecord> decisionSource = KafkaSource.<DecisionRecord>builder()
                .setBootstrapServers(config.bootstrap())
                .setTopics(topics.decisions())
                .setGroupId(config.groupId())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new DecisionDeserializer())
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .build();
        SingleOutputStreamOperator<EncodedDecision> decisions = env
                .fromSource(decisionSource, decisionWatermarks(settings), "decisions from " + topics.decisions())
                .uid(DECISIONS_SOURCE_UID)
                .process(new DeadLetterSplitter())
                .uid(DEAD_LETTER_UID).name("decode decisions, split dead letters");

        KafkaSource<PolicyRecord> policySource = KafkaSource.<PolicyRecord>builder()
                .setBootstrapServers(config.bootstrap())
                .setTopics(topics.policy())
                .setGroupId(config.groupId() + "-policy")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new PolicyRecordDeserializer())
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .build();
        SingleOutputStreamOperator<RuleChange> rules = env
                .fromSource(policySource, WatermarkStrategy.<PolicyRecord>forBoundedOutOfOrderness(Duration.ZERO)
                        .withTimestampAssigner((r, kafkaTs) -> r.command() == null ? kafkaTs : r.command().getIssuedAt().toEpochMilli())
                        .withIdleness(POLICY_IDLENESS), "policy from " + topics.policy())
                .uid(POLICY_SOURCE_UID).setParallelism(1)
                .keyBy(r -> PolicyVerifier.KEY)
                .process(new PolicyVerifier(config.trust(), settings.instanceName(), config.policyEndOffsets()))
                .uid(VERIFIER_UID).name("verify policy commands").setParallelism(1);

        KafkaSource<StatusEvent> statusSource = KafkaSource.<StatusEvent>builder()
                .setBootstrapServers(config.bootstrap())
                .setTopics(topics.status())
                .setGroupId(config.groupId() + "-status")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new StatusDeserializer())
                .build();
        DataStream<StatusEvent> statuses = env
                .fromSource(statusSource, WatermarkStrategy.<StatusEvent>forBoundedOutOfOrderness(settings.outOfOrderness())
                        .withTimestampAssigner((s, kafkaTs) -> s.getTimestamp().toEpochMilli())
                        .withIdleness(settings.idleness()), "collector statuses from " + topics.status())
                .uid(STATUS_SOURCE_UID).setParallelism(1);

        boolean awaitPolicy = config.policyEndOffsets().values().stream().anyMatch(end -> end > 0);
        DataStream<PolicyViolation> violations = DecisionJob.correlate(decisions, rules, statuses, settings, awaitPolicy,
                KeyArrival.NEARLY_ORDERED);

        violations.sinkTo(KafkaSink.<PolicyViolation>builder()
                        .setBootstrapServers(config.bootstrap())
                        .setRecordSerializer(new EventSerializer<>(topics.violations(), PolicyViolation.class, PolicyViolation::getRuleId))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(config.transactionalIdPrefix())
                        .setProperty("transaction.timeout.ms", Long.toString(TRANSACTION_TIMEOUT.toMillis()))
                        .setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(VIOLATIONS_BATCH_BYTES))
                        .setProperty(ProducerConfig.LINGER_MS_CONFIG, Long.toString(VIOLATIONS_LINGER.toMillis()))
                        .setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                        .build())
                .uid(VIOLATIONS_SINK_UID).name("violations to " + topics.violations());

        String instance = settings.instanceName();
        DataStream<StatusEvent> deadLetters = decisions.getSideOutput(JobDescriptors.DEAD_LETTERS)
                .map(dead -> deadLetterStatus(dead, instance)).name("dead letters as statuses");
        rules.getSideOutput(JobDescriptors.POLICY_RESULTS).union(deadLetters)
                .sinkTo(KafkaSink.<StatusEvent>builder()
                        .setBootstrapServers(config.bootstrap())
                        .setRecordSerializer(new EventSerializer<>(topics.status(), StatusEvent.class,
                                s -> "processor/" + s.getNode()))
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .build())
                .uid(STATUS_SINK_UID).name("processor status to " + topics.status());
    }

    static WatermarkStrategy<DecisionRecord> decisionWatermarks(ProcessorSettings settings) {
        // A dead letter has no event time: it never moves the partition's watermark nor its silence.
        return SilenceAwareWatermarks.<DecisionRecord>strategy(settings.outOfOrderness(), settings.idleness())
                .withTimestampAssigner((r, kafkaTs) -> r.decision() == null ? SilenceAwareWatermarks.NO_TIMESTAMP : r.decision().millis());
    }

    static StatusEvent deadLetterStatus(DeadLetter dead, String instance) {
        return StatusEvent.newBuilder()
                .setComponent(Component.PROCESSOR)
                .setNode(instance)
                .setTimestamp(Instant.ofEpochMilli(Math.max(0, dead.kafkaTimestampMillis())))
                .setDecodeErrors(1)
                .setMessage("dead letter " + dead.position() + ": " + dead.detail())
                .build();
    }

    /** End offsets of the policy topic's partitions now; an empty log gives zeros (nothing to wait for). */
    public static Map<Integer, Long> policyEndOffsets(String bootstrap, String topic, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist at " + bootstrap);
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<Integer, Long> ends = new HashMap<>();
            consumer.endOffsets(partitions, timeout).forEach((tp, end) -> ends.put(tp.partition(), end));
            return ends;
        }
    }
}
