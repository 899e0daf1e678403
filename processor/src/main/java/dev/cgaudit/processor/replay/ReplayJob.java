package dev.cgaudit.processor.replay;

import dev.cgaudit.processor.DecisionJob;
import dev.cgaudit.processor.DecisionRecord;
import dev.cgaudit.processor.EncodedDecision;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.JobDescriptors;
import dev.cgaudit.processor.ProcessorSettings;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.processor.functions.DeadLetterSplitter;
import dev.cgaudit.processor.functions.KeyArrival;
import dev.cgaudit.processor.kafka.DecisionDeserializer;
import dev.cgaudit.processor.kafka.StatusDeserializer;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.StatusEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.connector.base.source.reader.SourceReaderOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The replay wiring around {@link DecisionJob}: bounded decisions (files, or a Kafka time range),
 * the given rule changes, RuntimeExecutionMode.BATCH, and the violations handed back here (as objects
 * where the tasks run in this JVM, {@link ViolationHandoff}; through Flink's collect sink elsewhere).
 * In BATCH the broadcast rules are read before any decision, and every key's events are released
 * in the same order the live job releases them: the same violations, with the same ids.
 */
public final class ReplayJob {

    /** Event-time range, from inclusive, to exclusive; either end open. */
    public record Range(Optional<Instant> from, Optional<Instant> to) {
        public static final Range ALL = new Range(Optional.empty(), Optional.empty());

        boolean contains(Instant t) {
            return from.map(f -> !t.isBefore(f)).orElse(true) && to.map(t::isBefore).orElse(true);
        }
    }

    /**
     * The stream timestamp of every replayed decision: one constant, not the decision's event time.
     * BATCH sorts a keyed input by key, then by stream timestamp, and its sorter's normalized key (8
     * bytes: a node's key bytes and only the top bytes of the timestamp) cannot tell two decisions of one
     * node apart, so with event times each of the ~log n comparisons inside a node's group deserializes
     * both records (a third of a replay's samples). With equal timestamps the sort's three-way partition
     * puts a node's group together in one pass. Nothing reads the stream timestamp: the router orders a
     * node's decisions itself, by their own timestamp, boot, seq and id (EncodedDecision.ORDER), as the
     * live job does.
     */
    static final long SORT_TIMESTAMP = 0L;

    /**
     * How long a file source's reader waits for its split fetchers when it closes (Flink's default:
     * 30 s). The sink's archive is one file per node and day, so a replay of it is hundreds of splits,
     * and FileSource starts a fetcher per split and shuts it down when idle. Some of those shutdowns
     * never end (FLINK-40660: the fetcher's synchronization batch is dropped when the element queue is
     * full, and it waits for its recycling forever), and each reader waited out the whole default for
     * them: every archive replay took 30 s longer than its work. A healthy fetcher has long exited by
     * the time its reader closes, so a second is plenty; a stuck one stays parked, holding no file.
     */
    static final long SOURCE_CLOSE_TIMEOUT_MS = 1_000L;

    private ReplayJob() {
    }

    /**
     * Where a replay runs: this JVM's MiniCluster (or the context's environment when submitted to a
     * cluster), with {@code config} on top. Shuffle data is not compressed: in a local replay it never
     * leaves the machine, and LZ4 on BATCH's blocking shuffle was about a tenth of the router's time.
     * A source's reader waits {@link #SOURCE_CLOSE_TIMEOUT_MS} for its fetchers, not Flink's 30 s.
     */
    public static StreamExecutionEnvironment environment(int parallelism, Configuration config) {
        Configuration withDefaults = new Configuration();
        withDefaults.set(NettyShuffleEnvironmentOptions.SHUFFLE_COMPRESSION_CODEC,
                NettyShuffleEnvironmentOptions.CompressionCodec.NONE);
        withDefaults.set(SourceReaderOptions.SOURCE_READER_CLOSE_TIMEOUT, SOURCE_CLOSE_TIMEOUT_MS);
        withDefaults.addAll(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(withDefaults);
        env.setParallelism(parallelism);
        return env;
    }

    /** Runs the replay to the end and returns the violations ordered by first seen, then id. */
    public static List<PolicyViolation> run(StreamExecutionEnvironment env, ReplayInput input, List<RuleChange> policy,
                                            Range range, ProcessorSettings settings) throws Exception {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        DecisionJob.configure(env);
        DataStream<EncodedDecision> decisions;
        DataStream<StatusEvent> statuses;
        if (input instanceof ReplayInput.Files files) {
            FileSource<EncodedDecision> source = FileSource.forBulkFileFormat(new DecisionFileFormat(),
                    files.paths().stream().map(p -> new Path(p.toUri())).toArray(Path[]::new)).build();
            decisions = env.fromSource(source, WatermarkStrategy.<EncodedDecision>noWatermarks()
                    .withTimestampAssigner((d, ts) -> SORT_TIMESTAMP), "decision files").uid("replay-files");
            statuses = null;   // files hold decisions only
        } else {
            ReplayInput.Kafka kafka = (ReplayInput.Kafka) input;
            decisions = env.fromSource(kafkaRange(kafka, kafka.decisionsTopic(), new DecisionDeserializer(), range),
                            WatermarkStrategy.<DecisionRecord>noWatermarks()
                                    .withTimestampAssigner((r, ts) -> SORT_TIMESTAMP),
                            "decisions from " + kafka.decisionsTopic())
                    .uid("replay-kafka-decisions")
                    .process(new DeadLetterSplitter()).name("decode decisions, split dead letters");
            statuses = env.fromSource(kafkaRange(kafka, kafka.statusTopic(), new StatusDeserializer(), range),
                            WatermarkStrategy.<StatusEvent>noWatermarks()
                                    .withTimestampAssigner((s, ts) -> s.getTimestamp().toEpochMilli()),
                            "statuses from " + kafka.statusTopic())
                    .uid("replay-kafka-statuses")
                    .filter(s -> range.contains(s.getTimestamp())).name("statuses in range");
        }
        if (!range.equals(Range.ALL)) {
            decisions = decisions.filter(d -> range.contains(EventTime.instant(d.timestampMicros()))).name("decisions in range");
        }
        DataStream<RuleChange> rules = env.fromData(policy, JobDescriptors.RULE_CHANGE).name("policy");
        DataStream<PolicyViolation> violations = DecisionJob.correlate(decisions, rules, statuses, settings, false,
                KeyArrival.WHOLE_KEY_FIRST);

        List<PolicyViolation> collected = new ArrayList<>();
        if (ViolationHandoff.runsHere(env.getConfiguration())) {
            try (ViolationHandoff handoff = new ViolationHandoff()) {
                violations.sinkTo(handoff.sink()).name("violations to this JVM").uid("replay-violations");
                env.execute("cgaudit replay");
                collected.addAll(handoff.violations());
            }
        } else {
            try (CloseableIterator<PolicyViolation> it = violations.executeAndCollect("cgaudit replay")) {
                it.forEachRemaining(collected::add);
            }
        }
        collected.sort(Comparator.comparing(PolicyViolation::getFirstSeen).thenComparing(PolicyViolation::getViolationId));
        return collected;
    }

    private static <T> KafkaSource<T> kafkaRange(ReplayInput.Kafka kafka, String topic,
                                                 org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema<T> deserializer,
                                                 Range range) {
        long margin = kafka.margin().toMillis();
        return KafkaSource.<T>builder()
                .setBootstrapServers(kafka.bootstrap())
                .setTopics(topic)
                .setStartingOffsets(range.from().map(f -> OffsetsInitializer.timestamp(Math.max(0, f.toEpochMilli() - margin)))
                        .orElse(OffsetsInitializer.earliest()))
                .setBounded(range.to().map(t -> OffsetsInitializer.timestamp(t.toEpochMilli() + margin))
                        .orElse(OffsetsInitializer.latest()))
                .setDeserializer(deserializer)
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .build();
    }
}
