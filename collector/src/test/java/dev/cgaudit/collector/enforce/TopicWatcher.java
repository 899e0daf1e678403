package dev.cgaudit.collector.enforce;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.testing.KafkaBrokerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Reads one topic from the beginning as the test goes, keeping every event of one node. */
final class TopicWatcher<T extends SpecificRecord> implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final EventCodec<T> codec;
    private final Predicate<T> ofNode;
    private final List<T> seen = new ArrayList<>();

    private TopicWatcher(KafkaBrokerExtension kafka, Topic topic, Class<T> type, Predicate<T> ofNode) {
        this.consumer = new KafkaConsumer<>(kafka.consumerProperties("watch-" + System.nanoTime()));
        this.codec = EventCodec.of(type);
        this.ofNode = ofNode;
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic.topicName())) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    static TopicWatcher<AttachDecision> decisions(KafkaBrokerExtension kafka, String node) {
        return new TopicWatcher<>(kafka, Topic.DECISIONS, AttachDecision.class, d -> d.getNode().equals(node));
    }

    static TopicWatcher<StatusEvent> status(KafkaBrokerExtension kafka, String node) {
        return new TopicWatcher<>(kafka, Topic.STATUS, StatusEvent.class, s -> s.getNode().equals(node));
    }

    /** Everything of the node read so far, after one more poll. */
    List<T> all() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            try {
                T event = codec.decode(r.value());
                if (ofNode.test(event)) {
                    seen.add(event);
                }
            } catch (Exception e) {
                throw new AssertionError("undecodable record on " + r.topic() + "@" + r.offset(), e);
            }
        }
        return List.copyOf(seen);
    }

    Optional<T> first(Predicate<T> which) {
        return all().stream().filter(which).findFirst();
    }

    Optional<T> latest() {
        List<T> all = all();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    @Override
    public void close() {
        consumer.close();
    }
}
