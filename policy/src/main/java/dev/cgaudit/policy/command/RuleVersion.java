package dev.cgaudit.policy.command;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.CommandType;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One accepted version of a rule: the rule as it stands after the command (empty once deleted),
 * and who made it so, when and why. A version is in force from its {@code issuedAt} (event time).
 */
public record RuleVersion(
        String ruleId,
        long version,
        Optional<PolicyRule> rule,
        CommandType cause,
        Instant issuedAt,
        String author,
        Optional<String> reason,
        String commandId,
        String keyId) {

    public RuleVersion {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(reason, "reason");
        if ((cause == CommandType.DELETE_RULE) == rule.isPresent()) {
            throw new IllegalArgumentException("a DELETE_RULE version has no rule, every other version has one");
        }
    }

    public boolean deleted() {
        return rule.isEmpty();
    }
}
