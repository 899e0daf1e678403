package dev.cgaudit.processor;

import static dev.cgaudit.processor.Moves.byShell;
import static dev.cgaudit.processor.Moves.move;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.cli.CliEnvironment;
import dev.cgaudit.policy.cli.PolicyCli;
import dev.cgaudit.policy.command.PolicyCommands;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.testing.KafkaBrokerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The live job against a real broker on a MiniCluster: poison records, switching a rule while it runs, a quiet fleet. */
class LiveJobIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir
    Path dir;

    static final EventCodec<AttachDecision> CODEC = EventCodec.of(AttachDecision.class);

    @Test
    void poison_records_become_dead_letters_and_the_job_keeps_going() throws Exception {
        try (Testbed bed = new Testbed(KAFKA, "poison.", dir)) {
            Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(60);
            JobClient job = bed.startLiveJob("poison");
            String decisions = bed.topics.decisions();
            bed.publishDecisions(List.of(move("node-p", 0, t, "/a", "/b").build()));
            bed.publishRaw(decisions, 0, "node-p", "not avro at all".getBytes());
            bed.publishRaw(decisions, 0, "node-p", new byte[] {(byte) 0xC3, 0x01, 1, 2});
            byte[] truncated = CODEC.encode(move("node-p", 1, t, "/a", "/b").build());
            bed.publishRaw(decisions, 0, "node-p", java.util.Arrays.copyOf(truncated, truncated.length - 5));
            // After the poison: seq 1 was the truncated one, so seq 2 shows a gap, and a later decision moves the watermark.
            bed.publishDecisions(List.of(move("node-p", 2, t.plusSeconds(1), "/a", "/b").build(),
                    move("node-p", 3, t.plusSeconds(10), "/a", "/b").build()));

            KafkaConsumer<byte[], byte[]> statuses = bed.reader(bed.topics.status());
            List<StatusEvent> deadLetters = bed.awaitStatuses(statuses, new ArrayList<>(),
                    seen -> seen.stream().filter(s -> s.getMessage() != null && s.getMessage().startsWith("dead letter")).count() >= 3,
                    Duration.ofSeconds(60));
            assertThat(deadLetters).extracting(StatusEvent::getMessage).filteredOn(m -> m.startsWith("dead letter"))
                    .anySatisfy(m -> assertThat(m).startsWith("dead letter " + decisions + "-0@").contains("BAD_MARKER"))
                    .anySatisfy(m -> assertThat(m).contains("TRUNCATED_HEADER"))
                    .anySatisfy(m -> assertThat(m).contains("MALFORMED_BODY"));

            List<PolicyViolation> violations = bed.awaitViolations(bed.reader(bed.topics.violations()), new ArrayList<>(),
                    seen -> !seen.isEmpty(), Duration.ofSeconds(60));
            assertThat(violations).singleElement().satisfies(v -> {
                assertThat(v.getKind()).isEqualTo(ViolationKind.COLLECTOR_LOSS);
                assertThat(v.getExplanation()).contains("seq 1 of node-p/");
            });
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        }
    }

    @Test
    void set_mode_switches_a_rule_live_and_later_decisions_carry_the_new_mode() throws Exception {
        try (Testbed bed = new Testbed(KAFKA, "", dir)) {
            var audit = Rules.managers(Mode.AUDIT);
            bed.publishPolicy(List.of(bed.signer.sign(new PolicyCommands("alice",
                    Clock.fixed(Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC))
                    .upsert(audit, 1, "initial"))));
            JobClient job = bed.startLiveJob("switch");
            JobID jobId = job.getJobID();
            KafkaConsumer<byte[], byte[]> violationsReader = bed.reader(bed.topics.violations());
            List<PolicyViolation> seen = new ArrayList<>();

            Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(60);
            bed.publishDecisions(List.of(
                    byShell(move("node-s", 0, before, "/user.slice", "/system.slice/a.service"), 4242).build(),
                    clock("node-s", 1, before.plusSeconds(3))));
            bed.awaitViolations(violationsReader, seen, v -> !v.isEmpty(), Duration.ofSeconds(60));
            assertThat(seen).singleElement().satisfies(v -> {
                assertThat(v.getKind()).isEqualTo(ViolationKind.UNAUTHORIZED_MIGRATION);
                assertThat(v.getMode()).isEqualTo(Mode.AUDIT);
                assertThat(v.getRuleVersion()).isEqualTo(1);
            });

            // The operator's command, through the policy module's own code path.
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine policy = new CommandLine(new PolicyCli(new CliEnvironment(Map.of(
                    "CGAUDIT_BOOTSTRAP", KAFKA.bootstrapServers(),
                    "CGAUDIT_TRUST", bed.trustDir.toString(),
                    "CGAUDIT_KEY", bed.keyFile.toString(),
                    "USER", "alice"), dir, Clock.systemUTC())));
            policy.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
            int exit = policy.execute("set-mode", "system-slice-managers", "enforce", "--reason", "rollout");
            assertThat(exit).as("set-mode: %s %s", out, err).isZero();

            List<StatusEvent> results = bed.awaitStatuses(bed.reader(bed.topics.status()), new ArrayList<>(),
                    s -> s.stream().anyMatch(e -> e.getPolicyCommands().stream()
                            .anyMatch(r -> r.getRuleVersion() == 2 && r.getAccepted())), Duration.ofSeconds(60));
            assertThat(results).isNotEmpty();

            Instant after = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            bed.publishDecisions(List.of(
                    byShell(move("node-s", 2, after, "/user.slice", "/system.slice/b.service"), 4242).build(),
                    clock("node-s", 3, after.plusSeconds(3))));
            bed.awaitViolations(violationsReader, seen, v -> v.size() >= 3, Duration.ofSeconds(60));
            assertThat(seen.subList(1, seen.size()))
                    .extracting(PolicyViolation::getKind, PolicyViolation::getMode, PolicyViolation::getRuleVersion)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(ViolationKind.UNAUTHORIZED_MIGRATION, Mode.ENFORCE, 2L),
                            org.assertj.core.groups.Tuple.tuple(ViolationKind.ENFORCEMENT_BYPASS, Mode.ENFORCE, 2L));

            assertThat(job.getJobID()).isEqualTo(jobId);
            assertThat(job.getJobStatus().get()).as("restart strategy is none: any failure would have ended the job")
                    .isEqualTo(JobStatus.RUNNING);
        }
    }

    @Test
    void a_violation_that_is_the_last_decision_of_a_quiet_fleet_is_still_raised() throws Exception {
        try (Testbed bed = new Testbed(KAFKA, "tail.", dir)) {
            bed.publishPolicy(List.of(bed.signer.sign(new PolicyCommands("alice",
                    Clock.fixed(Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC))
                    .upsert(Rules.managers(Mode.AUDIT), 1, "initial"))));
            bed.startLiveJob("tail");
            KafkaConsumer<byte[], byte[]> violationsReader = bed.reader(bed.topics.violations());
            List<PolicyViolation> seen = new ArrayList<>();

            // The first one lets the job start (sources, policy gate) outside the bound measured below.
            bed.publishDecisions(List.of(
                    byShell(move("node-q", 0, Instant.now(), "/user.slice", "/system.slice/a.service"), 4242).build()));
            bed.awaitViolations(violationsReader, seen, v -> !v.isEmpty(), Duration.ofSeconds(60));

            // Stamped with the node's clock, as a collector does, and nothing after it on any partition.
            AttachDecision last = byShell(move("node-q", 1, Instant.now(), "/user.slice", "/system.slice/b.service"), 4242).build();
            bed.publishDecisions(List.of(last));
            Duration bound = Testbed.SETTINGS.idleness().plus(Testbed.CHECKPOINT_INTERVAL).plus(Duration.ofSeconds(5));
            bed.awaitViolations(violationsReader, seen, v -> v.size() >= 2, bound);
            assertThat(seen).extracting(PolicyViolation::getKind)
                    .containsExactly(ViolationKind.UNAUTHORIZED_MIGRATION, ViolationKind.UNAUTHORIZED_MIGRATION);
            assertThat(seen.get(1).getDecisionIds()).containsExactly(last.getEventId());
        }
    }

    /** A harmless decision later than the others: it only carries the node's watermark forward. */
    static AttachDecision clock(String node, long seq, Instant at) {
        return AttachDecision.newBuilder(move(node, seq, at, null, "/tail").build()).setTarget(null).build();
    }
}
