package dev.cgaudit.collector.enforce;

import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.command.RuleVersion;
import dev.cgaudit.schema.Mode;
import java.util.Objects;

/** A rule in enforce mode as this node applies it: the rule and the version that put it in force. */
public record EnforcedRule(String id, long version, PolicyRule rule) {

    public EnforcedRule {
        Objects.requireNonNull(rule, "rule");
        if (!rule.id().equals(id)) {
            throw new IllegalArgumentException("rule " + rule.id() + " given as " + id);
        }
        if (rule.mode() != Mode.ENFORCE) {
            throw new IllegalArgumentException("rule " + id + " v" + version + " is in " + rule.mode() + " mode, not ENFORCE");
        }
    }

    /** The version if it is in enforce mode; callers filter with {@link #inForce}. */
    static EnforcedRule of(RuleVersion v) {
        return new EnforcedRule(v.ruleId(), v.version(), v.rule().orElseThrow());
    }

    static boolean inForce(RuleVersion v) {
        return v.rule().map(r -> r.mode() == Mode.ENFORCE).orElse(false);
    }

    @Override
    public String toString() {
        return id + " v" + version;
    }
}
