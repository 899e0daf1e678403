package dev.cgaudit.policy.command;

import static dev.cgaudit.policy.command.Operators.ALICE;
import static dev.cgaudit.policy.command.Operators.T0;
import static dev.cgaudit.policy.command.Operators.TRUST;
import static dev.cgaudit.policy.command.Operators.containment;
import static dev.cgaudit.policy.command.Operators.issuedAt;
import static dev.cgaudit.policy.command.Operators.managers;
import static dev.cgaudit.policy.command.Operators.signer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Severity;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyDiffTest {

    private final PolicyState current = PolicyHistory.replayCommands(List.of(
            signer(ALICE).sign(issuedAt("alice", T0).upsert(managers(), 1, null)),
            signer(ALICE).sign(issuedAt("alice", T0).upsert(containment(), 1, null))), new CommandVerifier(TRUST)).current();

    @Test
    void theSamePolicyIsNoChange() {
        assertThat(PolicyDiff.between(current, List.of(containment(), managers())).isEmpty()).isTrue();
    }

    @Test
    void namesAddedChangedWithTheirFieldsAndRemovedRules() {
        PolicyRule probing = PolicyRule.builder("probing", RuleKind.DENIAL_BURST, "/").threshold(5, Duration.ofSeconds(10)).build();
        PolicyRule managersChanged = PolicyRule.builder(managers().id(), RuleKind.ALLOWLIST, "/system.slice")
                .allow(managers().allow()).when("decision.writer.uid != 0").mode(Mode.ENFORCE).severity(Severity.CRITICAL).build();

        PolicyDiff diff = PolicyDiff.between(current, List.of(managersChanged, probing));

        assertThat(diff.changes()).hasSize(3);
        assertThat(diff.changes().get(0)).isInstanceOfSatisfying(PolicyDiff.Changed.class, c -> {
            assertThat(c.ruleId()).isEqualTo("system-slice-managers");
            assertThat(c.fields()).containsExactly("mode", "severity");
            assertThat(c.current().version()).isEqualTo(1);
        });
        assertThat(diff.changes().get(1)).isEqualTo(new PolicyDiff.Added(probing));
        assertThat(diff.changes().get(2)).isInstanceOfSatisfying(PolicyDiff.Removed.class,
                r -> assertThat(r.ruleId()).isEqualTo("user-containment"));
    }

    @Test
    void comparesEveryFieldOfARuleButItsId() {
        List<String> components = Arrays.stream(PolicyRule.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName).filter(n -> !n.equals("id")).toList();

        assertThat(PolicyDiff.comparedFields()).containsExactlyElementsOf(components);
    }
}
