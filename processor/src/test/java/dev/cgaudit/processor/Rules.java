package dev.cgaudit.processor;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.RuleMapper;
import dev.cgaudit.schema.CommandType;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Severity;
import java.time.Duration;
import java.time.Instant;

/** Named rules and rule changes for the processor's tests. */
public final class Rules {

    private Rules() {
    }

    /** Only systemd moves processes into or out of system.slice. */
    public static PolicyRule managers(Mode mode) {
        return PolicyRule.builder("system-slice-managers", RuleKind.ALLOWLIST, "/system.slice")
                .allow(AllowEntry.builder().exe("/usr/lib/systemd/systemd").build())
                .mode(mode).severity(Severity.HIGH).build();
    }

    /** Nothing inside user.slice may be moved outside it. */
    public static PolicyRule userContainment(Mode mode) {
        return PolicyRule.builder("user-containment", RuleKind.CONTAINMENT, "/user.slice")
                .mode(mode).severity(Severity.CRITICAL).build();
    }

    /** Five DENIED attempts by one writer within ten seconds, anywhere. */
    public static PolicyRule probing() {
        return PolicyRule.builder("probing", RuleKind.DENIAL_BURST, "/").threshold(5, Duration.ofSeconds(10)).build();
    }

    /** One target moved three times within a minute, anywhere. */
    public static PolicyRule bouncing() {
        return PolicyRule.builder("bouncing", RuleKind.CHURN, "/").threshold(3, Duration.ofSeconds(60))
                .severity(Severity.LOW).build();
    }

    public static RuleChange upsert(PolicyRule rule, long version, Instant issuedAt) {
        return new RuleChange(rule.id(), version, EventTime.micros(issuedAt), CommandType.UPSERT_RULE,
                RuleMapper.toAvro(rule), null, "cmd-" + rule.id() + "-" + version, "alice", null);
    }

    public static RuleChange setMode(PolicyRule rule, Mode from, long version, Instant issuedAt) {
        return new RuleChange(rule.id(), version, EventTime.micros(issuedAt), CommandType.SET_MODE,
                RuleMapper.toAvro(rule), from, "cmd-" + rule.id() + "-" + version, "alice", "maintenance");
    }

    public static RuleChange delete(String ruleId, long version, Instant issuedAt) {
        return new RuleChange(ruleId, version, EventTime.micros(issuedAt), CommandType.DELETE_RULE, null, null,
                "cmd-" + ruleId + "-" + version, "alice", "retired");
    }
}
