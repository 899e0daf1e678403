package dev.cgaudit.policy.kafka;

import dev.cgaudit.policy.command.PolicyLogEntry;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@code cgaudit.policy} topic: the log of policy commands, keyed by rule id, each value a
 * {@link PolicyCommand} in Avro single-object encoding ({@link EventCodec}).
 *
 * <p>{@link #readAll} reads the log from the beginning up to the end offsets present when it starts
 * (bounded: records published meanwhile are not waited for); {@link #publish} sends with an
 * idempotent producer and acks=all, and returns only when every command is acknowledged.
 * Clients are opened per call: the CLI calls each once.
 */
public final class PolicyTopic {

    /** The topic name, from the project's topic contract. */
    public static final String NAME = Topic.POLICY.topicName();

    private static final Duration POLL = Duration.ofMillis(200);

    private final String bootstrapServers;
    private final String topic;
    private final Map<String, Object> extraConfig;
    private static final EventCodec<PolicyCommand> CODEC = EventCodec.of(PolicyCommand.class);
    private final EventCodec<PolicyCommand> codec = CODEC;

    public PolicyTopic(String bootstrapServers) {
        this(bootstrapServers, NAME, Map.of());
    }

    /** @param extraConfig client settings added to both consumer and producer (security, client.id, ...) */
    public PolicyTopic(String bootstrapServers, String topic, Map<String, Object> extraConfig) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.extraConfig = Map.copyOf(extraConfig);
    }

    public String topic() {
        return topic;
    }

    /**
     * Every record from the beginning to the end offsets present at the start, ordered by partition
     * then offset (the order within a partition, hence within a rule, is the log's).
     *
     * @throws TopicMissingException when the topic does not exist
     * @throws TimeoutException when the broker does not answer, or the records are not read, within {@code timeout}
     */
    public List<PolicyLogEntry> readAll(Duration timeout) throws TopicMissingException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new TopicMissingException(topic, bootstrapServers);
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, remaining(deadline)));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("read " + records.size() + " records of " + topic + " but not up to the end offsets "
                            + end + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < end.getOrDefault(tp, 0L)) {
                        records.add(record);
                    }
                }
            }
            records.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                    .thenComparingLong(ConsumerRecord::offset));
            return records.stream().map(PolicyTopic::entry).toList();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw timeout("reading " + topic, timeout, e);
        }
    }

    /** Sends the commands in order, each keyed by its rule id, and waits until all are acknowledged. */
    public void publish(List<PolicyCommand> commands, Duration timeout) throws PublishException, TimeoutException {
        List<byte[]> values = commands.stream().map(codec::encode).toList();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(timeout))) {
            publishRaw(producer, commands, values, timeout);
        }
    }

    /**
     * Sends values as they are, bypassing the encoder: for tests and tools that need to put a
     * record on the log exactly as given (a forged or tampered command, undecodable bytes).
     */
    public void publishRaw(String key, byte[] value, Duration timeout) throws PublishException, TimeoutException {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(timeout))) {
            Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value));
            producer.flush();
            await(sent, "record with key " + key, timeout);
        }
    }

    private void publishRaw(KafkaProducer<byte[], byte[]> producer, List<PolicyCommand> commands, List<byte[]> values, Duration timeout)
            throws PublishException, TimeoutException {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            PolicyCommand c = commands.get(i);
            sent.add(producer.send(new ProducerRecord<>(topic, c.getRuleId().getBytes(StandardCharsets.UTF_8), values.get(i))));
        }
        producer.flush();
        for (int i = 0; i < sent.size(); i++) {
            PolicyCommand c = commands.get(i);
            await(sent.get(i), c.getType() + " " + c.getRuleId() + " v" + c.getRuleVersion(), timeout);
        }
    }

    private static void await(Future<RecordMetadata> sent, String what, Duration timeout) throws PublishException, TimeoutException {
        try {
            sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new PublishException("publishing " + what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing " + what, e);
        }
    }

    /** One record of the policy topic as a log entry: decoded, or undecodable with the reason (never thrown). */
    public static PolicyLogEntry entry(ConsumerRecord<byte[], byte[]> record) {
        String position = record.topic() + "-" + record.partition() + "@" + record.offset();
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        try {
            return new PolicyLogEntry.Decoded(position, key, CODEC.decode(record.value()));
        } catch (DecodeException e) {
            return new PolicyLogEntry.Undecodable(position, key, e.getMessage());
        }
    }

    /** Whether the consumer has read every partition up to the given end offsets. */
    public static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }

    private static TimeoutException timeout(String what, Duration timeout, Exception cause) {
        TimeoutException e = new TimeoutException(what + " did not complete within " + timeout
                + " (is a broker reachable at the bootstrap address?): " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(extraConfig);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Reading the policy must never create the topic as a side effect.
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "cgaudit-policy-reader");
        return config;
    }

    private Map<String, Object> producerConfig(Duration timeout) {
        Map<String, Object> config = new HashMap<>(extraConfig);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        int request = (int) Math.min(Integer.MAX_VALUE, Math.max(1_000, timeout.toMillis() / 2));
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, request);
        // delivery.timeout.ms must be at least linger.ms + request.timeout.ms.
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, Math.max(request, timeout.toMillis())));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "cgaudit-policy-writer");
        return config;
    }
}
