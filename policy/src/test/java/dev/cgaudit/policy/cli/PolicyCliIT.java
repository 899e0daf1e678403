package dev.cgaudit.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.command.CommandSigner;
import dev.cgaudit.policy.command.CommandVerifier;
import dev.cgaudit.policy.command.KeyFiles;
import dev.cgaudit.policy.command.PolicyCommands;
import dev.cgaudit.policy.command.PolicyHistory;
import dev.cgaudit.policy.command.PolicyLogEntry;
import dev.cgaudit.policy.command.RejectionReason;
import dev.cgaudit.policy.command.RuleVersion;
import dev.cgaudit.policy.command.SigningKey;
import dev.cgaudit.policy.command.TrustStore;
import dev.cgaudit.policy.kafka.PolicyTopic;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.Topic;
import dev.cgaudit.schema.codec.EventCodec;
import dev.cgaudit.testing.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cgaudit policy} against a real Kafka broker. Each test has a policy topic of its own
 * (created with the contract's configs), so the tests do not see each other's commands.
 */
class PolicyCliIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    static final Path SAMPLE = Path.of("..", "deploy", "examples", "policy.yaml");
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    static Path home;

    private static Path keys;
    private static Path trust;

    private String topic;

    @BeforeAll
    static void operatorKeys() throws IOException {
        keys = home.resolve("keys");
        trust = Files.createDirectories(home.resolve("trust"));
        CliEnvironment plain = new CliEnvironment(Map.of(), home, Clock.systemUTC());
        assertThat(CliRun.run(plain, "keygen", "--out", keys.toString(), "--name", "alice").exitCode()).isZero();
        assertThat(CliRun.run(plain, "keygen", "--out", keys.toString(), "--name", "bob").exitCode()).isZero();
        assertThat(CliRun.run(plain, "keygen", "--out", keys.toString(), "--name", "mallory").exitCode()).isZero();
        // alice and bob are trusted operators; mallory has a key nobody trusts.
        Files.copy(keys.resolve("alice.pub"), trust.resolve("alice.pub"));
        Files.copy(keys.resolve("bob.pub"), trust.resolve("bob.pub"));
    }

    @BeforeEach
    void ownPolicyTopic() {
        topic = "policy-it-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 1, Topic.POLICY.configs());
    }

    private CliRun as(String operator, String... args) {
        CliEnvironment env = new CliEnvironment(Map.of(
                "CGAUDIT_BOOTSTRAP", KAFKA.bootstrapServers(),
                "CGAUDIT_KEY", keys.resolve(operator + ".key").toString(),
                "CGAUDIT_TRUST", trust.toString(),
                "USER", operator), home, Clock.systemUTC());
        String[] withTopic = new String[args.length + 2];
        System.arraycopy(args, 0, withTopic, 0, args.length);
        withTopic[args.length] = "--topic";
        withTopic[args.length + 1] = topic;
        CliRun run = CliRun.run(env, withTopic);
        return run;
    }

    private List<PolicyLogEntry> log() throws Exception {
        return new PolicyTopic(KAFKA.bootstrapServers(), topic, Map.of()).readAll(TIMEOUT);
    }

    private PolicyHistory history() throws Exception {
        return PolicyHistory.replay(log(), new CommandVerifier(TrustStore.load(trust)));
    }

    @Test
    void applyThenListShowsThePolicyAndApplyingAgainPublishesNothing() throws Exception {
        CliRun apply = as("alice", "apply", SAMPLE.toString());

        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains(
                "+ add    system-slice-managers (allowlist on /system.slice, audit, high)",
                "+ add    user-containment (containment on /user.slice, enforce, critical)",
                "+ add    probing (denial-burst on /, audit, medium)",
                "+ add    bouncing (churn on /, audit, low)",
                "published 4 command(s) to " + topic);

        CliRun list = as("bob", "list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out().lines().toList()).hasSize(5)
                .first().asString().matches("ID +KIND +SUBTREE +MODE +SEVERITY +VERSION +AUTHOR +ISSUED-AT");
        assertThat(list.out()).containsPattern("bouncing +churn +/ +audit +low +1 +alice +20\\d\\d-")
                .containsPattern("probing +denial-burst +/ +audit +medium +1 +alice")
                .containsPattern("system-slice-managers +allowlist +/system.slice +audit +high +1 +alice")
                .containsPattern("user-containment +containment +/user.slice +enforce +critical +1 +alice");

        CliRun again = as("alice", "apply", SAMPLE.toString());
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).startsWith("no changes");
        assertThat(log()).hasSize(4);
    }

    @Test
    void applyPublishesOnlyTheChangesNamingTheFieldsAndDeletesRulesAbsentFromTheFiles(@TempDir Path dir) throws Exception {
        assertThat(as("alice", "apply", SAMPLE.toString()).exitCode()).isZero();
        String sample = Files.readString(SAMPLE);
        String changed = sample.substring(0, sample.indexOf("  - id: bouncing"))
                .replace("    severity: medium\n", "    severity: high\n");
        Path file = Files.writeString(dir.resolve("changed.yaml"), changed);

        CliRun dryRun = as("bob", "apply", file.toString(), "--dry-run");
        assertThat(dryRun.out()).contains("~ change probing v1: severity", "- delete bouncing v1", "dry run: nothing published");
        assertThat(log()).hasSize(4);

        CliRun apply = as("bob", "apply", file.toString(), "--reason", "probing matters more");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("published 2 command(s)");

        PolicyHistory history = history();
        assertThat(history.rejections()).isEmpty();
        assertThat(history.current().rules()).extracting(RuleVersion::ruleId)
                .containsExactly("probing", "system-slice-managers", "user-containment");
        RuleVersion probing = history.current().rule("probing").orElseThrow();
        assertThat(probing.version()).isEqualTo(2);
        assertThat(probing.rule().orElseThrow().severity()).isEqualTo(Severity.HIGH);
        assertThat(probing.author()).isEqualTo("bob");
        assertThat(probing.reason()).contains("probing matters more");
        assertThat(history.current().currentVersion("bouncing")).isEqualTo(2);
    }

    @Test
    void setModeChangesOnlyTheModeAndBumpsTheVersion() throws Exception {
        assertThat(as("alice", "apply", SAMPLE.toString()).exitCode()).isZero();
        RuleVersion before = history().current().rule("user-containment").orElseThrow();

        CliRun downgrade = as("bob", "set-mode", "user-containment", "audit", "--reason", "false positives on node-7");

        assertThat(downgrade.exitCode()).as(downgrade.toString()).isZero();
        assertThat(downgrade.out()).contains("user-containment: enforce -> audit (v1 -> v2)");
        assertThat(downgrade.err()).contains("warning: user-containment goes from enforce to audit", "MODE_DOWNGRADE");
        RuleVersion after = history().current().rule("user-containment").orElseThrow();
        assertThat(after.version()).isEqualTo(2);
        assertThat(after.rule().orElseThrow()).isEqualTo(before.rule().orElseThrow().withMode(Mode.AUDIT));
        assertThat(after.author()).isEqualTo("bob");
        assertThat(after.reason()).contains("false positives on node-7");
        assertThat(as("bob", "list").out()).containsPattern("user-containment +containment +/user.slice +audit +critical +2 +bob");

        CliRun same = as("bob", "set-mode", "user-containment", "audit", "--reason", "again");
        assertThat(same.out()).contains("already in audit mode (v2); nothing published");
        CliRun unknown = as("bob", "set-mode", "no-such-rule", "enforce", "--reason", "x");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("no rule 'no-such-rule' in " + topic);
        assertThat(log()).hasSize(5);
    }

    @Test
    void forgedTamperedAndReplayedCommandsOnTheTopicAreRejectedWithTheirReason() throws Exception {
        assertThat(as("alice", "apply", SAMPLE.toString()).exitCode()).isZero();
        PolicyTopic raw = new PolicyTopic(KAFKA.bootstrapServers(), topic, Map.of());
        EventCodec<PolicyCommand> codec = EventCodec.of(PolicyCommand.class);
        PolicyCommand original = ((PolicyLogEntry.Decoded) log().get(1)).command();

        // mallory's own key: not trusted
        PolicyCommand mallorys = new CommandSigner(SigningKey.load(keys.resolve("mallory.key")))
                .sign(new PolicyCommands("mallory", Clock.systemUTC()).delete("user-containment", 2, "mine now"));
        // alice's genuine signature, but the mode switched after signing
        PolicyCommand genuine = new CommandSigner(SigningKey.load(keys.resolve("alice.key")))
                .sign(new PolicyCommands("alice", Clock.systemUTC()).setMode("probing", Mode.ENFORCE, 2, "planned"));
        PolicyCommand tampered = PolicyCommand.newBuilder(genuine).setMode(Mode.AUDIT).setRuleId("user-containment").build();
        raw.publishRaw("user-containment", codec.encode(mallorys), TIMEOUT);
        raw.publishRaw("user-containment", codec.encode(tampered), TIMEOUT);
        // alice's own UPSERT v1 of user-containment, replayed as it is
        raw.publishRaw(original.getRuleId(), codec.encode(original), TIMEOUT);
        raw.publishRaw("probing", new byte[] {1, 2, 3}, TIMEOUT);

        CliRun list = as("alice", "list", "--history");

        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).containsPattern("user-containment +containment +/user.slice +enforce +critical +1 +alice")
                .contains("accepted versions (4):", "rejected commands (4):")
                .containsPattern(topic + "-0@4 +user-containment +2 +DELETE_RULE +mallory +UNKNOWN_KEY +key [0-9a-f]{16} is not in the trust store")
                .containsPattern(topic + "-0@5 +user-containment +2 +SET_MODE +alice +BAD_SIGNATURE +the signature does not verify")
                .containsPattern(topic + "-0@6 +" + original.getRuleId() + " +1 +UPSERT_RULE +alice +STALE_VERSION +version 1 is not above the current version 1")
                .containsPattern(topic + "-0@7 +probing +- +- +- +UNDECODABLE +TRUNCATED_HEADER");
        assertThat(history().rejections()).extracting(r -> r.reason()).containsExactly(RejectionReason.UNKNOWN_KEY,
                RejectionReason.BAD_SIGNATURE, RejectionReason.STALE_VERSION, RejectionReason.UNDECODABLE);
        assertThat(as("alice", "list").err()).contains("4 rejected command(s) ignored; see --history");
    }

    @Test
    void anUntrustedOperatorCannotPublish() throws Exception {
        CliRun run = as("mallory", "apply", SAMPLE.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("is not in the trust store " + trust, "so every consumer would reject these commands");
        assertThat(log()).isEmpty();
    }

    @Test
    void thePolicySurvivesABrokerRestart() throws Exception {
        assertThat(as("alice", "apply", SAMPLE.toString()).exitCode()).isZero();

        KAFKA.stop();
        KAFKA.start();

        CliRun list = as("bob", "list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out().lines().count()).isEqualTo(5);
        assertThat(as("alice", "apply", SAMPLE.toString()).out()).startsWith("no changes");
    }

    @Test
    void aMissingTopicIsReportedNotCreated() throws Exception {
        CliRun run = CliRun.run(new CliEnvironment(Map.of("CGAUDIT_BOOTSTRAP", KAFKA.bootstrapServers(),
                "CGAUDIT_TRUST", trust.toString()), home, Clock.systemUTC()), "list", "--topic", "no-such-topic");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("topic no-such-topic does not exist on " + KAFKA.bootstrapServers());
        assertThat(KAFKA.adminClient().listTopics().names().get()).doesNotContain("no-such-topic");
    }

    @Test
    void keysFromKeygenAreRealEd25519() throws Exception {
        assertThat(KeyFiles.readPublic(trust.resolve("alice.pub")).getAlgorithm()).isIn("Ed25519", "EdDSA");
    }
}
