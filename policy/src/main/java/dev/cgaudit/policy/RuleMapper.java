package dev.cgaudit.policy;

import dev.cgaudit.policy.cel.Condition;
import dev.cgaudit.policy.cel.ConditionError;
import dev.cgaudit.schema.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Converts between {@link PolicyRule} and the Avro {@code Rule} carried by UPSERT_RULE commands.
 * A rule read from the topic is validated as strictly as one read from a file (and its condition
 * compiled), because a signed command is still only as good as what it carries.
 */
public final class RuleMapper {

    private RuleMapper() {
    }

    public static Rule toAvro(PolicyRule rule) {
        return Rule.newBuilder()
                .setId(rule.id())
                .setDescription(rule.description().orElse(null))
                .setSubtree(rule.subtree().path())
                .setKind(rule.kind())
                .setDirection(rule.direction())
                .setMode(rule.mode())
                .setSeverity(rule.severity())
                .setAllow(rule.allow().stream().map(RuleMapper::toAvro).toList())
                .setWhen(rule.when().map(Condition::expression).orElse(null))
                .setThreshold(rule.threshold()
                        .map(t -> new dev.cgaudit.schema.Threshold(t.count(), t.within().toMillis()))
                        .orElse(null))
                .build();
    }

    private static dev.cgaudit.schema.AllowEntry toAvro(AllowEntry entry) {
        return dev.cgaudit.schema.AllowEntry.newBuilder()
                .setExe(orNull(entry.exe()))
                .setComm(orNull(entry.comm()))
                .setUid(orNull(entry.uid()))
                .setGid(orNull(entry.gid()))
                .setWriterCgroup(orNull(entry.writerCgroup().stream().map(Subtree::path).toList()))
                .build();
    }

    private static <T> List<T> orNull(List<T> values) {
        return values.isEmpty() ? null : values;
    }

    public static PolicyRule fromAvro(Rule rule) throws InvalidRuleException {
        List<String> problems = new ArrayList<>();
        String id = rule.getId();
        RuleId.problem(id).ifPresent(p -> problems.add("id: " + p));
        Subtree subtree = subtree("subtree", rule.getSubtree(), problems);
        if (rule.getKind() == null) {
            problems.add("kind: missing");
        }
        if (rule.getMode() == null) {
            problems.add("mode: missing");
        }
        if (rule.getSeverity() == null) {
            problems.add("severity: missing");
        }
        List<AllowEntry> allow = new ArrayList<>();
        List<dev.cgaudit.schema.AllowEntry> entries = rule.getAllow() == null ? List.of() : rule.getAllow();
        for (int i = 0; i < entries.size(); i++) {
            allowEntry("allow[" + i + "]", entries.get(i), problems).ifPresent(allow::add);
        }
        Optional<Condition> when = Optional.empty();
        if (rule.getWhen() != null) {
            Condition.Compilation compilation = Condition.compile(rule.getWhen());
            for (ConditionError e : compilation.errors()) {
                problems.add("when: " + e.message() + " (expression line " + e.line() + ", column " + e.column() + ")");
            }
            when = compilation.condition();
        }
        Optional<Threshold> threshold = Optional.empty();
        if (rule.getThreshold() != null) {
            int count = rule.getThreshold().getCount();
            long millis = rule.getThreshold().getWithinMillis();
            if (count < Threshold.MIN_COUNT) {
                problems.add("threshold.count: expected at least " + Threshold.MIN_COUNT + ", found " + count);
            } else if (millis <= 0) {
                problems.add("threshold.withinMillis: expected a positive window, found " + millis);
            } else {
                threshold = Optional.of(new Threshold(count, Duration.ofMillis(millis)));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRuleException(id, problems);
        }
        try {
            return new PolicyRule(id, Optional.ofNullable(rule.getDescription()), subtree, rule.getKind(),
                    rule.getDirection() == null ? PolicyRule.DEFAULT_DIRECTION : rule.getDirection(),
                    rule.getMode(), rule.getSeverity(), allow, when, threshold);
        } catch (IllegalArgumentException e) {
            // The record's invariants (cross-field rules, required enums) are the last line of checks.
            throw new InvalidRuleException(id, List.of(e.getMessage()));
        }
    }

    private static Subtree subtree(String field, String path, List<String> problems) {
        Optional<String> problem = Subtree.problem(path);
        if (problem.isPresent()) {
            problems.add(field + ": " + problem.get());
            return null;
        }
        return Subtree.of(path);
    }

    private static Optional<AllowEntry> allowEntry(String field, dev.cgaudit.schema.AllowEntry entry, List<String> problems) {
        int before = problems.size();
        List<String> exe = listOf(entry.getExe());
        for (String e : exe) {
            if (e == null || !e.startsWith("/")) {
                problems.add(field + ".exe: expected an absolute path, found '" + e + "'");
            }
        }
        List<Subtree> writerCgroup = new ArrayList<>();
        for (String path : listOf(entry.getWriterCgroup())) {
            Subtree s = subtree(field + ".writerCgroup", path, problems);
            if (s != null) {
                writerCgroup.add(s);
            }
        }
        List<String> comm = listOf(entry.getComm());
        List<Long> uid = listOf(entry.getUid());
        List<Long> gid = listOf(entry.getGid());
        if (exe.isEmpty() && comm.isEmpty() && uid.isEmpty() && gid.isEmpty() && writerCgroup.isEmpty()
                && problems.size() == before) {
            problems.add(field + ": sets no field, so it would allow every writer");
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new AllowEntry(exe, comm, uid, gid, writerCgroup));
    }

    private static <T> List<T> listOf(List<T> values) {
        return values == null ? List.of() : values;
    }
}
