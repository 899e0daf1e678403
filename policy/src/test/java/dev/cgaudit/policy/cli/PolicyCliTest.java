package dev.cgaudit.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The commands that need no Kafka, and every failure that must happen before Kafka is contacted. */
class PolicyCliTest {

    static final Path SAMPLE = Path.of("..", "deploy", "examples", "policy.yaml");

    @TempDir
    Path dir;

    private CliEnvironment env() {
        // Nothing listens on port 1: a command that reached Kafka would fail differently from what these tests expect.
        return new CliEnvironment(Map.of("CGAUDIT_BOOTSTRAP", "127.0.0.1:1", "USER", "tester"), dir, Clock.systemUTC());
    }

    @Test
    void validateAcceptsTheSamplePolicy() {
        CliRun run = CliRun.run(env(), "validate", SAMPLE.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("valid: 4 rules in 1 file\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void validatePrintsEveryErrorWithFileLineColumnAndFieldAndExits2() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: cgaudit.dev/v1
                kind: MigrationPolicy
                rules:
                  - id: a
                    subtree: /a
                    kind: containment
                    when: decision.writer.uidd == 0
                  - id: a
                    subtree: a
                    kind: churn
                """);

        CliRun run = CliRun.run(env(), "validate", SAMPLE.toString(), bad.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains(
                bad + ":7:26: rules[0].when: CEL: undefined field 'uidd'",
                bad + ":8:9: rules[1].id: duplicate rule id 'a'; first defined at line 4",
                bad + ":9:14: rules[1].subtree: expected an absolute cgroup path",
                bad + ":8:5: rules[1].threshold: missing; a churn rule needs threshold",
                "4 errors in 2 files");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void keygenWritesAKeyPairAndRefusesToOverwriteIt() {
        CliRun first = CliRun.run(env(), "keygen", "--out", dir.resolve("keys").toString(), "--name", "alice");
        CliRun second = CliRun.run(env(), "keygen", "--out", dir.resolve("keys").toString(), "--name", "alice");

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).contains("private key: " + dir.resolve("keys/alice.key"), "public key:  " + dir.resolve("keys/alice.pub"),
                "key id:");
        assertThat(dir.resolve("keys/alice.key")).exists();
        assertThat(second.exitCode()).isEqualTo(2);
        assertThat(second.err()).contains("already exists; refusing to overwrite a key");
    }

    @ParameterizedTest(name = "policy {0} --help")
    @ValueSource(strings = {"", "validate", "apply", "set-mode", "list", "keygen"})
    void everyCommandHasHelp(String subcommand) {
        CliRun run = subcommand.isEmpty() ? CliRun.run(env(), "--help") : CliRun.run(env(), subcommand, "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: policy" + (subcommand.isEmpty() ? "" : " " + subcommand));
    }

    @Test
    void applyHelpSaysThatRulesAbsentFromTheFilesAreDeleted() {
        assertThat(CliRun.run(env(), "apply", "--help").out().replaceAll("\\s+", " "))
                .contains("The FILEs are the whole policy: a rule in force that none of them defines is DELETED.");
    }

    @Test
    void theDefaultTopicIsTheContractsPolicyTopic() {
        assertThat(CliRun.run(env(), "list", "--help").out()).contains("(default: " + dev.cgaudit.policy.kafka.PolicyTopic.NAME + ")");
    }

    @Test
    void noSubcommandIsAUsageError() {
        CliRun run = CliRun.run(env());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("a subcommand is required", "Usage: policy");
    }

    @Test
    void applyOfAnInvalidFileFailsBeforeTouchingKafka() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "apiVersion: cgaudit.dev/v1\nkind: MigrationPolicy\nrules: {}\n");

        CliRun run = CliRun.run(env(), "apply", bad.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(bad + ":3:8: rules: expected a list of rules, found a mapping",
                "cgaudit policy apply: 1 validation error(s); nothing applied");
    }

    @Test
    void applyWithoutAKeyNamesTheDefaultKeyFile() {
        CliRun run = CliRun.run(env(), "apply", SAMPLE.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("signing key: " + dir.resolve(".config/cgaudit/operator.key"),
                "cgaudit policy keygen --out DIR --name NAME");
    }

    @Test
    void listWithoutATrustStoreSaysWhereItLooked() {
        CliRun run = CliRun.run(env(), "list");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("trust store " + dir.resolve(".config/cgaudit/trust"), "pass --trust DIR");
    }

    @Test
    void setModeRejectsAnUnknownModeAndRequiresAReason() {
        CliRun badMode = CliRun.run(env(), "set-mode", "probing", "enforcing", "--reason", "x");
        CliRun noReason = CliRun.run(env(), "set-mode", "probing", "enforce");

        assertThat(badMode.exitCode()).isEqualTo(2);
        assertThat(badMode.err()).contains("unknown mode 'enforcing'; expected audit or enforce");
        assertThat(noReason.exitCode()).isEqualTo(2);
        assertThat(noReason.err()).contains("Missing required option: '--reason=TEXT'");
    }

    @Test
    void kafkaThatCannotBeReachedIsReportedWithinTheTimeout() throws IOException {
        Path trust = Files.createDirectories(dir.resolve("trust"));

        CliRun run = CliRun.run(env(), "list", "--trust", trust.toString(), "--timeout", "PT2S");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("cgaudit policy list:", "within PT2S");
    }
}
