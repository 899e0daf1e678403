package dev.cgaudit.sink.testing;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.testing.Decisions;
import java.util.List;

/** Named PolicyViolation fixtures, resting on the shared {@link Decisions}. */
public final class Violations {

    private Violations() {
    }

    /** bash (uid 1000) tried to move a task into system.slice; the kernel denied it; audit rule. */
    public static PolicyViolation.Builder unauthorizedMigration() {
        AttachDecision denied = Decisions.deniedAtOpen().build();
        return PolicyViolation.newBuilder()
                .setViolationId("v-1f3a9c0e5b7d2468")
                .setRuleId("system-slice-managers")
                .setRuleVersion(3)
                .setMode(Mode.AUDIT)
                .setSeverity(Severity.HIGH)
                .setKind(ViolationKind.UNAUTHORIZED_MIGRATION)
                .setSubtree("/system.slice")
                .setDecisionIds(List.of(denied.getEventId()))
                .setOutcomes(List.of(Outcome.DENIED))
                .setFirstSeen(denied.getTimestamp())
                .setLastSeen(denied.getTimestamp())
                .setCount(1)
                .setNodes(List.of("node-a"))
                .setExplanation("writer bash (uid 1000, exe unknown) matches none of the 3 allow entries");
    }

    /** A built-in finding with no rule mode, no subtree and several decisions. */
    public static PolicyViolation.Builder collectorLoss() {
        return unauthorizedMigration()
                .setViolationId("v-collector-loss-0001")
                .setRuleId("builtin:collector-loss")
                .setRuleVersion(0)
                .setMode(null)
                .setSeverity(Severity.MEDIUM)
                .setKind(ViolationKind.COLLECTOR_LOSS)
                .setSubtree(null)
                .setDecisionIds(List.of(Decisions.allowedProcsWrite().build().getEventId(),
                        Decisions.enforcedClone().build().getEventId()))
                .setOutcomes(List.of(Outcome.ALLOWED, Outcome.DENIED))
                .setCount(7)
                .setExplanation("seq jumped from 0 to 2 on node-a boot 3f1c2b1e: 1 decision lost");
    }

    /** The n-th of a run of distinct violations, for delivery tests. */
    public static PolicyViolation numbered(int n) {
        return unauthorizedMigration()
                .setViolationId(String.format("v-%06d", n))
                .setCount(n)
                .build();
    }
}
