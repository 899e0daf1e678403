package dev.cgaudit.sink.consume;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.sink.delivery.DeadLetterFile;
import dev.cgaudit.sink.delivery.Dispatcher;
import dev.cgaudit.sink.delivery.Finding;
import dev.cgaudit.sink.ocsf.OcsfDetectionFinding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code cgaudit.violations} and hands every violation, as a finding, to every target.
 *
 * <p>At least once: a record counts as handled when each target has either taken it or it was
 * written to the dead-letter file. Offsets are committed only for handled records, and only after
 * every target and the dead-letter file were flushed to disk. A crash at any point therefore
 * repeats records (receivers dedupe by violationId) and never skips one. Only committed
 * transactional records are read ({@code isolation.level=read_committed}): a violation from an
 * aborted processor transaction was never raised.
 */
public final class ViolationConsumer implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ViolationConsumer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<byte[], byte[]> consumer;
    private final OcsfDetectionFinding format;
    private final Dispatcher dispatcher;
    private final Duration pollTimeout;
    private final Duration batchBudget;
    private final EventCodec<PolicyViolation> codec = EventCodec.of(PolicyViolation.class);
    private final Counts counts = new Counts();

    /**
     * @param batchBudget how long to work through one poll's records before committing what is
     *     handled and polling again; it plus the longest one record can take (every retry at every
     *     target) must stay below the consumer's {@code max.poll.interval.ms}, or the group would
     *     evict this member mid-batch
     */
    public ViolationConsumer(Consumer<byte[], byte[]> consumer, OcsfDetectionFinding format, Dispatcher dispatcher,
            Duration pollTimeout, Duration batchBudget) {
        this.consumer = consumer;
        this.format = format;
        this.dispatcher = dispatcher;
        this.pollTimeout = pollTimeout;
        this.batchBudget = batchBudget;
    }

    /**
     * Consumer settings for the sink: the group, manual commits, committed transactions only, and a
     * poll interval long enough for a batch whose every record waits out the full retry schedule.
     */
    public static Properties consumerProperties(String bootstrapServers, String groupId, Duration maxPollInterval) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // a new sink group starts at the oldest retained violation: nothing is skipped by default
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
        // a sink that died holds its partitions until its session expires: 10 s, not Kafka's 45 s,
        // so a restarted or standby sink takes over while the SOC still waits for the finding
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(maxPollInterval.toMillis()));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "cgaudit-sink-" + groupId);
        return props;
    }

    /** What happened so far; read from any thread. */
    public Counts counts() {
        return counts;
    }

    /** Counters since start. */
    public static final class Counts {
        private final AtomicLong read = new AtomicLong();
        private final AtomicLong delivered = new AtomicLong();
        private final AtomicLong deadLettered = new AtomicLong();
        private final AtomicLong committedBatches = new AtomicLong();

        public long read() {
            return read.get();
        }

        /** Deliveries (one per record and target). */
        public long delivered() {
            return delivered.get();
        }

        /** Dead letters (one per record and target, or per undecodable record). */
        public long deadLettered() {
            return deadLettered.get();
        }

        public long committedBatches() {
            return committedBatches.get();
        }
    }

    /** Asks {@link #run()} to return soon: the record in hand is not acknowledged, handled ones are. */
    public void stop() {
        dispatcher.stop();
        consumer.wakeup();
    }

    /** Runs until {@link #stop()}; a failure to make deliveries durable ends it with an exception. */
    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topic.VIOLATIONS.topicName()));
            while (!dispatcher.stopping()) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(pollTimeout);
                } catch (WakeupException e) {
                    break;
                }
                Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
                long deadline = System.nanoTime() + batchBudget.toNanos();
                boolean cut = false;
                for (TopicPartition partition : records.partitions()) {
                    for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                        cut = cut || System.nanoTime() - deadline > 0 || dispatcher.stopping();
                        if (cut || !handle(record)) {
                            // the rest of this poll comes again with the next one
                            cut = true;
                            consumer.seek(partition, record.offset());
                            break;
                        }
                        handled.put(partition, new OffsetAndMetadata(record.offset() + 1));
                    }
                }
                if (!handled.isEmpty()) {
                    commit(handled);
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** True when the record was handled; false when the sink is stopping and it was not. */
    private boolean handle(ConsumerRecord<byte[], byte[]> record) {
        counts.read.incrementAndGet();
        DeadLetterFile.Source source = new DeadLetterFile.Source(record.topic(), record.partition(), record.offset());
        try {
            PolicyViolation violation;
            try {
                violation = codec.decode(record.value());
            } catch (DecodeException e) {
                LOG.error("{}-{}@{}: not a PolicyViolation ({}); dead-lettered", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
                dispatcher.deadLetterUndecodable(record.value(), "undecodable: " + e.getMessage(), source);
                counts.deadLettered.incrementAndGet();
                return true;
            }
            Dispatcher.Outcome outcome = dispatcher.dispatch(new Finding(violation.getViolationId(), json(violation)), source);
            counts.delivered.addAndGet(outcome.delivered());
            counts.deadLettered.addAndGet(outcome.deadLettered());
            return outcome.handled();
        } catch (IOException e) {
            // nowhere left to put it: stop before committing past it
            throw new UncheckedIOException("cannot write the dead-letter file " + dispatcher.deadLetters().path(), e);
        }
    }

    private String json(PolicyViolation violation) {
        try {
            return JSON.writeValueAsString(format.map(violation));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the finding of " + violation.getViolationId(), e);
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> handled) {
        try {
            dispatcher.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make deliveries durable; offsets not committed", e);
        }
        try {
            commitSync(handled);
            counts.committedBatches.incrementAndGet();
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved to another member, which starts after our last commit: duplicates, no loss
            LOG.warn("offsets not committed ({}); the new owner of the partitions delivers those records again",
                    e.getMessage());
        }
    }

    private void commitSync(Map<TopicPartition, OffsetAndMetadata> handled) {
        try {
            consumer.commitSync(handled);
        } catch (WakeupException stopping) {
            // stop() woke the consumer while committing; a wakeup fires once, so this one goes through
            consumer.commitSync(handled);
        }
    }
}
