package dev.cgaudit.policy.command;

import static dev.cgaudit.policy.command.Operators.ALICE;
import static dev.cgaudit.policy.command.Operators.BOB;
import static dev.cgaudit.policy.command.Operators.MALLORY;
import static dev.cgaudit.policy.command.Operators.T0;
import static dev.cgaudit.policy.command.Operators.TRUST;
import static dev.cgaudit.policy.command.Operators.containment;
import static dev.cgaudit.policy.command.Operators.issuedAt;
import static dev.cgaudit.policy.command.Operators.managers;
import static dev.cgaudit.policy.command.Operators.signer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.PolicyCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyHistoryTest {

    private final CommandVerifier verifier = new CommandVerifier(TRUST);

    private static final Instant CREATED = T0;
    private static final Instant ENFORCED = T0.plus(Duration.ofHours(1));
    private static final Instant DELETED = T0.plus(Duration.ofHours(2));

    /** managers: v1 (audit) at T0, v2 enforce at +1h; containment v1 at T0, deleted (v2) at +2h; plus rejected noise. */
    private PolicyHistory history() {
        PolicyCommand managersV1 = signer(ALICE).sign(issuedAt("alice", CREATED).upsert(managers(), 1, "initial"));
        return PolicyHistory.replayCommands(List.of(
                managersV1,
                signer(ALICE).sign(issuedAt("alice", CREATED).upsert(containment(), 1, "initial")),
                signer(MALLORY).sign(issuedAt("mallory", CREATED.plusSeconds(1)).delete(managers().id(), 2, "mine now")),
                signer(BOB).sign(issuedAt("bob", ENFORCED).setMode(managers(), Mode.ENFORCE, 2, "tested for a week")),
                managersV1,
                signer(BOB).sign(issuedAt("bob", DELETED).delete(containment().id(), 2, "retired"))), verifier);
    }

    @Test
    void theCurrentStateIsTheFoldOfTheAcceptedCommands() {
        PolicyState current = history().current();

        assertThat(current.rules()).extracting(RuleVersion::ruleId).containsExactly("system-slice-managers");
        RuleVersion managers = current.rule("system-slice-managers").orElseThrow();
        assertThat(managers.version()).isEqualTo(2);
        assertThat(managers.rule()).contains(managers().withMode(Mode.ENFORCE));
        assertThat(managers.author()).isEqualTo("bob");
        assertThat(current.rule("user-containment")).isEmpty();
        assertThat(current.currentVersion("user-containment")).isEqualTo(2);
    }

    @Test
    void theRuleInForceAtATimeIsTheVersionIssuedLatestBeforeIt() {
        PolicyHistory history = history();

        assertThat(history.ruleAt("system-slice-managers", CREATED.minusNanos(1000))).isEmpty();
        assertThat(history.ruleAt("system-slice-managers", CREATED)).hasValueSatisfying(v -> {
            assertThat(v.version()).isEqualTo(1);
            assertThat(v.rule().orElseThrow().mode()).isEqualTo(Mode.AUDIT);
        });
        assertThat(history.ruleAt("system-slice-managers", ENFORCED.minusSeconds(1)))
                .hasValueSatisfying(v -> assertThat(v.rule().orElseThrow().mode()).isEqualTo(Mode.AUDIT));
        assertThat(history.ruleAt("system-slice-managers", ENFORCED))
                .hasValueSatisfying(v -> assertThat(v.rule().orElseThrow().mode()).isEqualTo(Mode.ENFORCE));
        assertThat(history.ruleAt("user-containment", DELETED.minusSeconds(1))).isPresent();
        assertThat(history.ruleAt("user-containment", DELETED)).isEmpty();
        assertThat(history.ruleAt("never-existed", DELETED)).isEmpty();
    }

    @Test
    void rulesInForceAtATimeListEveryLiveRule() {
        PolicyHistory history = history();

        assertThat(history.rulesInForceAt(CREATED.plusSeconds(30))).extracting(RuleVersion::ruleId, RuleVersion::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("system-slice-managers", 1L),
                        org.assertj.core.groups.Tuple.tuple("user-containment", 1L));
        assertThat(history.rulesInForceAt(DELETED)).extracting(RuleVersion::ruleId, RuleVersion::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("system-slice-managers", 2L));
    }

    @Test
    void rejectedCommandsAreKeptWithTheirReasonsAndChangeNothing() {
        PolicyHistory history = history();

        assertThat(history.rejections()).extracting(Rejection::position, Rejection::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("#2", RejectionReason.UNKNOWN_KEY),
                org.assertj.core.groups.Tuple.tuple("#4", RejectionReason.STALE_VERSION));
        assertThat(history.versions()).extracting(RuleVersion::ruleId, RuleVersion::version).containsExactly(
                org.assertj.core.groups.Tuple.tuple("system-slice-managers", 1L),
                org.assertj.core.groups.Tuple.tuple("user-containment", 1L),
                org.assertj.core.groups.Tuple.tuple("system-slice-managers", 2L),
                org.assertj.core.groups.Tuple.tuple("user-containment", 2L));
    }

    @Test
    void aLaterVersionIsNeverUndoneByAnEarlierClock() {
        // Bob's clock runs an hour behind Alice's: his v2 claims a time before her v1.
        PolicyHistory history = PolicyHistory.replayCommands(List.of(
                signer(ALICE).sign(issuedAt("alice", ENFORCED).upsert(managers(), 1, null)),
                signer(BOB).sign(issuedAt("bob", CREATED).setMode(managers(), Mode.ENFORCE, 2, "skewed clock"))), verifier);

        assertThat(history.ruleAt("system-slice-managers", ENFORCED.plusSeconds(1)))
                .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(2));
    }

    @Test
    void recordsWithAWrongKeyOrUndecodableBytesAreRejected() {
        PolicyCommand ok = signer(ALICE).sign(issuedAt("alice", CREATED).upsert(managers(), 1, null));
        PolicyHistory history = PolicyHistory.replay(List.of(
                new PolicyLogEntry.Decoded("cgaudit.policy-0@0", "another-rule", ok),
                new PolicyLogEntry.Undecodable("cgaudit.policy-0@1", "x", "BAD_MARKER: expected C3 01"),
                new PolicyLogEntry.Decoded("cgaudit.policy-0@2", ok.getRuleId(), ok)), verifier);

        assertThat(history.rejections()).extracting(Rejection::reason)
                .containsExactly(RejectionReason.KEY_MISMATCH, RejectionReason.UNDECODABLE);
        assertThat(history.current().rules()).extracting(v -> v.rule().map(PolicyRule::id).orElseThrow())
                .containsExactly("system-slice-managers");
    }
}
