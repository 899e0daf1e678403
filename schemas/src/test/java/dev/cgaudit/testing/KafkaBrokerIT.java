package dev.cgaudit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import dev.cgaudit.schema.Topic;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaBrokerIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void createsTheFourTopicsWithTheirConfigs() throws Exception {
        List<ConfigResource> resources = Arrays.stream(Topic.values())
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.topicName()))
                .toList();

        Map<ConfigResource, Config> configs = KAFKA.adminClient().describeConfigs(resources).all().get();

        for (Topic topic : Topic.values()) {
            Config actual = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.topicName()));
            topic.configs().forEach((key, value) ->
                    assertThat(actual.get(key).value()).as(topic.topicName() + " " + key).isEqualTo(value));
        }
        assertThat(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, "cgaudit.policy"))
                .get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(KAFKA.adminClient().describeTopics(List.of(Topic.DECISIONS.topicName())).allTopicNames().get()
                .get(Topic.DECISIONS.topicName()).partitions()).hasSize(3);
    }

    /**
     * The real policy topic keeps superseded commands for 30 days (min.compaction.lag.ms), so it
     * cannot show compaction within a test. This topic has exactly its configs except that lag,
     * plus what makes the cleaner act at once: a segment that rolls on the next record
     * (segment.ms) and any dirty share worth cleaning.
     */
    @Test
    void policyConfigsCompactToTheLatestCommandPerRule() {
        String topic = "policy-compaction-probe";
        Map<String, String> configs = new HashMap<>(Topic.POLICY.configs());
        configs.put("min.compaction.lag.ms", "0");
        configs.put("segment.ms", "100");
        configs.put("min.cleanable.dirty.ratio", "0.01");
        KAFKA.createTopic(topic, 1, configs);

        long t0 = System.currentTimeMillis();
        try (KafkaProducer<String, String> producer = stringProducer()) {
            for (int version = 1; version <= 5; version++) {
                producer.send(new ProducerRecord<>(topic, 0, t0, "rule-a", "a-v" + version));
            }
            for (int version = 1; version <= 3; version++) {
                producer.send(new ProducerRecord<>(topic, 0, t0, "rule-b", "b-v" + version));
            }
            producer.send(new ProducerRecord<>(topic, 0, t0, "rule-c", "c-v1"));
            // Segments roll on record time, checked per appended batch: a batch of its own, stamped
            // past segment.ms, opens a new active segment, so every command above sits in a closed
            // segment, which the cleaner may compact.
            producer.flush();
            producer.send(new ProducerRecord<>(topic, 0, t0 + 1_000, "roll", "roll"));
            producer.flush();
        }
        assertThat(valuesByKey(readAll(topic))).containsEntry("rule-a", List.of("a-v1", "a-v2", "a-v3", "a-v4", "a-v5"));

        await("the log cleaner to compact " + topic)
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(valuesByKey(readAll(topic))).isEqualTo(Map.of(
                        "rule-a", List.of("a-v5"),
                        "rule-b", List.of("b-v3"),
                        "rule-c", List.of("c-v1"),
                        "roll", List.of("roll"))));
    }

    @Test
    void recordsSurviveAStopAndStart() throws Exception {
        String topic = Topic.DECISIONS.topicName();
        String bootstrap = KAFKA.bootstrapServers();
        try (KafkaProducer<String, String> producer = stringProducer()) {
            for (int seq = 0; seq < 3; seq++) {
                producer.send(new ProducerRecord<>(topic, "restart-node", "restart-node/boot/" + seq)).get();
            }
        }

        KAFKA.stop();
        assertThatThrownBy(() -> connect(bootstrap)).isInstanceOf(ConnectException.class);
        KAFKA.start();

        assertThat(KAFKA.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(valuesByKey(readAll(topic)).get("restart-node"))
                .containsExactly("restart-node/boot/0", "restart-node/boot/1", "restart-node/boot/2");
    }

    private static KafkaProducer<String, String> stringProducer() {
        Properties props = KAFKA.producerProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    /** Every record of {@code topic}, from the beginning to the end offsets seen at the start. */
    private static List<ConsumerRecord<String, String>> readAll(String topic) {
        Properties props = KAFKA.consumerProperties("unused-" + topic);
        props.remove("group.id");
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("read %s up to %s in time", topic, end).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static Map<String, List<String>> valuesByKey(List<ConsumerRecord<String, String>> records) {
        return records.stream().collect(Collectors.groupingBy(ConsumerRecord::key, LinkedHashMap::new,
                Collectors.mapping(ConsumerRecord::value, Collectors.toList())));
    }

    private static void connect(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 2_000);
        }
    }
}
