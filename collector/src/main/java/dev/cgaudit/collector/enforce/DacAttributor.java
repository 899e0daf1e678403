package dev.cgaudit.collector.enforce;

import dev.cgaudit.collector.Errno;
import dev.cgaudit.policy.RuleMatcher;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.Operation;
import dev.cgaudit.schema.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides whether the dac backend made the kernel deny a decision: it was refused with EACCES, a
 * file the kernel checked for it is under control, the writer is not allowed by a rule covering that
 * file ({@link RuleMatcher}), and with every controlled file as it was before enforcement (the
 * original in the state file) DAC would have let the writer through. Only then did the enforcer,
 * and not the delegation the node had anyway, cause the denial.
 *
 * <p>Which files the kernel checked (KERNEL.md, "How a migration is decided"): a denial at open
 * (no target yet) checked the destination's {@code cgroup.procs}/{@code cgroup.threads}; a denied
 * write (the open had succeeded) the common ancestor's {@code cgroup.procs}; a clone3 both the
 * destination's and the common ancestor's {@code cgroup.procs}. Files not under control are read as
 * they are now: the enforcer never changed them.
 */
final class DacAttributor {

    private final Path mount;
    private final Supplier<DacSnapshot> snapshot;
    private final RuleMatcher matcher = new RuleMatcher();

    DacAttributor(Path mount, Supplier<DacSnapshot> snapshot) {
        this.mount = mount;
        this.snapshot = snapshot;
    }

    Optional<Enforcement> attribute(AttachDecision d) {
        if (d.getOutcome() != Outcome.DENIED || d.getErrno() != Errno.EACCES) {
            return Optional.empty();
        }
        DacSnapshot controlled = snapshot.get();
        String destination = path(d.getDestination());
        if (controlled.isEmpty() || destination == null) {
            return Optional.empty();
        }
        List<CheckedFile> checked = checkedFiles(d, destination);
        if (checked.isEmpty()) {
            return Optional.empty();
        }
        List<EnforcedRule> covering = new ArrayList<>();
        for (CheckedFile f : checked) {
            DacSnapshot.Controlled c = controlled.get(f.cgroup(), f.file());
            if (c != null) {
                covering.addAll(c.rules());
            }
        }
        if (covering.isEmpty()) {
            return Optional.empty(); // none of the files the kernel checked is ours: not our denial
        }
        for (CheckedFile f : checked) {
            DacSnapshot.Controlled c = controlled.get(f.cgroup(), f.file());
            FileOwnership baseline;
            if (c != null) {
                baseline = c.file().original();
            } else {
                try {
                    baseline = FileOwnership.read(ControlledFile.directory(mount, f.cgroup()).resolve(f.file()));
                } catch (IOException e) {
                    return Optional.empty(); // cannot tell what the baseline allowed: claim nothing
                }
            }
            if (!baseline.permitsWrite(d.getWriter().getUid(), d.getWriter().getGid())) {
                return Optional.empty(); // denied before enforcement too: the node's own delegation refused it
            }
        }
        return covering.stream()
                .filter(rule -> matcher.evaluate(rule.rule(), d).violated())
                .max(Comparator.<EnforcedRule>comparingInt(r -> r.rule().subtree().path().length())
                        .thenComparing(EnforcedRule::id, Comparator.reverseOrder()))
                .map(rule -> Enforcement.newBuilder().setRuleId(rule.id()).setRuleVersion(rule.version())
                        .setBackend(DacBackend.NAME).build());
    }

    private static List<CheckedFile> checkedFiles(AttachDecision d, String destination) {
        String source = path(d.getSource());
        if (d.getOperation() == Operation.CLONE_INTO_CGROUP) {
            List<CheckedFile> files = new ArrayList<>(List.of(new CheckedFile(destination, ControlledFile.PROCS)));
            if (source != null) {
                files.add(new CheckedFile(commonAncestor(source, destination), ControlledFile.PROCS));
            }
            return files;
        }
        if (d.getTarget() == null) {
            String file = d.getOperation() == Operation.THREADS_WRITE ? ControlledFile.THREADS : ControlledFile.PROCS;
            return List.of(new CheckedFile(destination, file));
        }
        // The open succeeded, so the write was refused at the delegation check on the common ancestor.
        return source == null ? List.of() : List.of(new CheckedFile(commonAncestor(source, destination), ControlledFile.PROCS));
    }

    /** The deepest cgroup containing both paths ("/" when they share nothing). */
    static String commonAncestor(String a, String b) {
        String[] x = a.split("/");
        String[] y = b.split("/");
        StringBuilder common = new StringBuilder();
        for (int i = 1; i < Math.min(x.length, y.length) && x[i].equals(y[i]); i++) {
            common.append('/').append(x[i]);
        }
        return common.length() == 0 ? "/" : common.toString();
    }

    private static String path(CgroupRef ref) {
        return ref == null ? null : ref.getPath();
    }

    private record CheckedFile(String cgroup, String file) {
    }
}
