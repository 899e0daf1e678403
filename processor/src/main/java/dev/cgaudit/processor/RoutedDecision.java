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
 * version in force at the decision's time, and only what the window needs. Immutable, with its own
 * serializer ({@link RoutedDecisionSerializer}): buffered and counted in keyed state, never copied.
 */
@TypeInfo(RoutedDecisionSerializer.TypeInfoFactory.class)
public record RoutedDecision(String key, String ruleId, long ruleVersion, Mode mode, Severity severity,
                             ViolationKind kind, String subtree, int thresholdCount, long withinMillis,
                             String subject, String eventId, String node, long timestampMicros, Outcome outcome) {

    public static String key(String ruleId, String node, int tgid) {
        // Rule ids are [a-z0-9-]+, so the first '|' always ends the rule id.
        return ruleId + '|' + node + '|' + tgid;
    }

    public static String ruleIdOf(String key) {
        return key.substring(0, key.indexOf('|'));
    }
}
