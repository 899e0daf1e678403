package dev.cgaudit.collector.enforce;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the dac backend does for one enforce rule, and what it cannot do, in words.
 *
 * @param grant     who may write the protected files; empty when dac changes no file for the rule
 * @param bypasses  what the rule forbids but dac lets through (the rule is then not fully enforced)
 * @param overreach what the rule allows but dac refuses (reported; it does not weaken enforcement)
 */
public record DacPlan(EnforcedRule rule, Optional<DacGrant> grant, List<String> bypasses, List<String> overreach) {

    public DacPlan {
        bypasses = List.copyOf(bypasses);
        overreach = List.copyOf(overreach);
    }

    /** Whether dac changes files for this rule at all. */
    public boolean changesFiles() {
        return grant.isPresent();
    }

    /** Fully enforced: every writer the rule forbids is refused by the kernel. */
    public boolean enforced() {
        return grant.isPresent() && bypasses.isEmpty();
    }

    /** The RuleEnforcementStatus reason: what is enforced, what is not, what is refused beyond the rule. */
    public String reason() {
        if (grant.isEmpty()) {
            return String.join("; ", bypasses);
        }
        List<String> parts = new ArrayList<>();
        grant.ifPresent(g -> parts.add("dac enforces " + g + " for moves into " + rule.rule().subtree()
                + " (write on its cgroup.procs/cgroup.threads)"));
        bypasses.forEach(b -> parts.add("not enforced: " + b));
        overreach.forEach(o -> parts.add("stricter than the rule: " + o));
        return String.join("; ", parts);
    }
}
