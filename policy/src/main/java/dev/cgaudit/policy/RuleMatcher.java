package dev.cgaudit.policy;

import dev.cgaudit.policy.cel.CelDecision;
import dev.cgaudit.policy.cel.Condition;
import dev.cgaudit.policy.cel.ConditionEvaluationException;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Decides, for one rule and one decision, whether the rule concerns the decision and whether it is
 * violated, and says why in words. Used by the processor per decision and by the enforcer; it holds
 * no state and is safe to share between threads.
 *
 * <p>Which end of the migration has to lie in the rule's subtree:
 * <ul>
 *   <li>allowlist: the destination ({@code into}), the source ({@code out-of}) or either ({@code any});
 *       violated when the writer matches none of the allow entries;</li>
 *   <li>containment: the source; violated when the destination lies outside the subtree;</li>
 *   <li>denial-burst: either end; the decision counts when it was DENIED;</li>
 *   <li>churn: either end; the decision counts when it was ALLOWED (the target moved).</li>
 * </ul>
 * An end whose path is unresolved (null) is never guessed: when the answer depends on it, the
 * decision is not concerned and the explanation says which path was missing and why.
 */
public final class RuleMatcher {

    public Match evaluate(PolicyRule rule, AttachDecision decision) {
        Subtree subtree = rule.subtree();
        End destination = End.of("destination", decision.getDestination(), "the kernel did not report it");
        End source = End.of("source", decision.getSource(), "the kernel did not report it for this decision");

        List<End> ends = ends(switch (rule.kind()) {
            case ALLOWLIST -> rule.direction();
            case CONTAINMENT -> Direction.OUT_OF;
            case DENIAL_BURST, CHURN -> Direction.ANY;
        }, destination, source);
        End touched = touched(subtree, ends);
        if (touched == null) {
            return Match.notConcerned(rule, rule.when().isPresent() ? Match.When.NOT_EVALUATED : Match.When.ABSENT,
                    () -> untouched(subtree, ends));
        }
        Supplier<String> touch = () -> touched.name() + " " + touched.path() + " lies in " + subtree;

        Match.When when = Match.When.ABSENT;
        Supplier<String> context = touch;
        if (rule.when().isPresent()) {
            Condition condition = rule.when().get();
            try {
                boolean holds = condition.test(CelDecision.of(decision));
                when = holds ? Match.When.TRUE : Match.When.FALSE;
                Supplier<String> whenText = () -> touch.get() + "; when `" + condition.expression() + "` is " + holds;
                if (!holds) {
                    return Match.notConcerned(rule, when, () -> whenText.get() + ", so the rule does not apply");
                }
                context = whenText;
            } catch (ConditionEvaluationException e) {
                return Match.notConcerned(rule, Match.When.FAILED, () -> touch.get()
                        + "; when could not be evaluated, so the rule does not apply: " + e.getMessage());
            }
        }

        return switch (rule.kind()) {
            case ALLOWLIST -> allowlist(rule, decision, when, context);
            case CONTAINMENT -> containment(rule, destination, when, context);
            case DENIAL_BURST -> denialBurst(rule, decision, when, context);
            case CHURN -> churn(rule, decision, when, context);
        };
    }

    // Each kind decides first and words its explanation only when asked (the supplier reads the
    // decision then: callers word it before they change or reuse the decision).

    private static Match allowlist(PolicyRule rule, AttachDecision decision, Match.When when, Supplier<String> context) {
        Writer writer = decision.getWriter();
        for (int i = 0; i < rule.allow().size(); i++) {
            if (matches(rule.allow().get(i), writer)) {
                int entry = i;
                return Match.concerned(rule, false, when, () -> context.get() + "; " + outcome(decision) + "; "
                        + describe(writer) + " matched allow entry [" + (entry + 1) + "]: "
                        + String.join(", ", check(rule.allow().get(entry), writer).matched()));
            }
        }
        return Match.concerned(rule, true, when, () -> {
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < rule.allow().size(); i++) {
                failures.add("[" + (i + 1) + "] " + String.join(", ", check(rule.allow().get(i), writer).failed()));
            }
            return context.get() + "; " + outcome(decision) + "; " + describe(writer)
                    + " matched none of " + rule.allow().size() + " allow " + (rule.allow().size() == 1 ? "entry" : "entries")
                    + ": " + String.join("; ", failures);
        });
    }

    private static Match containment(PolicyRule rule, End destination, Match.When when, Supplier<String> context) {
        if (destination.path() == null) {
            return Match.notConcerned(rule, when, () -> context.get() + "; destination path unresolved ("
                    + destination.unresolvedReason() + "): cannot tell whether it leaves " + rule.subtree());
        }
        if (rule.subtree().contains(destination.path())) {
            return Match.concerned(rule, false, when, () -> context.get() + "; destination " + destination.path()
                    + " stays inside " + rule.subtree());
        }
        return Match.concerned(rule, true, when, () -> context.get() + "; destination " + destination.path()
                + " lies outside " + rule.subtree() + ": a process inside was to be moved out");
    }

    private static Match denialBurst(PolicyRule rule, AttachDecision decision, Match.When when, Supplier<String> context) {
        Threshold t = rule.threshold().orElseThrow();
        if (decision.getOutcome() == Outcome.DENIED) {
            return Match.concerned(rule, true, when, () -> {
                Writer w = decision.getWriter();
                String subject = "writer " + decision.getNode() + "/" + w.getTgid() + " (" + w.getComm() + ")";
                return context.get() + "; " + outcome(decision) + " attempt by " + subject
                        + " counts towards " + t.count() + " within " + t.within();
            });
        }
        return Match.concerned(rule, false, when, () -> context.get() + "; " + outcome(decision)
                + ": only DENIED decisions count");
    }

    private static Match churn(PolicyRule rule, AttachDecision decision, Match.When when, Supplier<String> context) {
        Threshold t = rule.threshold().orElseThrow();
        Target target = decision.getTarget();
        if (target == null || target.getTgid() == null) {
            return Match.notConcerned(rule, when, () -> context.get() + "; target unknown (the kernel found no such task): "
                    + "churn counts moves per target");
        }
        if (decision.getOutcome() == Outcome.ALLOWED) {
            return Match.concerned(rule, true, when, () -> {
                String subject = "target " + decision.getNode() + "/" + target.getTgid()
                        + (target.getComm() == null ? "" : " (" + target.getComm() + ")");
                return context.get() + "; " + subject + " was moved, which counts towards "
                        + t.count() + " within " + t.within();
            });
        }
        return Match.concerned(rule, false, when, () -> context.get() + "; " + outcome(decision)
                + ": only completed (ALLOWED) moves count");
    }

    private static List<End> ends(Direction direction, End destination, End source) {
        return switch (direction) {
            case INTO -> List.of(destination);
            case OUT_OF -> List.of(source);
            case ANY -> List.of(destination, source);
        };
    }

    /** The first of {@code ends} that lies in the subtree; null when none does. */
    private static End touched(Subtree subtree, List<End> ends) {
        for (End end : ends) {
            if (end.path() != null && subtree.contains(end.path())) {
                return end;
            }
        }
        return null;
    }

    private static String untouched(Subtree subtree, List<End> ends) {
        List<String> outside = new ArrayList<>();
        List<String> unresolved = new ArrayList<>();
        for (End end : ends) {
            if (end.path() == null) {
                unresolved.add(end.name() + " path unresolved (" + end.unresolvedReason() + ")");
            } else {
                outside.add(end.name() + " " + end.path());
            }
        }
        StringBuilder why = new StringBuilder();
        if (!outside.isEmpty()) {
            why.append(String.join(" and ", outside)).append(outside.size() == 1 ? " lies" : " lie")
                    .append(" outside ").append(subtree);
        }
        if (!unresolved.isEmpty()) {
            if (why.length() > 0) {
                why.append("; ");
            }
            why.append(String.join(" and ", unresolved)).append(": cannot tell whether the decision touches ")
                    .append(subtree);
        }
        return why.toString();
    }

    /** Whether the writer matches every field the entry names: {@link #check} without the words. */
    private static boolean matches(AllowEntry entry, Writer writer) {
        if (!entry.exe().isEmpty() && (writer.getExe() == null || !entry.exe().contains(writer.getExe()))) {
            return false;
        }
        if (!entry.comm().isEmpty() && (writer.getComm() == null || !entry.comm().contains(writer.getComm()))) {
            return false;
        }
        if (!entry.uid().isEmpty() && !entry.uid().contains(writer.getUid())) {
            return false;
        }
        if (!entry.gid().isEmpty() && !entry.gid().contains(writer.getGid())) {
            return false;
        }
        if (!entry.writerCgroup().isEmpty()) {
            String path = writer.getCgroupPath();
            return path != null && entry.writerCgroup().stream().anyMatch(s -> s.contains(path));
        }
        return true;
    }

    private static EntryCheck check(AllowEntry entry, Writer writer) {
        List<String> matched = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        if (!entry.exe().isEmpty()) {
            String exe = writer.getExe();
            if (exe == null) {
                failed.add("exe unknown (process gone before lookup) " + notIn(entry.exe()));
            } else {
                (entry.exe().contains(exe) ? matched : failed).add("exe " + exe + " " + relation(entry.exe().contains(exe), entry.exe()));
            }
        }
        if (!entry.comm().isEmpty()) {
            String comm = writer.getComm();
            boolean ok = comm != null && entry.comm().contains(comm);
            (ok ? matched : failed).add("comm " + comm + " " + relation(ok, entry.comm()));
        }
        if (!entry.uid().isEmpty()) {
            boolean ok = entry.uid().contains(writer.getUid());
            (ok ? matched : failed).add("uid " + writer.getUid() + " " + relation(ok, entry.uid()));
        }
        if (!entry.gid().isEmpty()) {
            boolean ok = entry.gid().contains(writer.getGid());
            (ok ? matched : failed).add("gid " + writer.getGid() + " " + relation(ok, entry.gid()));
        }
        if (!entry.writerCgroup().isEmpty()) {
            String path = writer.getCgroupPath();
            String under = entry.writerCgroup().stream().map(Subtree::path).collect(Collectors.joining(" or "));
            if (path == null) {
                failed.add("writerCgroup unresolved, so not under " + under);
            } else {
                Optional<Subtree> hit = entry.writerCgroup().stream().filter(s -> s.contains(path)).findFirst();
                if (hit.isPresent()) {
                    matched.add("writerCgroup " + path + " under " + hit.get());
                } else {
                    failed.add("writerCgroup " + path + " not under " + under);
                }
            }
        }
        return new EntryCheck(matched, failed);
    }

    private static String relation(boolean ok, List<?> allowed) {
        if (allowed.size() == 1) {
            return (ok ? "= " : "≠ ") + allowed.get(0);
        }
        return (ok ? "∈ " : "∉ ") + set(allowed);
    }

    private static String notIn(List<?> allowed) {
        return allowed.size() == 1 ? "≠ " + allowed.get(0) : "∉ " + set(allowed);
    }

    private static String set(List<?> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(", ", "{", "}"));
    }

    private static String describe(Writer w) {
        return "writer uid=" + w.getUid() + " comm=" + w.getComm()
                + " exe=" + (w.getExe() == null ? "?" : w.getExe())
                + " cgroup=" + (w.getCgroupPath() == null ? "?" : w.getCgroupPath());
    }

    private static String outcome(AttachDecision d) {
        return d.getOutcome() + (d.getErrnoName() == null ? "" : " (" + d.getErrnoName() + ")");
    }

    /** One end of the migration and, when its path is unknown, why. */
    private record End(String name, String path, String unresolvedReason) {
        static End of(String name, CgroupRef ref, String whenAbsent) {
            if (ref == null) {
                return new End(name, null, whenAbsent);
            }
            String reason = ref.getPathError() == null ? "no path error given" : ref.getPathError();
            return new End(name, ref.getPath(), ref.getPath() == null ? reason : null);
        }
    }

    private record EntryCheck(List<String> matched, List<String> failed) {
    }
}
