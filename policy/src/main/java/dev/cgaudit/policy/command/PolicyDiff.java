package dev.cgaudit.policy.command;

import dev.cgaudit.policy.PolicyRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What applying a set of rules (the files' whole policy) to the current state changes: rules added,
 * rules changed (naming the fields that differ) and rules removed (in force now, absent from the
 * files). Rules that are equal are not changes.
 */
public record PolicyDiff(List<Change> changes) {

    /** One rule's change. */
    public sealed interface Change {
        String ruleId();
    }

    public record Added(PolicyRule rule) implements Change {
        @Override
        public String ruleId() {
            return rule.id();
        }
    }

    public record Changed(RuleVersion current, PolicyRule rule, List<String> fields) implements Change {
        @Override
        public String ruleId() {
            return rule.id();
        }
    }

    public record Removed(RuleVersion current) implements Change {
        @Override
        public String ruleId() {
            return current.ruleId();
        }
    }

    private static final Map<String, Function<PolicyRule, Object>> FIELDS = fields();

    public PolicyDiff {
        changes = List.copyOf(changes);
    }

    public static PolicyDiff between(PolicyState current, List<PolicyRule> desired) {
        List<Change> changes = new ArrayList<>();
        Set<String> wanted = new TreeSet<>();
        for (PolicyRule rule : desired) {
            wanted.add(rule.id());
            var existing = current.rule(rule.id());
            if (existing.isEmpty()) {
                changes.add(new Added(rule));
                continue;
            }
            PolicyRule before = existing.get().rule().orElseThrow();
            List<String> differing = FIELDS.entrySet().stream()
                    .filter(f -> !Objects.equals(f.getValue().apply(before), f.getValue().apply(rule)))
                    .map(Map.Entry::getKey)
                    .toList();
            if (!differing.isEmpty()) {
                changes.add(new Changed(existing.get(), rule, differing));
            }
        }
        for (RuleVersion inForce : current.rules()) {
            if (!wanted.contains(inForce.ruleId())) {
                changes.add(new Removed(inForce));
            }
        }
        return new PolicyDiff(changes);
    }

    /** The rule fields compared, in file order (every field of {@link PolicyRule} but its id). */
    public static List<String> comparedFields() {
        return List.copyOf(FIELDS.keySet());
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    private static Map<String, Function<PolicyRule, Object>> fields() {
        // In the order of the policy file, so the diff reads like the file.
        Map<String, Function<PolicyRule, Object>> f = new LinkedHashMap<>();
        f.put("description", PolicyRule::description);
        f.put("subtree", PolicyRule::subtree);
        f.put("kind", PolicyRule::kind);
        f.put("direction", PolicyRule::direction);
        f.put("mode", PolicyRule::mode);
        f.put("severity", PolicyRule::severity);
        f.put("allow", PolicyRule::allow);
        f.put("when", PolicyRule::when);
        f.put("threshold", PolicyRule::threshold);
        return f;
    }
}
