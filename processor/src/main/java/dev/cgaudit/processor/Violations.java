package dev.cgaudit.processor;

import dev.cgaudit.policy.Match;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.ViolationKind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;

/** How each kind of finding is written: ids, severities, and explanations in words. */
public final class Violations {

    public static final String COLLECTOR_LOSS_RULE = "builtin:collector-loss";
    public static final Severity BYPASS_SEVERITY = Severity.CRITICAL;
    public static final Severity DOWNGRADE_SEVERITY = Severity.HIGH;
    public static final Severity DEGRADED_SEVERITY = Severity.HIGH;
    public static final Severity LOSS_SEVERITY = Severity.HIGH;

    private Violations() {
    }

    /** UNAUTHORIZED_MIGRATION (allowlist) or SUBTREE_ESCAPE (containment): one per decision. */
    public static PolicyViolation perDecision(PolicyRule rule, long version, AttachDecision d, Match match) {
        ViolationKind kind = switch (rule.kind()) {
            case ALLOWLIST -> ViolationKind.UNAUTHORIZED_MIGRATION;
            case CONTAINMENT -> ViolationKind.SUBTREE_ESCAPE;
            default -> throw new IllegalArgumentException(rule.kind() + " is not judged per decision");
        };
        return single(rule.id(), version, rule.mode(), rule.severity(), kind, rule.subtree().path(), d,
                header(rule, version) + match.explanation());
    }

    /** ENFORCEMENT_BYPASS: a rule in enforce mode was violated and the kernel still allowed it. */
    public static PolicyViolation bypass(PolicyRule rule, long version, AttachDecision d, Match match) {
        String enforcement = d.getEnforcement() == null ? "no enforcement was recorded on the decision"
                : "the decision names rule " + d.getEnforcement().getRuleId() + " v" + d.getEnforcement().getRuleVersion()
                        + " (" + d.getEnforcement().getBackend() + ")";
        return single(rule.id(), version, Mode.ENFORCE, BYPASS_SEVERITY, ViolationKind.ENFORCEMENT_BYPASS,
                rule.subtree().path(), d, header(rule, version) + "violated in enforce mode, yet the kernel ALLOWED it ("
                        + enforcement + "): " + match.explanation());
    }

    /** COLLECTOR_LOSS from a gap in a node's seq: seq {@code from}..{@code to} never arrived. */
    public static PolicyViolation seqGap(AttachDecision after, long from, long to, long lastSeenMicros) {
        long lost = to - from + 1;
        String boot = after.getNode() + "/" + after.getBootId();
        return PolicyViolation.newBuilder()
                .setViolationId(ViolationIds.of(COLLECTOR_LOSS_RULE, 0, ViolationKind.COLLECTOR_LOSS,
                        List.of("seq", boot, Long.toString(from), Long.toString(to))))
                .setRuleId(COLLECTOR_LOSS_RULE).setRuleVersion(0).setMode(null)
                .setSeverity(LOSS_SEVERITY).setKind(ViolationKind.COLLECTOR_LOSS).setSubtree(null)
                .setDecisionIds(List.of(after.getEventId()))
                .setOutcomes(List.of(after.getOutcome()))
                .setFirstSeen(EventTime.instant(lastSeenMicros))
                .setLastSeen(after.getTimestamp())
                .setCount(lost)
                .setNodes(List.of(after.getNode()))
                .setExplanation("seq " + (lost == 1 ? Long.toString(from) : from + ".." + to) + " of " + boot
                        + " never arrived: " + lost + " decision" + (lost == 1 ? " was" : "s were")
                        + " lost between the node's kernel and this processor (next seen: " + after.getEventId() + ")")
                .build();
    }

    /** COLLECTOR_LOSS from a collector's own counters growing between two statuses. */
    public static PolicyViolation counterLoss(String node, String bootId, long timestampMicros, long lost, String what) {
        return PolicyViolation.newBuilder()
                .setViolationId(ViolationIds.of(COLLECTOR_LOSS_RULE, 0, ViolationKind.COLLECTOR_LOSS,
                        List.of("status", node, bootId == null ? "" : bootId, Long.toString(timestampMicros), what)))
                .setRuleId(COLLECTOR_LOSS_RULE).setRuleVersion(0).setMode(null)
                .setSeverity(LOSS_SEVERITY).setKind(ViolationKind.COLLECTOR_LOSS).setSubtree(null)
                .setDecisionIds(List.of()).setOutcomes(List.of())
                .setFirstSeen(EventTime.instant(timestampMicros)).setLastSeen(EventTime.instant(timestampMicros))
                .setCount(lost)
                .setNodes(List.of(node))
                .setExplanation("the collector on " + node + (bootId == null ? "" : " (boot " + bootId + ")")
                        + " reports " + what + " since its previous status: decisions were lost before reaching Kafka")
                .build();
    }

    /** MODE_DOWNGRADE: a rule switched from enforce to audit. */
    public static PolicyViolation downgrade(RuleChange change) {
        return PolicyViolation.newBuilder()
                .setViolationId(ViolationIds.of(change.ruleId(), change.version(), ViolationKind.MODE_DOWNGRADE,
                        change.commandId()))
                .setRuleId(change.ruleId()).setRuleVersion(change.version()).setMode(Mode.AUDIT)
                .setSeverity(DOWNGRADE_SEVERITY).setKind(ViolationKind.MODE_DOWNGRADE)
                .setSubtree(change.rule().getSubtree())
                .setDecisionIds(List.of()).setOutcomes(List.of())
                .setFirstSeen(EventTime.instant(change.issuedAtMicros()))
                .setLastSeen(EventTime.instant(change.issuedAtMicros()))
                .setCount(1)
                .setNodes(List.of())
                .setExplanation("rule " + change.ruleId() + " v" + change.version() + " switched from enforce to audit by "
                        + change.author() + " (command " + change.commandId() + ", " + change.cause() + ")"
                        + (change.reason() == null ? "" : ", reason: " + change.reason())
                        + ": the nodes stop denying what it forbids")
                .build();
    }

    /** ENFORCEMENT_DEGRADED: a node says it cannot (fully) enforce a rule that is in enforce mode. */
    public static PolicyViolation degraded(PolicyRule rule, long version, String node, String bootId, long timestampMicros,
                                           String backend, String reason) {
        return PolicyViolation.newBuilder()
                .setViolationId(ViolationIds.of(rule.id(), version, ViolationKind.ENFORCEMENT_DEGRADED,
                        List.of(node, bootId == null ? "" : bootId, Long.toString(timestampMicros))))
                .setRuleId(rule.id()).setRuleVersion(version).setMode(Mode.ENFORCE)
                .setSeverity(DEGRADED_SEVERITY).setKind(ViolationKind.ENFORCEMENT_DEGRADED)
                .setSubtree(rule.subtree().path())
                .setDecisionIds(List.of()).setOutcomes(List.of())
                .setFirstSeen(EventTime.instant(timestampMicros)).setLastSeen(EventTime.instant(timestampMicros))
                .setCount(1)
                .setNodes(List.of(node))
                .setExplanation("rule " + rule.id() + " v" + version + " is in enforce mode but node " + node
                        + " reports it cannot fully enforce it" + (backend == null ? "" : " with backend " + backend)
                        + (reason == null ? "" : ": " + reason))
                .build();
    }

    /**
     * DENIAL_BURST or CHURN: {@code counted} decisions of one subject within the window of {@code rule},
     * the version in force at the last of them.
     *
     * @param tgid        the writer's (burst) or target's (churn) tgid on {@code node}
     * @param subjectComm its comm at the last decision, null when unknown
     */
    public static PolicyViolation window(PolicyRule rule, long version, String node, int tgid, String subjectComm,
                                         List<CountedDecision> counted) {
        CountedDecision first = counted.get(0);
        CountedDecision last = counted.get(counted.size() - 1);
        ViolationKind kind = rule.kind() == RuleKind.DENIAL_BURST ? ViolationKind.DENIAL_BURST : ViolationKind.CHURN;
        List<String> ids = counted.stream().map(c -> c.eventId(node)).toList();
        List<Outcome> outcomes = counted.stream().map(CountedDecision::outcome).toList();
        String who = node + "/" + tgid;
        String subject = kind == ViolationKind.DENIAL_BURST
                ? "DENIED attempts by writer " + who + " (" + subjectComm + ")"
                : "completed moves of target " + who + (subjectComm == null ? "" : " (" + subjectComm + ")");
        var threshold = rule.threshold().orElseThrow();
        return PolicyViolation.newBuilder()
                .setViolationId(ViolationIds.of(rule.id(), version, kind, ids))
                .setRuleId(rule.id()).setRuleVersion(version).setMode(rule.mode())
                .setSeverity(rule.severity()).setKind(kind).setSubtree(rule.subtree().path())
                .setDecisionIds(ids).setOutcomes(outcomes)
                .setFirstSeen(EventTime.instant(first.timestampMicros()))
                .setLastSeen(EventTime.instant(last.timestampMicros()))
                .setCount(counted.size())
                .setNodes(List.of(node))
                .setExplanation("rule " + rule.id() + " v" + version + " ("
                        + kindName(kind) + ", " + modeName(rule.mode()) + ", subtree " + rule.subtree().path() + "): "
                        + counted.size() + " " + subject + " within "
                        + secondsText(last.timestampMicros() - first.timestampMicros()) + " s, threshold " + threshold.count()
                        + " within " + threshold.within().toMillis() + " ms")
                .build();
    }

    private static PolicyViolation single(String ruleId, long version, Mode mode, Severity severity, ViolationKind kind,
                                          String subtree, AttachDecision d, String explanation) {
        return PolicyViolation.newBuilder()
                .setViolationId(ViolationIds.of(ruleId, version, kind, d.getEventId()))
                .setRuleId(ruleId).setRuleVersion(version).setMode(mode)
                .setSeverity(severity).setKind(kind).setSubtree(subtree)
                .setDecisionIds(List.of(d.getEventId()))
                .setOutcomes(List.of(d.getOutcome()))
                .setFirstSeen(d.getTimestamp()).setLastSeen(d.getTimestamp())
                .setCount(1)
                .setNodes(List.of(d.getNode()))
                .setExplanation(explanation)
                .build();
    }

    /**
     * A span of microseconds in seconds with three decimals, as {@code String.format("%.3f")} writes
     * it (half up), without the formatter's parsing of its pattern: that was a few percent of the
     * router's CPU in a profile.
     */
    static String secondsText(long micros) {
        return BigDecimal.valueOf(micros, 6).setScale(3, RoundingMode.HALF_UP).toPlainString();
    }

    private static String header(PolicyRule rule, long version) {
        return "rule " + rule.id() + " v" + version + " (" + kindName(rule.kind().name()) + ", " + modeName(rule.mode()) + "): ";
    }

    private static String kindName(Object kind) {
        return kind.toString().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String modeName(Mode mode) {
        return mode == null ? "no mode" : mode.name().toLowerCase(Locale.ROOT);
    }
}
