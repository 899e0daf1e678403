package dev.cgaudit.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import dev.cgaudit.embedded.EmbeddedKafkaBroker;
import dev.cgaudit.schema.Topic;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node Kafka (KRaft, broker and controller in one process) for the tests of a class,
 * with the four cgaudit {@link Topic}s created with their configs.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
 * }</pre>
 *
 * The broker starts before the class's first test, in a fresh temporary directory on free loopback
 * ports, and is stopped, its directory deleted, after the last. {@link #stop()} and {@link #start()}
 * in between restart it on the same port and data, as a broker restart in production would.
 * Register it on a {@code static} field: an instance field would never see {@code beforeAll}.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final Map<Topic, Integer> partitions = new EnumMap<>(Map.of(
            Topic.DECISIONS, 3,
            Topic.POLICY, 1,
            Topic.VIOLATIONS, 3,
            Topic.STATUS, 1));
    private final Map<String, String> brokerConfig = new HashMap<>();

    private Path dataDir;
    private EmbeddedKafkaBroker broker;
    private Admin admin;
    /** beforeAll runs again for each @Nested class; only the outermost class owns the broker. */
    private int classDepth;

    /** Partitions to create {@code topic} with (defaults: 3 for decisions and violations, 1 otherwise). */
    public KafkaBrokerExtension withPartitions(Topic topic, int count) {
        requireNotStarted();
        if (count < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + count + " for " + topic);
        }
        partitions.put(topic, count);
        return this;
    }

    /** A broker config ({@code server.properties} key) that replaces this extension's default. */
    public KafkaBrokerExtension withBrokerConfig(String key, String value) {
        requireNotStarted();
        brokerConfig.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (classDepth++ > 0) {
            return;
        }
        dataDir = Files.createTempDirectory("cgaudit-kafka-");
        broker = new EmbeddedKafkaBroker(dataDir, brokerConfig);
        broker.start();
        for (Topic topic : Topic.values()) {
            createTopic(topic.topicName(), partitions.get(topic), topic.configs());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--classDepth > 0 || broker == null) {
            return;
        }
        try {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
                admin = null;
            }
        } finally {
            try {
                broker.stop();
            } finally {
                broker = null;
                deleteRecursively(dataDir);
            }
        }
    }

    /** {@code host:port} of the broker's client listener; stable across {@link #stop()}/{@link #start()}. */
    public String bootstrapServers() {
        return requireBroker().bootstrapServers();
    }

    /** The directory holding the broker's logs and metadata; deleted after the test class. */
    public Path dataDir() {
        requireBroker();
        return dataDir;
    }

    /**
     * Starts the broker again after {@link #stop()}, on the same port and data, and waits until
     * every existing partition has a leader again. A no-op while it runs.
     */
    public void start() {
        EmbeddedKafkaBroker b = requireBroker();
        if (b.isRunning()) {
            return;
        }
        b.start();
        awaitLeaders(get(adminClient().listTopics().names()));
    }

    /** Stops the broker cleanly; its data stays for {@link #start()}. A no-op while it is stopped. */
    public void stop() {
        requireBroker().stop();
    }

    /** Creates a topic with one replica and waits until all its partitions have a leader. */
    public void createTopic(String name, int partitionCount, Map<String, String> configs) {
        NewTopic topic = new NewTopic(name, partitionCount, (short) 1).configs(configs);
        get(adminClient().createTopics(List.of(topic)).all());
        awaitLeaders(Set.of(name));
    }

    /**
     * An admin client owned by this extension (closed after the test class; do not close it). It
     * reconnects by itself across {@link #stop()}/{@link #start()}.
     */
    public synchronized Admin adminClient() {
        requireBroker();
        if (admin == null) {
            admin = Admin.create(adminProperties());
        }
        return admin;
    }

    public Properties adminProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** Fresh producer properties: bootstrap servers and byte[] serializers (override as needed). */
    public Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /**
     * Fresh consumer properties: bootstrap servers, the group, byte[] deserializers, reading from
     * the earliest offset, and only committed transactional data, as cgaudit's own readers do.
     */
    public Properties consumerProperties(String groupId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    private void awaitLeaders(Collection<String> topics) {
        if (topics.isEmpty()) {
            return;
        }
        await("leaders for " + topics)
                .atMost(READY_TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .until(() -> allPartitionsLed(get(adminClient().describeTopics(topics).allTopicNames())));
    }

    private static boolean allPartitionsLed(Map<String, TopicDescription> descriptions) {
        return descriptions.values().stream()
                .flatMap(d -> d.partitions().stream())
                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    }

    private EmbeddedKafkaBroker requireBroker() {
        if (broker == null) {
            throw new IllegalStateException("The Kafka broker is not started: register KafkaBrokerExtension on a "
                    + "static field with @RegisterExtension, and use it from tests or @BeforeAll/@BeforeEach");
        }
        return broker;
    }

    private void requireNotStarted() {
        if (broker != null) {
            throw new IllegalStateException("Configure KafkaBrokerExtension before its broker starts");
        }
    }

    private static <T> T get(KafkaFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka admin client", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    private static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete the Kafka data directory " + root, e);
        }
    }
}
