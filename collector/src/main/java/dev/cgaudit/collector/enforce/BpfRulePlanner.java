package dev.cgaudit.collector.enforce;

import dev.cgaudit.policy.AllowEntry;
import dev.cgaudit.policy.PolicyRule;
import dev.cgaudit.policy.Subtree;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Translates one enforce rule into the allow-list map value of a BPF LSM backend. Both hook sets
 * apply to root and see the writer's uid, gid, comm, executable and cgroup, so an allow entry is
 * expressed exactly (lists expand into one entry per combination, at most
 * {@value BpfEnforceLayout#MAX_ENTRIES}); what differs is which migrations they see:
 * <ul>
 *   <li>{@link Hooks#CGROUP_ATTACH}: task, source and destination, on the write and the clone3
 *       path: into, out of and containment;</li>
 *   <li>{@link Hooks#FILE}: the open/write of a destination's {@code cgroup.procs}: into only (no
 *       pid, hence no source), and not clone3 (which opens the cgroup directory).</li>
 * </ul>
 * A {@code when} condition is not evaluated in the kernel: the rule then applies to every writer.
 */
final class BpfRulePlanner {

    /** Which hooks the backend's programs attach to. */
    enum Hooks { FILE, CGROUP_ATTACH }

    /** Turns names into what the kernel compares: an executable into (dev, ino), a subtree into its cgroup id. */
    interface Resolver {
        /** {kernel dev_t, inode} of the executable, empty when there is no such file. */
        Optional<long[]> exe(String path);

        OptionalLong cgroupId(Subtree subtree);
    }

    private static final String NO_SOURCE = "file hooks see the destination's cgroup.procs but not the pid written,"
            + " hence no source cgroup";

    private final Hooks hooks;

    BpfRulePlanner(Hooks hooks) {
        this.hooks = hooks;
    }

    BpfRulePlan plan(EnforcedRule enforced, Resolver resolver) {
        PolicyRule rule = enforced.rule();
        String subtree = rule.subtree().path();
        List<String> bypasses = new ArrayList<>();
        List<String> overreach = new ArrayList<>();
        int scope;
        switch (rule.kind()) {
            case DENIAL_BURST, CHURN -> {
                return new BpfRulePlan(enforced, 0, List.of(), List.of(DacPlanner.DETECTION_ONLY), List.of());
            }
            case CONTAINMENT -> {
                if (hooks == Hooks.FILE) {
                    return new BpfRulePlan(enforced, 0, List.of(), List.of("containment of " + subtree
                            + " not enforceable: " + NO_SOURCE), List.of());
                }
                scope = BpfEnforceLayout.CONTAIN;
            }
            case ALLOWLIST -> {
                scope = switch (rule.direction()) {
                    case INTO -> BpfEnforceLayout.INTO;
                    case OUT_OF -> BpfEnforceLayout.OUT_OF;
                    case ANY -> BpfEnforceLayout.INTO | BpfEnforceLayout.OUT_OF;
                };
                if (hooks == Hooks.FILE && (scope & BpfEnforceLayout.OUT_OF) != 0) {
                    scope &= ~BpfEnforceLayout.OUT_OF;
                    if (scope == 0) {
                        return new BpfRulePlan(enforced, 0, List.of(), List.of("moves out of " + subtree
                                + " not enforceable: " + NO_SOURCE), List.of());
                    }
                    bypasses.add("moves out of " + subtree + ": " + NO_SOURCE);
                }
            }
            default -> throw new IllegalArgumentException("rule kind " + rule.kind());
        }
        if (hooks == Hooks.FILE) {
            bypasses.add("clone3(CLONE_INTO_CGROUP) into " + subtree + " (it opens the cgroup directory, not cgroup.procs)");
        }
        rule.when().ifPresent(c -> overreach.add("when `" + c.expression() + "` is not evaluated in the kernel:"
                + " the restriction applies to every writer"));
        List<BpfEnforceLayout.Entry> entries = new ArrayList<>();
        for (int i = 0; i < rule.allow().size(); i++) {
            expand(rule.allow().get(i), "allow[" + i + "]", resolver, entries, overreach);
        }
        if (entries.size() > BpfEnforceLayout.MAX_ENTRIES) {
            overreach.add((entries.size() - BpfEnforceLayout.MAX_ENTRIES) + " allow combination(s) beyond the "
                    + BpfEnforceLayout.MAX_ENTRIES + " a map value holds are refused");
            entries = entries.subList(0, BpfEnforceLayout.MAX_ENTRIES);
        }
        return new BpfRulePlan(enforced, scope, entries, bypasses, overreach);
    }

    /** One kernel entry per combination of the entry's lists; an unset field is a wildcard. */
    private static void expand(AllowEntry e, String label, Resolver resolver, List<BpfEnforceLayout.Entry> out,
            List<String> overreach) {
        List<long[]> exes = new ArrayList<>();
        for (String path : e.exe()) {
            resolver.exe(path).ifPresentOrElse(exes::add,
                    () -> overreach.add(label + ": exe " + path + " does not exist here, so no writer matches it"));
        }
        List<Long> cgroups = new ArrayList<>();
        for (Subtree s : e.writerCgroup()) {
            OptionalLong id = resolver.cgroupId(s);
            if (id.isPresent()) {
                cgroups.add(id.getAsLong());
            } else {
                overreach.add(label + ": writerCgroup " + s + " does not exist here, so no writer matches it");
            }
        }
        for (String comm : e.comm()) {
            if (comm.getBytes(StandardCharsets.UTF_8).length >= BpfEnforceLayout.COMM_LEN) {
                overreach.add(label + ": comm " + comm + " is longer than the kernel's 15 characters, so no task has it");
            }
        }
        if ((!e.exe().isEmpty() && exes.isEmpty()) || (!e.writerCgroup().isEmpty() && cgroups.isEmpty())) {
            return;
        }
        for (Long uid : orAny(e.uid())) {
            for (Long gid : orAny(e.gid())) {
                for (String comm : orAny(e.comm())) {
                    for (long[] exe : orAny(exes)) {
                        for (Long cgroup : orAny(cgroups)) {
                            int fields = (uid != null ? BpfEnforceLayout.F_UID : 0) | (gid != null ? BpfEnforceLayout.F_GID : 0)
                                    | (comm != null ? BpfEnforceLayout.F_COMM : 0) | (exe != null ? BpfEnforceLayout.F_EXE : 0)
                                    | (cgroup != null ? BpfEnforceLayout.F_WRITER_CGROUP : 0);
                            out.add(new BpfEnforceLayout.Entry(fields, uid == null ? 0 : uid, gid == null ? 0 : gid,
                                    exe == null ? 0 : exe[0], exe == null ? 0 : exe[1], cgroup == null ? 0 : cgroup, comm));
                        }
                    }
                }
            }
        }
    }

    private static <T> List<T> orAny(List<T> values) {
        if (values.isEmpty()) {
            List<T> any = new ArrayList<>();
            any.add(null);
            return any;
        }
        return values;
    }
}
