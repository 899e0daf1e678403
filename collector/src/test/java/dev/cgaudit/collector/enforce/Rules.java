package dev.cgaudit.collector.enforce;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.RuleKind;
import java.time.Duration;

/** Named enforce rules for the enforcer's tests. */
final class Rules {

    private Rules() {
    }

    /** Only uid 65533 moves processes into {@code subtree}. */
    static EnforcedRule onlyUid(String id, String subtree, long uid) {
        return enforced(PolicyRule.builder(id, RuleKind.ALLOWLIST, subtree).direction(Direction.INTO)
                .allow(AllowEntry.builder().uid(uid).build()));
    }

    static EnforcedRule enforced(PolicyRule.Builder builder) {
        PolicyRule rule = builder.mode(Mode.ENFORCE).build();
        return new EnforcedRule(rule.id(), 1, rule);
    }

    static EnforcedRule containment(String id, String subtree) {
        return enforced(PolicyRule.builder(id, RuleKind.CONTAINMENT, subtree));
    }

    static EnforcedRule denialBurst(String id, String subtree) {
        return enforced(PolicyRule.builder(id, RuleKind.DENIAL_BURST, subtree).threshold(5, Duration.ofSeconds(10)));
    }

    static EnforcedRule churn(String id, String subtree) {
        return enforced(PolicyRule.builder(id, RuleKind.CHURN, subtree).threshold(10, Duration.ofSeconds(60)));
    }
}
