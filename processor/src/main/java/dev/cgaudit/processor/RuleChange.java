package dev.cgaudit.processor;

import dev.cgaudit.schema.CommandType;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Rule;

/**
 * One accepted rule version as the job sees it: verified (or taken from a policy file), in force
 * from {@code issuedAtMicros} on. This, not the raw signed command, is what is broadcast, so the
 * live job (verifying commands from Kafka) and replay (folding a history or a file beforehand)
 * feed the detectors the same thing.
 *
 * @param rule         the rule as it stands after the change; null for DELETE_RULE
 * @param previousMode the mode of the version before this one, null when there was none (or it was deleted)
 */
public record RuleChange(String ruleId, long version, long issuedAtMicros, CommandType cause, Rule rule,
                         Mode previousMode, String commandId, String author, String reason) {

    /** A file rule applies "from the beginning of time". */
    public static final long BEGINNING_OF_TIME = Long.MIN_VALUE;

    /**
     * Not a rule: the live job's policy verifier has read the policy log up to where it ended when the
     * job was submitted. Until then decisions are held, so that startup does not race the policy.
     */
    public static RuleChange policyLoaded() {
        return new RuleChange("", 0, BEGINNING_OF_TIME, null, null, null, "policy-loaded", "processor", null);
    }

    public boolean isPolicyLoadedMarker() {
        return cause == null;
    }

    public boolean deleted() {
        return cause == CommandType.DELETE_RULE;
    }

    /** ENFORCE → AUDIT: a high-severity finding of its own. */
    public boolean downgrade() {
        return rule != null && previousMode == Mode.ENFORCE && rule.getMode() == Mode.AUDIT;
    }
}
