package dev.cgaudit.processor;

import dev.cgaudit.schema.AttachDecision;

/** One record of the decisions topic: decoded, or a dead letter. Exactly one of the two is set. */
public record DecisionRecord(AttachDecision decision, DeadLetter deadLetter) {

    public static DecisionRecord decoded(AttachDecision decision) {
        return new DecisionRecord(decision, null);
    }

    public static DecisionRecord failed(DeadLetter deadLetter) {
        return new DecisionRecord(null, deadLetter);
    }
}
