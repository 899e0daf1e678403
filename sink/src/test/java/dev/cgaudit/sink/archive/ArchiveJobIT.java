package dev.cgaudit.sink.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.testing.Decisions;
import dev.cgaudit.testing.KafkaBrokerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The archive job on a Flink MiniCluster, reading a real broker, writing real Avro files. */
class ArchiveJobIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final EventCodec<AttachDecision> CODEC = EventCodec.of(AttachDecision.class);
    /** Three nodes, one of them with a name that needs encoding as a folder. */
    private static final List<String> NODES = List.of("node-a", "node-b", "rack 7/node-ü");

    @TempDir
    Path dir;

    @Test
    void everyDecisionLandsInItsDateAndNodeFolderAndReadsBackEqual() throws Exception {
        List<AttachDecision> first = decisions(0, 40);
        produce(first);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(300);
        ArchiveJob.build(env, ArchiveJob.kafkaSource(KAFKA.bootstrapServers(), "archive-it", false), ArchiveJob.fileSink(dir));
        JobClient job = env.executeAsync("archive-it");
        try {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(readBack()).containsExactlyInAnyOrderElementsOf(first));

            // the job keeps running: later decisions (and one that does not decode) follow into new files
            List<AttachDecision> later = decisions(40, 55);
            produce(later);
            produceGarbage();
            List<AttachDecision> all = new ArrayList<>(first);
            all.addAll(later);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(readBack()).containsExactlyInAnyOrderElementsOf(all));
        } finally {
            job.cancel().get();
        }

        List<Path> files = ArchiveLayout.finishedFiles(dir);
        assertThat(files).allSatisfy(file -> {
            String relative = dir.relativize(file).toString();
            assertThat(relative).matches("date=\\d{4}-\\d{2}-\\d{2}/node=[A-Za-z0-9._%-]+/decisions-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\\d+\\.avro");
            try (DataFileReader<AttachDecision> reader = reader(file)) {
                assertThat(reader.getSchema()).isEqualTo(AttachDecision.getClassSchema());
                assertThat(reader.getMetaString("avro.codec")).isEqualTo("deflate");
                List<AttachDecision> inFile = new ArrayList<>();
                reader.forEach(inFile::add);
                assertThat(inFile).isNotEmpty().allSatisfy(d -> assertThat(relative)
                        .startsWith(ArchiveLayout.bucket(d.getTimestamp(), d.getNode()) + "/"));
                assertThat(inFile).as("one node's decisions keep their order").isSortedAccordingTo(
                        (a, b) -> Long.compare(a.getSeq(), b.getSeq()));
            }
        });
        assertThat(files.stream().map(f -> dir.relativize(f).getParent().toString()).distinct().sorted())
                .containsExactly(
                        "date=2026-11-28/node=node-a", "date=2026-11-28/node=node-b",
                        "date=2026-11-28/node=rack%207%2Fnode-%C3%BC",
                        "date=2026-11-29/node=node-a", "date=2026-11-29/node=node-b",
                        "date=2026-11-29/node=rack%207%2Fnode-%C3%BC",
                        "date=2026-11-30/node=node-a", "date=2026-11-30/node=node-b",
                        "date=2026-11-30/node=rack%207%2Fnode-%C3%BC");
    }

    /** Decisions {@code from..to-1}, round-robin over the nodes, one an hour from 10:00 on the 28th. */
    private static List<AttachDecision> decisions(int from, int to) {
        Map<String, Long> seq = new HashMap<>();
        List<AttachDecision> out = new ArrayList<>();
        for (int i = 0; i < to; i++) {
            String node = NODES.get(i % NODES.size());
            long s = seq.merge(node, 1L, Long::sum) - 1;
            if (i >= from) {
                out.add(Decisions.allowedProcsWrite()
                        .setNode(node)
                        .setSeq(s)
                        .setEventId(node + "/3f1c2b1e-0000-4000-8000-000000000001/" + s)
                        .setTimestamp(Decisions.BEGINNING.plus(Duration.ofHours(i)))
                        .build());
            }
        }
        return out;
    }

    private static void produce(List<AttachDecision> decisions) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.producerProperties())) {
            for (AttachDecision d : decisions) {
                producer.send(new ProducerRecord<>(Topic.DECISIONS.topicName(),
                        d.getNode().getBytes(StandardCharsets.UTF_8), CODEC.encode(d))).get();
            }
        }
    }

    private static void produceGarbage() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.producerProperties())) {
            producer.send(new ProducerRecord<>(Topic.DECISIONS.topicName(), "node-a".getBytes(StandardCharsets.UTF_8),
                    "garbage".getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    private List<AttachDecision> readBack() {
        return ArchiveLayout.finishedFiles(dir).stream().flatMap(file -> {
            try (DataFileReader<AttachDecision> reader = reader(file)) {
                List<AttachDecision> records = new ArrayList<>();
                reader.forEach(records::add);
                return records.stream();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).collect(Collectors.toList());
    }

    private static DataFileReader<AttachDecision> reader(Path file) throws IOException {
        return new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(AttachDecision.class));
    }
}
