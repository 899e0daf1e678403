package dev.cgaudit.processor;

/** One record of the decisions topic: decoded, or a dead letter. Exactly one of the two is set. */
public record DecisionRecord(EncodedDecision decision, DeadLetter deadLetter) {

    public static DecisionRecord decoded(EncodedDecision decision) {
        return new DecisionRecord(decision, null);
    }

    public static DecisionRecord failed(DeadLetter deadLetter) {
        return new DecisionRecord(null, deadLetter);
    }
}
