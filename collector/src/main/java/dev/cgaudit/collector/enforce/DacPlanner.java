package dev.cgaudit.collector.enforce;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.schema.Direction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Translates one enforce rule into file ownership, following the cgroup v2 delegation rules: a
 * writer without CAP_DAC_OVERRIDE moves a process into cgroup D only with write access to
 * {@code D/cgroup.procs} (or {@code cgroup.threads}) and to the {@code cgroup.procs} of the common
 * ancestor of source and destination; {@code clone3(CLONE_INTO_CGROUP)} checks the same files.
 *
 * <p>So dac can guard the way <em>into</em> a subtree (every file in it is ours to set), but not the
 * way out: leaving is checked against a destination and a common ancestor outside the subtree,
 * and changing an ancestor's {@code cgroup.procs} would restrict every migration below it, not only
 * those that leave. One owner and one group is all a file has; exe, comm, the writer's cgroup and
 * CEL conditions are invisible to DAC; root bypasses it. Every such limit is said in the plan.
 */
public final class DacPlanner {

    static final String DETECTION_ONLY = "detection-only kind";

    public DacPlan plan(EnforcedRule enforced) {
        PolicyRule rule = enforced.rule();
        String subtree = rule.subtree().path();
        switch (rule.kind()) {
            case DENIAL_BURST:
            case CHURN:
                return new DacPlan(enforced, Optional.empty(), List.of(DETECTION_ONLY + " (" + kindName(rule)
                        + " counts decisions over time; no single migration is refused for it)"), List.of());
            case CONTAINMENT:
                return new DacPlan(enforced, Optional.empty(), List.of("dac cannot stop " + leaving(subtree)), List.of());
            case ALLOWLIST:
                if (rule.direction() == Direction.OUT_OF) {
                    return new DacPlan(enforced, Optional.empty(), List.of("dac cannot stop " + leaving(subtree)), List.of());
                }
                return allowlist(enforced);
            default:
                throw new IllegalArgumentException("rule kind " + rule.kind());
        }
    }

    private static DacPlan allowlist(EnforcedRule enforced) {
        PolicyRule rule = enforced.rule();
        List<String> bypasses = new ArrayList<>();
        List<String> overreach = new ArrayList<>();
        if (rule.direction() == Direction.ANY) {
            bypasses.add(leaving(rule.subtree().path()));
        }
        // Root passes DAC anyway, so uid 0 needs no file; a granted non-root uid becomes the owner.
        Set<Long> uids = new LinkedHashSet<>();
        Set<Long> gids = new LinkedHashSet<>();
        boolean rootUnconditional = false;
        for (int i = 0; i < rule.allow().size(); i++) {
            AllowEntry e = rule.allow().get(i);
            String label = "allow[" + i + "]";
            List<String> invisible = invisibleFields(e);
            if (!e.uid().isEmpty()) {
                e.uid().stream().filter(u -> u != 0).forEach(uids::add);
                if (e.uid().contains(0L) && invisible.isEmpty() && e.gid().isEmpty()) {
                    rootUnconditional = true;
                }
                if (!e.gid().isEmpty()) {
                    bypasses.add(label + ": gid=" + e.gid() + " is not checked together with uid=" + e.uid()
                            + " (dac grants the uid whatever its gid)");
                }
                if (!invisible.isEmpty()) {
                    bypasses.add(label + ": " + String.join(", ", invisible) + " not enforceable by dac (uid="
                            + e.uid() + " is granted whatever its " + fieldNames(e) + ")");
                }
            } else if (!e.gid().isEmpty()) {
                gids.addAll(e.gid());
                if (!invisible.isEmpty()) {
                    bypasses.add(label + ": " + String.join(", ", invisible) + " not enforceable by dac (gid="
                            + e.gid() + " is granted whatever its " + fieldNames(e) + ")");
                }
            } else {
                overreach.add(label + " (" + String.join(", ", invisible) + ") names no uid or gid: dac cannot tell"
                        + " such writers apart, so only root gets through for this entry");
            }
        }
        OptionalLong owner = uids.stream().mapToLong(Long::longValue).findFirst();
        OptionalLong group = gids.stream().mapToLong(Long::longValue).findFirst();
        if (uids.size() > 1) {
            overreach.add("uid=" + uids.stream().skip(1).toList() + " not granted: a file has one owner (uid="
                    + owner.getAsLong() + ")");
        }
        if (gids.size() > 1) {
            overreach.add("gid=" + gids.stream().skip(1).toList() + " not granted: a file has one group (gid="
                    + group.getAsLong() + ")");
        }
        if (group.isPresent()) {
            bypasses.add("writers with gid=" + group.getAsLong() + " as a supplementary group pass dac;"
                    + " the rule matches the effective gid only");
        }
        if (!rootUnconditional) {
            bypasses.add("root (CAP_DAC_OVERRIDE) bypasses dac");
        }
        rule.when().ifPresent(c -> overreach.add("when `" + c.expression() + "` is not evaluated by dac:"
                + " the restriction applies to every writer"));
        return new DacPlan(enforced, Optional.of(new DacGrant(owner, group)), bypasses, overreach);
    }

    private static List<String> invisibleFields(AllowEntry e) {
        List<String> fields = new ArrayList<>();
        if (!e.comm().isEmpty()) {
            fields.add("comm=" + e.comm());
        }
        if (!e.exe().isEmpty()) {
            fields.add("exe=" + e.exe());
        }
        if (!e.writerCgroup().isEmpty()) {
            fields.add("writerCgroup=" + e.writerCgroup());
        }
        return fields;
    }

    private static String fieldNames(AllowEntry e) {
        List<String> names = new ArrayList<>();
        if (!e.comm().isEmpty()) {
            names.add("comm");
        }
        if (!e.exe().isEmpty()) {
            names.add("exe");
        }
        if (!e.writerCgroup().isEmpty()) {
            names.add("cgroup");
        }
        return names.stream().collect(Collectors.joining("/"));
    }

    private static String leaving(String subtree) {
        return "moves out of " + subtree + " (leaving is checked against the cgroup.procs of the destination and of the"
                + " common ancestor, both outside " + subtree + "; dac changes files inside protected subtrees only)";
    }

    private static String kindName(PolicyRule rule) {
        return rule.kind().name().toLowerCase().replace('_', '-');
    }
}
