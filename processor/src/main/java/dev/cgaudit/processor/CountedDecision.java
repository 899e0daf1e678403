package dev.cgaudit.processor;

import dev.cgaudit.schema.Outcome;

/**
 * What a denial-burst or churn window keeps of one decision it counted: its id, when it happened
 * and what the kernel decided. The rest of a window violation (rule version, mode, subject) comes
 * from the decision that completes the window.
 */
public record CountedDecision(String eventId, long timestampMicros, Outcome outcome) {
}
