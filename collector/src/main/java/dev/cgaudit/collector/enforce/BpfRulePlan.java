package dev.cgaudit.collector.enforce;

import java.util.ArrayList;
import java.util.List;

/**
 * What a BPF LSM backend installs for one enforce rule: the scope bits and allow entries of its
 * map value, and what it cannot enforce, in words (as {@link DacPlan} does for dac).
 *
 * @param scope     {@code enum cga_enf_scope} bits; 0 when nothing is installed for the rule
 * @param bypasses  what the rule forbids but the hooks let through
 * @param overreach what the rule allows but the hooks refuse
 */
record BpfRulePlan(EnforcedRule rule, int scope, List<BpfEnforceLayout.Entry> entries, List<String> bypasses,
                   List<String> overreach) {

    BpfRulePlan {
        entries = List.copyOf(entries);
        bypasses = List.copyOf(bypasses);
        overreach = List.copyOf(overreach);
    }

    boolean installs() {
        return scope != 0;
    }

    boolean enforced() {
        return installs() && bypasses.isEmpty();
    }

    String reason(String backend) {
        if (!installs()) {
            return String.join("; ", bypasses);
        }
        List<String> parts = new ArrayList<>();
        parts.add(backend + " enforces " + entries.size() + " allow " + (entries.size() == 1 ? "entry" : "entries") + " for moves "
                + scopeText() + " " + rule.rule().subtree());
        bypasses.forEach(b -> parts.add("not enforced: " + b));
        overreach.forEach(o -> parts.add("stricter than the rule: " + o));
        return String.join("; ", parts);
    }

    private String scopeText() {
        List<String> s = new ArrayList<>();
        if ((scope & BpfEnforceLayout.INTO) != 0) {
            s.add("into");
        }
        if ((scope & BpfEnforceLayout.OUT_OF) != 0) {
            s.add("out of");
        }
        if ((scope & BpfEnforceLayout.CONTAIN) != 0) {
            s.add("(containment) out of");
        }
        return String.join(" and ", s);
    }
}
