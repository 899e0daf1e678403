package dev.cgaudit.processor.replay;

import dev.cgaudit.schema.PolicyViolation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;

/** Replayed against recorded violations, by violationId: what only one side has, and what differs. */
public record ViolationComparison(List<PolicyViolation> onlyReplayed, List<PolicyViolation> onlyRecorded,
                                  List<Changed> changed) {

    /** The same id with different contents; {@code fields} names what differs. */
    public record Changed(PolicyViolation replayed, PolicyViolation recorded, List<String> fields) {
    }

    public static ViolationComparison of(List<PolicyViolation> replayed, List<PolicyViolation> recorded) {
        Map<String, PolicyViolation> replayById = byId(replayed);
        Map<String, PolicyViolation> recordedById = byId(recorded);
        List<PolicyViolation> onlyReplayed = new ArrayList<>();
        List<Changed> changed = new ArrayList<>();
        for (PolicyViolation r : replayById.values()) {
            PolicyViolation rec = recordedById.get(r.getViolationId());
            if (rec == null) {
                onlyReplayed.add(r);
            } else if (!rec.equals(r)) {
                changed.add(new Changed(r, rec, differences(r, rec)));
            }
        }
        List<PolicyViolation> onlyRecorded = recordedById.values().stream()
                .filter(v -> !replayById.containsKey(v.getViolationId())).toList();
        return new ViolationComparison(onlyReplayed, onlyRecorded, changed);
    }

    public boolean same() {
        return onlyReplayed.isEmpty() && onlyRecorded.isEmpty() && changed.isEmpty();
    }

    private static Map<String, PolicyViolation> byId(List<PolicyViolation> violations) {
        Map<String, PolicyViolation> byId = new TreeMap<>();
        violations.forEach(v -> byId.putIfAbsent(v.getViolationId(), v));
        return new LinkedHashMap<>(byId);
    }

    private static List<String> differences(PolicyViolation a, PolicyViolation b) {
        List<String> fields = new ArrayList<>();
        for (Schema.Field f : PolicyViolation.getClassSchema().getFields()) {
            Object x = a.get(f.pos());
            Object y = b.get(f.pos());
            if (x == null ? y != null : !x.equals(y)) {
                fields.add(f.name());
            }
        }
        return fields;
    }
}
