package dev.cgaudit.processor;

import static org.awaitility.Awaitility.await;

import dev.cgaudit.policy.command.CommandSigner;
import dev.cgaudit.policy.command.KeyFiles;
import dev.cgaudit.policy.command.SigningKey;
import dev.cgaudit.processor.policy.TrustedKeys;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.testing.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One live setup on the class's broker: its own topics (behind a prefix), an operator key in a
 * trust directory, the live job on the test's MiniCluster, and read_committed readers.
 */
public final class Testbed implements AutoCloseable {

    /**
     * Idleness is the live job's one concession to non-determinism: a partition silent that long has its
     * watermark run on with the silence, and its records behind that are late. Reading a backlog on two busy cores,
     * a split can stall for a second; five keep the comparison honest without slowing the tests much.
     */
    public static final ProcessorSettings SETTINGS = ProcessorSettings.DEFAULTS
            .withOutOfOrderness(Duration.ofSeconds(2)).withIdleness(Duration.ofSeconds(5));

    /** Violations are committed with each checkpoint: read_committed readers see them this much later. */
    public static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(500);

    private final KafkaBrokerExtension kafka;
    public final Topics topics;
    public final Path trustDir;
    public final Path keyFile;
    public final CommandSigner signer;
    private final Path checkpoints;
    private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
    private JobClient job;

    public Testbed(KafkaBrokerExtension kafka, String prefix, Path dir) throws Exception {
        this.kafka = kafka;
        this.topics = Topics.prefixed(prefix);
        if (!prefix.isEmpty()) {   // the contract's own topics exist already: the extension made them
            kafka.createTopic(topics.decisions(), 3, Topic.DECISIONS.configs());
            kafka.createTopic(topics.policy(), 1, Topic.POLICY.configs());
            kafka.createTopic(topics.status(), 1, Topic.STATUS.configs());
            kafka.createTopic(topics.violations(), 3, Topic.VIOLATIONS.configs());
        }
        KeyPair pair = KeyFiles.generate();
        this.trustDir = dir.resolve("trust");
        KeyFiles.write(pair, dir.resolve("keys"), "alice");
        Files.createDirectories(trustDir);
        Files.copy(dir.resolve("keys/alice.pub"), trustDir.resolve("alice.pub"));
        this.keyFile = dir.resolve("keys/alice.key");
        this.checkpoints = dir.resolve("checkpoints");
        this.signer = new CommandSigner(SigningKey.load(keyFile));
    }

    public void publishPolicy(List<PolicyCommand> commands) throws Exception {
        EventCodec<PolicyCommand> codec = EventCodec.of(PolicyCommand.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (PolicyCommand c : commands) {
                producer.send(new ProducerRecord<>(topics.policy(), key(c.getRuleId()), codec.encode(c))).get();
            }
        }
    }

    public void publishDecisions(List<AttachDecision> decisions) throws Exception {
        EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (AttachDecision d : decisions) {
                producer.send(new ProducerRecord<>(topics.decisions(), key(d.getNode()), codec.encode(d)));
            }
            producer.flush();
        }
    }

    public void publishRaw(String topic, Integer partition, String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            producer.send(new ProducerRecord<>(topic, partition, key(key), value)).get();
        }
    }

    /** Starts the live job as `cgaudit processor` would, with a short checkpoint interval and no restarts. */
    public JobClient startLiveJob(String name) throws Exception {
        Configuration conf = new Configuration();
        // A failure must fail the job, not restart it quietly: the tests assert it kept running.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        LiveJob.define(env, new LiveJob.Config(kafka.bootstrapServers(), topics, "processor-" + name, "cgaudit-" + name,
                TrustedKeys.load(trustDir), SETTINGS, CHECKPOINT_INTERVAL, checkpoints.toUri().toString(),
                LiveJob.policyEndOffsets(kafka.bootstrapServers(), topics.policy(), Duration.ofSeconds(10))));
        job = env.executeAsync("cgaudit processor " + name);
        return job;
    }

    public KafkaConsumer<byte[], byte[]> reader(String topic) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties("reader-" + topic + "-" + consumers.size()));
        consumer.subscribe(List.of(topic));
        consumers.add(consumer);
        return consumer;
    }

    /** Polls once and decodes; read_committed, so only violations of completed checkpoints. */
    public static <T extends org.apache.avro.specific.SpecificRecord> List<T> poll(KafkaConsumer<byte[], byte[]> consumer, Class<T> type) {
        EventCodec<T> codec = EventCodec.of(type);
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            try {
                out.add(codec.decode(r.value()));
            } catch (dev.cgaudit.schema.codec.DecodeException e) {
                throw new AssertionError("undecodable record on " + r.topic(), e);
            }
        }
        return out;
    }

    public List<PolicyViolation> awaitViolations(KafkaConsumer<byte[], byte[]> consumer, List<PolicyViolation> seen,
                                                 java.util.function.Predicate<List<PolicyViolation>> enough, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            seen.addAll(poll(consumer, PolicyViolation.class));
            return enough.test(seen);
        });
        return seen;
    }

    public List<StatusEvent> awaitStatuses(KafkaConsumer<byte[], byte[]> consumer, List<StatusEvent> seen,
                                           java.util.function.Predicate<List<StatusEvent>> enough, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            seen.addAll(poll(consumer, StatusEvent.class));
            return enough.test(seen);
        });
        return seen;
    }

    private static byte[] key(String key) {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        consumers.forEach(KafkaConsumer::close);
        if (job != null) {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }
}
