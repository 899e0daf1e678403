package dev.cgaudit.sink.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.sink.cli.SinkCli;
import dev.cgaudit.sink.testing.Findings;
import dev.cgaudit.sink.testing.ViolationProducer;
import dev.cgaudit.sink.testing.Violations;
import dev.cgaudit.sink.testing.WebhookServer;
import dev.cgaudit.sink.testing.WebhookServer.Response;
import dev.cgaudit.testing.KafkaBrokerExtension;
import dev.cgaudit.testing.ProjectRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cgaudit sink} in its own JVM, killed with SIGKILL while a webhook holds a request, then
 * started again: every violation arrives at the file and the webhook (some twice, with the same
 * id), none is lost.
 */
class SinkKillRestartIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int COUNT = 60;
    private static final int ACCEPTED_BEFORE_HOLD = 20;
    private static final String GROUP = "sink-kill-it";

    @TempDir
    Path dir;

    private final List<Process> sinks = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        sinks.forEach(Process::destroyForcibly);
    }

    @Test
    void aKilledSinkLosesNothing() throws Exception {
        List<PolicyViolation> violations = IntStream.range(0, COUNT).mapToObj(Violations::numbered).collect(Collectors.toList());
        Map<TopicPartition, Long> lastOffsets;
        try (ViolationProducer producer = new ViolationProducer(KAFKA)) {
            for (int i = 0; i < COUNT; i += 20) {
                producer.commit(violations.subList(i, i + 20));
            }
            lastOffsets = producer.lastOffsets();
        }
        Set<String> ids = violations.stream().map(PolicyViolation::getViolationId).collect(Collectors.toSet());
        CountDownLatch release = new CountDownLatch(1);
        Path out = dir.resolve("findings.jsonl");
        // the SIEM takes 20 findings, then holds the 21st answer back: the sink is mid-batch, nothing committed
        try (WebhookServer siem = new WebhookServer((n, body) -> {
            if (n == ACCEPTED_BEFORE_HOLD) {
                release.await(60, TimeUnit.SECONDS);
            }
            return Response.status(200);
        })) {
            Process first = startSink(out, siem, "first");
            await().atMost(Duration.ofSeconds(60)).until(() -> siem.requests().size() > ACCEPTED_BEFORE_HOLD);
            int deliveredBeforeKill = Findings.lines(out).size();

            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            assertThat(committedOffsets()).as("nothing committed while the batch was in flight").isEmpty();
            assertThat(deliveredBeforeKill).isBetween(ACCEPTED_BEFORE_HOLD, COUNT - 1);

            Process second = startSink(out, siem, "second");
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                assertThat(Findings.uids(Findings.lines(out))).containsAll(ids);
                assertThat(siem.requests().stream().map(WebhookServer.Request::violationIdHeader)).containsAll(ids);
                assertThat(committedOffsets()).hasSize(lastOffsets.size()).allSatisfy((tp, offset) ->
                        assertThat(offset.offset()).isGreaterThan(lastOffsets.get(tp)));
            });
            second.destroy();
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("SIGTERM stops the sink").isTrue();

            List<String> delivered = siem.requests().stream().map(WebhookServer.Request::violationIdHeader).toList();
            assertThat(delivered.size()).as("redelivered after the kill: at least once, duplicates allowed")
                    .isGreaterThan(COUNT);
            assertThat(Set.copyOf(delivered)).isEqualTo(ids);
        }
    }

    private Process startSink(Path out, WebhookServer siem, String name) throws Exception {
        Path jvmArgs = ProjectRoot.find().resolve("deploy/src/main/dist/conf/jvm-java17.args");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + jvmArgs, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                SinkCli.class.getName(),
                "--bootstrap", KAFKA.bootstrapServers(),
                "--group", GROUP,
                "--to", "file:" + out,
                "--to", siem.uri().toString(),
                "--http-timeout", "60s",
                "--backoff", "50ms",
                "--dead-letter", dir.resolve("dead-letter.jsonl").toString());
        Process process = new ProcessBuilder(command)
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile())
                .start();
        sinks.add(process);
        return process;
    }

    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets() throws Exception {
        return KAFKA.adminClient().listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
    }
}
