package dev.cgaudit.processor;

import dev.cgaudit.schema.EventIds;
import dev.cgaudit.schema.Outcome;

/**
 * What a denial-burst or churn window keeps of one decision it counted: which decision, when it
 * happened and what the kernel decided. The rest of a window violation (rule version, mode,
 * subject) comes from the decision that completes the window.
 *
 * <p>Which decision is its boot and seq; its event id is derived from them and the window's node
 * ({@link EventIds}), and kept only when it was made otherwise ({@code otherEventId}). A node holds
 * thousands of these at a time, and a string per decision was half of their memory and of the
 * windows' snapshot. The boot id is best shared by the node's windows ({@link NodeWindows#boot}).
 *
 * @param bootId the decision's boot; null when {@code otherEventId} names the decision
 * @param seq the decision's seq in its boot; 0 when {@code otherEventId} names the decision
 * @param otherEventId the event id when it is not {@code node/bootId/seq}; null when it is
 */
public record CountedDecision(String bootId, long seq, String otherEventId, long timestampMicros, Outcome outcome) {

    /**
     * {@code decision} as a window keeps it: its id kept only when the encoded decision carries one
     * (it checked at the source whether the id derives).
     *
     * @param bootId the decision's boot id, best the instance its node's windows share
     */
    public static CountedDecision of(EncodedDecision decision, String bootId, Outcome outcome) {
        return decision.otherEventId() == null
                ? new CountedDecision(bootId, decision.seq(), null, decision.timestampMicros(), outcome)
                : new CountedDecision(null, 0, decision.otherEventId(), decision.timestampMicros(), outcome);
    }

    /** The decision's event id, given its window's node. */
    public String eventId(String node) {
        return otherEventId != null ? otherEventId : EventIds.of(node, bootId, seq);
    }
}
