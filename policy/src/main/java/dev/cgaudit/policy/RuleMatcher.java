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

        Touch touch = switch (rule.kind()) {
            case ALLOWLIST -> touch(subtree, rule.direction(), destination, source);
            case CONTAINMENT -> touch(subtree, Direction.OUT_OF, destination, source);
            case DENIAL_BURST, CHURN -> touch(subtree, Direction.ANY, destination, source);
        };
        if (!touch.concerned()) {
            return Match.notConcerned(rule, rule.when().isPresent() ? Match.When.NOT_EVALUATED : Match.When.ABSENT,
                    touch.explanation());
        }

        Match.When when = Match.When.ABSENT;
        String whenText = "";
        if (rule.when().isPresent()) {
            Condition condition = rule.when().get();
            try {
                boolean holds = condition.test(CelDecision.of(decision));
                when = holds ? Match.When.TRUE : Match.When.FALSE;
                whenText = "; when `" + condition.expression() + "` is " + holds;
                if (!holds) {
                    return Match.notConcerned(rule, when, touch.explanation() + whenText + ", so the rule does not apply");
                }
            } catch (ConditionEvaluationException e) {
                return Match.notConcerned(rule, Match.When.FAILED, touch.explanation()
                        + "; when could not be evaluated, so the rule does not apply: " + e.getMessage());
            }
        }
        String context = touch.explanation() + whenText;

        return switch (rule.kind()) {
            case ALLOWLIST -> allowlist(rule, decision, when, context);
            case CONTAINMENT -> containment(rule, destination, when, context);
            case DENIAL_BURST -> denialBurst(rule, decision, when, context);
            case CHURN -> churn(rule, decision, when, context);
        };
    }

    private static Match allowlist(PolicyRule rule, AttachDecision decision, Match.When when, String context) {
        Writer writer = decision.getWriter();
        String who = describe(writer);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < rule.allow().size(); i++) {
            AllowEntry entry = rule.allow().get(i);
            EntryCheck check = check(entry, writer);
            if (check.failed().isEmpty()) {
                return Match.concerned(rule, false, when, context + "; " + outcome(decision) + "; " + who
                        + " matched allow entry [" + (i + 1) + "]: " + String.join(", ", check.matched()));
            }
            failures.add("[" + (i + 1) + "] " + String.join(", ", check.failed()));
        }
        return Match.concerned(rule, true, when, context + "; " + outcome(decision) + "; " + who
                + " matched none of " + rule.allow().size() + " allow " + (rule.allow().size() == 1 ? "entry" : "entries")
                + ": " + String.join("; ", failures));
    }

    private static Match containment(PolicyRule rule, End destination, Match.When when, String context) {
        if (destination.path() == null) {
            return Match.notConcerned(rule, when, context + "; destination path unresolved (" + destination.unresolvedReason()
                    + "): cannot tell whether it leaves " + rule.subtree());
        }
        if (rule.subtree().contains(destination.path())) {
            return Match.concerned(rule, false, when, context + "; destination " + destination.path()
                    + " stays inside " + rule.subtree());
        }
        return Match.concerned(rule, true, when, context + "; destination " + destination.path()
                + " lies outside " + rule.subtree() + ": a process inside was to be moved out");
    }

    private static Match denialBurst(PolicyRule rule, AttachDecision decision, Match.When when, String context) {
        Threshold t = rule.threshold().orElseThrow();
        Writer w = decision.getWriter();
        String subject = "writer " + decision.getNode() + "/" + w.getTgid() + " (" + w.getComm() + ")";
        if (decision.getOutcome() == Outcome.DENIED) {
            return Match.concerned(rule, true, when, context + "; " + outcome(decision) + " attempt by " + subject
                    + " counts towards " + t.count() + " within " + t.within());
        }
        return Match.concerned(rule, false, when, context + "; " + outcome(decision) + ": only DENIED decisions count");
    }

    private static Match churn(PolicyRule rule, AttachDecision decision, Match.When when, String context) {
        Threshold t = rule.threshold().orElseThrow();
        Target target = decision.getTarget();
        if (target == null || target.getTgid() == null) {
            return Match.notConcerned(rule, when, context + "; target unknown (the kernel found no such task): "
                    + "churn counts moves per target");
        }
        String subject = "target " + decision.getNode() + "/" + target.getTgid()
                + (target.getComm() == null ? "" : " (" + target.getComm() + ")");
        if (decision.getOutcome() == Outcome.ALLOWED) {
            return Match.concerned(rule, true, when, context + "; " + subject + " was moved, which counts towards "
                    + t.count() + " within " + t.within());
        }
        return Match.concerned(rule, false, when, context + "; " + outcome(decision)
                + ": only completed (ALLOWED) moves count");
    }

    private static Touch touch(Subtree subtree, Direction direction, End destination, End source) {
        List<End> ends = switch (direction) {
            case INTO -> List.of(destination);
            case OUT_OF -> List.of(source);
            case ANY -> List.of(destination, source);
        };
        for (End end : ends) {
            if (end.path() != null && subtree.contains(end.path())) {
                return new Touch(true, end.name() + " " + end.path() + " lies in " + subtree);
            }
        }
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
        return new Touch(false, why.toString());
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

    private record Touch(boolean concerned, String explanation) {
    }

    private record EntryCheck(List<String> matched, List<String> failed) {
    }
}
