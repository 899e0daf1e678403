package dev.cgaudit.processor.policy;

import dev.cgaudit.policy.InvalidRuleException;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.RuleMapper;
import dev.cgaudit.processor.RuleChange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every accepted version of one rule, compiled once (CEL conditions included) so that a decision
 * costs a lookup, not a parse.
 *
 * <p>At event time {@code t} the version in force is the highest version issued at or before
 * {@code t}, unless that version deleted the rule: exactly {@code PolicyHistory.ruleAt} of the
 * policy module (operators' clocks are not trusted to be in order, so a later version never gives
 * way to an earlier one). {@code RuleTimelineTest} holds the two side by side.
 */
public final class RuleTimeline {

    /** One version: null rule once deleted. */
    public record Version(long version, long issuedAtMicros, PolicyRule rule) {
    }

    private final String ruleId;
    private final Version[] byVersionDescending;

    private RuleTimeline(String ruleId, Version[] byVersionDescending) {
        this.ruleId = ruleId;
        this.byVersionDescending = byVersionDescending;
    }

    public static RuleTimeline compile(String ruleId, List<RuleChange> changes) {
        List<Version> versions = new ArrayList<>(changes.size());
        for (RuleChange change : changes) {
            versions.add(new Version(change.version(), change.issuedAtMicros(), change.deleted() ? null : toRule(change)));
        }
        versions.sort(Comparator.comparingLong(Version::version).reversed());
        return new RuleTimeline(ruleId, versions.toArray(Version[]::new));
    }

    public String ruleId() {
        return ruleId;
    }

    /** The version in force at {@code micros}; null before the rule existed or while it is deleted. */
    public Version at(long micros) {
        for (Version v : byVersionDescending) {
            if (v.issuedAtMicros() <= micros) {
                return v.rule() == null ? null : v;
            }
        }
        return null;
    }

    /** Every subtree any version protects: the index must find the rule under each. */
    List<String> subtrees() {
        List<String> paths = new ArrayList<>();
        for (Version v : byVersionDescending) {
            if (v.rule() != null && !paths.contains(v.rule().subtree().path())) {
                paths.add(v.rule().subtree().path());
            }
        }
        return paths;
    }

    private static PolicyRule toRule(RuleChange change) {
        try {
            return RuleMapper.fromAvro(change.rule());
        } catch (InvalidRuleException e) {
            // Changes are validated before they are broadcast (verifier or policy file): this is a bug.
            throw new IllegalStateException("rule " + change.ruleId() + " v" + change.version()
                    + " was accepted but does not validate: " + e.getMessage(), e);
        }
    }
}
