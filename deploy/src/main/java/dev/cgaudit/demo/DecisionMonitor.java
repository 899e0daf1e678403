package dev.cgaudit.demo;

import dev.cgaudit.policy.Subtree;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.DecodeException;
import dev.cgaudit.schema.codec.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches {@code cgaudit.decisions} as the processor sees it: counts decisions for the status
 * line, remembers recent ones so a finding line can name its writer (a violation carries only
 * decision ids), and keeps the scratch subtree's decisions when a trace is being recorded.
 */
final class DecisionMonitor implements AutoCloseable {

    /** Enough for a demo's worth of decisions; older ones only lose their writer in finding lines. */
    private static final int REMEMBERED = 50_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);
    private final AtomicLong count = new AtomicLong();
    private final Map<String, AttachDecision> recent = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AttachDecision> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final Optional<Subtree> recordUnder;
    private final List<AttachDecision> recorded = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;

    /** @param recordUnder keep every decision that touches this cgroup subtree (for {@code --record-trace}) */
    DecisionMonitor(String bootstrap, Optional<Subtree> recordUnder) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "cgaudit-demo-monitor");
        this.consumer = new KafkaConsumer<>(props);
        this.recordUnder = recordUnder;
        this.thread = new Thread(this::run, "cgaudit-demo-monitor");
        this.thread.setDaemon(true);
    }

    void start() {
        // assigned, not subscribed: no group, every partition from the start, no rebalance to wait for
        List<TopicPartition> partitions = consumer.partitionsFor(Topic.DECISIONS.topicName(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread.start();
    }

    long count() {
        return count.get();
    }

    synchronized Optional<AttachDecision> lookup(String eventId) {
        return Optional.ofNullable(recent.get(eventId));
    }

    /** The scratch subtree's decisions so far, in arrival order. */
    synchronized List<AttachDecision> recorded() {
        return List.copyOf(recorded);
    }

    private void run() {
        try {
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        remember(codec.decode(record.value()));
                    } catch (DecodeException e) {
                        // the processor reports dead letters; the monitor only counts decisions
                    }
                }
            }
        } catch (WakeupException stopped) {
            // close() asked us to stop
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private synchronized void remember(AttachDecision decision) {
        count.incrementAndGet();
        recent.put(decision.getEventId(), decision);
        if (recordUnder.isPresent() && touches(decision, recordUnder.get())) {
            recorded.add(decision);
        }
    }

    /** Whether the writer, the source or the destination lies in {@code subtree}. */
    static boolean touches(AttachDecision d, Subtree subtree) {
        return in(subtree, d.getWriter().getCgroupPath()) || in(subtree, d.getSource()) || in(subtree, d.getDestination());
    }

    private static boolean in(Subtree subtree, CgroupRef ref) {
        return ref != null && in(subtree, ref.getPath());
    }

    private static boolean in(Subtree subtree, String path) {
        return path != null && subtree.contains(path);
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        consumer.wakeup();
        thread.join(5_000);
    }
}
