package dev.cgaudit.processor.policy;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.RuleMapper;
import dev.cgaudit.policy.command.PolicyHistory;
import dev.cgaudit.policy.command.RuleVersion;
import dev.cgaudit.processor.EventTime;
import dev.cgaudit.processor.RuleChange;
import dev.cgaudit.schema.CommandType;
import dev.cgaudit.schema.Mode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the policy module's accepted versions into {@link RuleChange}s. The live verifier and the
 * replay of a history both come through {@link #of(RuleVersion, Optional)}, which is what makes
 * them broadcast the same thing.
 */
public final class RuleChanges {

    private RuleChanges() {
    }

    public static RuleChange of(RuleVersion next, Optional<RuleVersion> previous) {
        Mode previousMode = previous.filter(v -> !v.deleted()).flatMap(RuleVersion::rule).map(PolicyRule::mode).orElse(null);
        return new RuleChange(next.ruleId(), next.version(), EventTime.micros(next.issuedAt()), next.cause(),
                next.rule().map(RuleMapper::toAvro).orElse(null), previousMode, next.commandId(), next.author(),
                next.reason().orElse(null));
    }

    /** Every accepted version of a folded history, in log order. */
    public static List<RuleChange> of(PolicyHistory history) {
        Map<String, RuleVersion> latest = new HashMap<>();
        List<RuleChange> changes = new ArrayList<>();
        for (RuleVersion v : history.versions()) {
            changes.add(of(v, Optional.ofNullable(latest.get(v.ruleId()))));
            latest.put(v.ruleId(), v);
        }
        return changes;
    }

    /** Rules of a policy file: version 1 each, in force from the beginning of time (replay --policy). */
    public static List<RuleChange> fromFile(List<PolicyRule> rules, String fileName) {
        List<RuleChange> changes = new ArrayList<>();
        for (PolicyRule rule : rules) {
            changes.add(new RuleChange(rule.id(), 1, RuleChange.BEGINNING_OF_TIME, CommandType.UPSERT_RULE,
                    RuleMapper.toAvro(rule), null, "policy-file:" + fileName + "#" + rule.id(), "policy-file",
                    "replay --policy " + fileName));
        }
        return changes;
    }
}
