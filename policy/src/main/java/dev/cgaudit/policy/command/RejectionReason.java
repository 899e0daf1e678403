package dev.cgaudit.policy.command;

/** Why a policy command was not applied. */
public enum RejectionReason {
    /** No signature or no keyId. */
    UNSIGNED,
    /** Signed by a key that is not in the trust store. */
    UNKNOWN_KEY,
    /** The signature does not verify: forged, or a field was changed after signing. */
    BAD_SIGNATURE,
    /** The version is not above the rule's current version: a replayed or out-of-date command. */
    STALE_VERSION,
    /** SET_MODE or DELETE_RULE for a rule that does not exist (never created, or deleted). */
    UNKNOWN_RULE,
    /** SET_MODE without a reason. */
    MISSING_REASON,
    /** UPSERT_RULE whose rule.id differs from ruleId. */
    RULE_ID_MISMATCH,
    /** UPSERT_RULE whose rule does not validate (bad subtree, CEL that does not compile, ...). */
    INVALID_RULE,
    /** A command whose fields do not fit its type (UPSERT without a rule, SET_MODE without a mode, ...). */
    MALFORMED,
    /** The Kafka record's key is not the command's ruleId, so compaction would mix rules. */
    KEY_MISMATCH,
    /** The Kafka record's value is not a PolicyCommand this reader can decode. */
    UNDECODABLE
}
