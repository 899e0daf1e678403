package dev.cgaudit.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cgaudit.policy.command.CommandVerifier;
import dev.cgaudit.policy.command.PolicyHistory;
import dev.cgaudit.policy.command.TrustStore;
import dev.cgaudit.policy.kafka.PolicyTopic;
import dev.cgaudit.processor.policy.RuleChanges;
import dev.cgaudit.processor.replay.ReplayInput;
import dev.cgaudit.processor.replay.ReplayJob;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.schema.json.JsonLines;
import dev.cgaudit.testing.KafkaBrokerExtension;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same recording, processed live (Kafka → job on a MiniCluster → cgaudit.violations, read
 * read_committed) and replayed in BATCH from a JSON Lines file with the policy history read back
 * from the policy topic, raises the identical set of violations: ids and contents.
 */
class DeterminismIT {

    static final int DECISIONS = 12_000;

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir
    Path dir;

    @Test
    void live_and_replay_raise_the_same_violations() throws Exception {
        try (Testbed bed = new Testbed(KAFKA, "det.", dir)) {
            RecordedStream recording = RecordedStream.generate(20261128L, DECISIONS, 6, Duration.ofMillis(1_500), bed.signer);
            List<AttachDecision> input = new ArrayList<>(recording.arrivalOrder);
            for (int p = 0; p < 3; p++) {
                input.add(RecordedStream.tail(p));
            }
            Path file = dir.resolve("recording.jsonl");
            JsonLines<AttachDecision> json = JsonLines.of(AttachDecision.class);
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (AttachDecision d : input) {
                    w.write(json.write(d));
                    w.newLine();
                }
            }
            bed.publishPolicy(recording.policy);

            // Replay: the file, with the history as the policy topic holds it, folded by the policy module.
            PolicyHistory history = PolicyHistory.replay(
                    new PolicyTopic(KAFKA.bootstrapServers(), bed.topics.policy(), Map.of()).readAll(Duration.ofSeconds(10)),
                    new CommandVerifier(TrustStore.load(bed.trustDir)));
            List<PolicyViolation> replayed = ReplayJob.run(StreamExecutionEnvironment.getExecutionEnvironment(),
                    new ReplayInput.Files(List.of(file)), RuleChanges.of(history), ReplayJob.Range.ALL, Testbed.SETTINGS);
            assertThat(replayed).extracting(PolicyViolation::getKind).as("every kind but the status-born ones")
                    .contains(ViolationKind.UNAUTHORIZED_MIGRATION, ViolationKind.SUBTREE_ESCAPE, ViolationKind.ENFORCEMENT_BYPASS,
                            ViolationKind.DENIAL_BURST, ViolationKind.CHURN, ViolationKind.MODE_DOWNGRADE,
                            ViolationKind.COLLECTOR_LOSS);

            // Live: the same decisions in their arrival order (the tail carried to every partition).
            bed.publishDecisions(recording.arrivalOrder);
            for (int p = 0; p < 3; p++) {
                bed.publishRaw(bed.topics.decisions(), p, "tail-" + p,
                        dev.cgaudit.schema.codec.EventCodec.of(AttachDecision.class).encode(RecordedStream.tail(p)));
            }
            JobClient job = bed.startLiveJob("determinism");
            KafkaConsumer<byte[], byte[]> reader = bed.reader(bed.topics.violations());
            List<PolicyViolation> live = new ArrayList<>();
            bed.awaitViolations(reader, live, seen -> seen.size() >= replayed.size(), Duration.ofSeconds(120));
            // Keep reading over a few more checkpoints: anything extra must show up in the comparison.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> live.addAll(Testbed.poll(reader, PolicyViolation.class)) || true);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

            Comparator<PolicyViolation> byId = Comparator.comparing(PolicyViolation::getViolationId);
            List<PolicyViolation> liveSorted = live.stream().sorted(byId).toList();
            List<PolicyViolation> replaySorted = replayed.stream().sorted(byId).toList();
            Map<String, PolicyViolation> replayById = replaySorted.stream()
                    .collect(Collectors.toMap(PolicyViolation::getViolationId, Function.identity()));
            Map<String, PolicyViolation> liveById = liveSorted.stream()
                    .collect(Collectors.toMap(PolicyViolation::getViolationId, Function.identity(), (a, b) -> a));
            assertThat(liveSorted.stream().filter(v -> !replayById.containsKey(v.getViolationId())).limit(5).toList())
                    .as("only live").isEmpty();
            assertThat(replaySorted.stream().filter(v -> !liveById.containsKey(v.getViolationId())).limit(5).toList())
                    .as("only replayed").isEmpty();
            for (PolicyViolation v : liveSorted) {
                assertThat(v).as("violation %s", v.getViolationId()).isEqualTo(replayById.get(v.getViolationId()));
            }
            assertThat(liveSorted).isEqualTo(replaySorted);
        }
    }
}
