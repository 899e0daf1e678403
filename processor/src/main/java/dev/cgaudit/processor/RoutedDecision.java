package dev.cgaudit.processor;

import dev.cgaudit.processor.types.RoutedDecisionSerializer;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.ViolationKind;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A decision that counts towards a windowed rule (denial-burst, churn), routed to its subject:
 * {@code key} is rule + node + tgid of the writer (burst) or the target (churn), so a rule on
 * {@code /} spreads over the fleet's writers instead of becoming one hot key. It carries the rule
 * version in force at the decision's time, and only what the window needs: rule id, node and tgid
 * are read back from the key, and the subject's words are put together only for a violation.
 * Immutable, with its own serializer ({@link RoutedDecisionSerializer}): buffered and counted in
 * keyed state, never copied.
 *
 * @param subjectComm the writer's (burst) or target's (churn) comm, null when unknown
 */
@TypeInfo(RoutedDecisionSerializer.TypeInfoFactory.class)
public record RoutedDecision(String key, long ruleVersion, Mode mode, Severity severity, ViolationKind kind,
                             String subtree, int thresholdCount, long withinMillis, String subjectComm,
                             String eventId, long timestampMicros, Outcome outcome) {

    public static String key(String ruleId, String node, int tgid) {
        // Rule ids are [a-z0-9-]+ and a tgid is a number, so the first and the last '|' delimit the node.
        return ruleId + '|' + node + '|' + tgid;
    }

    public String ruleId() {
        return key.substring(0, key.indexOf('|'));
    }

    public String node() {
        return key.substring(key.indexOf('|') + 1, key.lastIndexOf('|'));
    }

    /** Who the window counts, in words: "writer node/tgid (comm)" or "target node/tgid (comm)". */
    public String subject() {
        String who = node() + "/" + key.substring(key.lastIndexOf('|') + 1);
        return kind == ViolationKind.DENIAL_BURST
                ? "writer " + who + " (" + subjectComm + ")"
                : "target " + who + (subjectComm == null ? "" : " (" + subjectComm + ")");
    }
}
