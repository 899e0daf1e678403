package dev.cgaudit.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cgaudit.collector.publish.SpoolConfig;
import dev.cgaudit.collector.source.GeneratedSource;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.testing.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery guarantees against a real broker: a broker outage mid-run and a collector killed with
 * SIGKILL lose nothing that reached the spool, and seq stays gap-free.
 */
class CollectorDeliveryIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension().withPartitions(Topic.DECISIONS, 1);

    @TempDir
    Path spoolDir;

    @TempDir
    Path fakeMount;

    private final EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);

    private CollectorConfig config(String node) {
        return new CollectorConfig(KAFKA.bootstrapServers(), node,
                new SpoolConfig(spoolDir, 64L << 20, 1L << 20, SpoolConfig.Fsync.INTERVAL, Duration.ofSeconds(1)),
                CollectorConfig.Sink.KAFKA, Optional.empty(), Optional.empty(), Duration.ofMillis(500), Optional.empty());
    }

    @Test
    void aBrokerOutageMidRunLosesAndDuplicatesNothing() throws Exception {
        String node = "outage-node";
        Collector collector = new Collector(config(node), "boot-1");
        AtomicReference<GeneratedSource> source = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread run = new Thread(() -> {
            try {
                collector.run((nextSeq, metrics) -> {
                    source.set(GeneratedSource.onDemand(node, "boot-1", fakeMount, nextSeq, metrics));
                    return source.get();
                }, new java.io.PrintWriter(System.out, true));
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        run.start();
        await().atMost(30, TimeUnit.SECONDS).until(() -> source.get() != null);

        source.get().release(1000);
        await().atMost(60, TimeUnit.SECONDS).until(() -> collector.metrics().published.sum() >= 1000);

        KAFKA.stop();
        source.get().release(1000);
        // The reader never waits for Kafka: all of it is taken into the spool while the broker is away.
        await().atMost(30, TimeUnit.SECONDS).until(() -> collector.metrics().decisions.sum() == 2000);
        assertThat(collector.metrics().published.sum()).isLessThan(2000);

        KAFKA.start();
        source.get().release(1000);
        await().atMost(120, TimeUnit.SECONDS).until(() -> collector.metrics().published.sum() >= 3000);
        collector.stop();
        run.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(failed.get()).isNull();

        Map<Long, List<AttachDecision>> bySeq = consumeDecisions(node, 3000);
        assertThat(bySeq.keySet()).hasSize(3000);
        assertThat(bySeq.keySet().iterator().next()).isZero();
        assertThat(((TreeMap<Long, List<AttachDecision>>) bySeq).lastKey()).isEqualTo(2999);
        assertThat(bySeq.values()).allSatisfy(copies -> assertThat(copies).hasSize(1));
        assertThat(latestStatus(node)).hasValueSatisfying(s -> {
            assertThat(s.getSpoolDropped()).isZero();
            assertThat(s.getSeqHighWater()).isEqualTo(2999);
        });
    }

    @Test
    void aCollectorKilledWithSigkillContinuesItsSequenceAndDeliversItsSpool() throws Exception {
        String node = "killed-node";
        long seenBeforeKill;
        try (SeqWatcher watcher = new SeqWatcher(node)) {
            Process first = startChild(node);
            try {
                await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
                        .until(() -> watcher.highest() >= 2000);
            } finally {
                first.destroyForcibly();
                first.waitFor(30, TimeUnit.SECONDS);
            }
            seenBeforeKill = watcher.highest();

            Process second = startChild(node);
            try {
                await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
                        .until(() -> watcher.highest() >= seenBeforeKill + 2000);
            } finally {
                second.destroy(); // SIGTERM: the shutdown hook stops the collector, which drains its spool
                assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("collector exits on SIGTERM").isTrue();
            }
        }

        Map<Long, List<AttachDecision>> bySeq = consumeDecisions(node, seenBeforeKill + 2000);
        long max = ((TreeMap<Long, List<AttachDecision>>) bySeq).lastKey();
        // Gap-free from 0: what the first run had spooled was delivered, and the second run
        // continued right after it. A resend after the kill may repeat a record; it is the same record.
        assertThat(bySeq.keySet()).hasSize((int) max + 1);
        assertThat(bySeq.values()).allSatisfy(copies ->
                assertThat(copies).allSatisfy(c -> assertThat(c).isEqualTo(copies.get(0))));
    }

    private Process startChild(String node) throws IOException {
        Path log = Files.createTempFile("collector-child", ".log");
        return new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                CollectorChildMain.class.getName(),
                KAFKA.bootstrapServers(), spoolDir.toString(), fakeMount.toString(), node))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Follows the decisions topic with one consumer, remembering the highest seq of a node. */
    private final class SeqWatcher implements AutoCloseable {
        private final String node;
        private final KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(KAFKA.consumerProperties("watch-" + System.nanoTime()));
        private long highest = -1;

        SeqWatcher(String node) {
            this.node = node;
            TopicPartition tp = new TopicPartition(Topic.DECISIONS.topicName(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
        }

        long highest() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                AttachDecision d = decode(r.value());
                if (d.getNode().equals(node)) {
                    highest = Math.max(highest, d.getSeq());
                }
            }
            return highest;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** Reads the decisions topic from the start; with {@code atLeast} >= 0 waits until that many distinct seqs. */
    private Map<Long, List<AttachDecision>> consumeDecisions(String node, long atLeast) {
        TreeMap<Long, List<AttachDecision>> bySeq = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.consumerProperties("check-" + System.nanoTime()))) {
            TopicPartition tp = new TopicPartition(Topic.DECISIONS.topicName(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((consumer.position(tp) < end || (atLeast >= 0 && bySeq.size() < atLeast))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    AttachDecision d = decode(r.value());
                    if (d.getNode().equals(node)) {
                        bySeq.computeIfAbsent(d.getSeq(), k -> new ArrayList<>()).add(d);
                    }
                }
                end = consumer.endOffsets(List.of(tp)).get(tp);
            }
        }
        return bySeq;
    }

    private Optional<StatusEvent> latestStatus(String node) {
        EventCodec<StatusEvent> statusCodec = EventCodec.of(StatusEvent.class);
        StatusEvent latest = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.consumerProperties("status-" + System.nanoTime()))) {
            TopicPartition tp = new TopicPartition(Topic.STATUS.topicName(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    StatusEvent s = statusCodec.decode(r.value());
                    if (s.getNode().equals(node)) {
                        latest = s;
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Optional.ofNullable(latest);
    }

    private AttachDecision decode(byte[] value) {
        try {
            return codec.decode(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
